// The values the issue list (GET /api/issues) takes that are its own rather than the domain's: one list for the
// server's query schema (server/routes/issues/issues.schema.ts) and the web's address parser
// (web/src/lib/issue-query.ts), so a value one side learns the other knows too.

/** The list's orders: newest taken in first, the soonest deadline first, or oldest taken in first. */
export const LIST_SORTS = ['createdAt', 'dueAt', 'oldest'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

/** `kpi`: a KPI's drill-down, listed within the KPI's scope rather than the reader's own domain. */
export const LIST_SCOPES = ['kpi'] as const;

/** The `unitId` of the issues no unit has been given (the dashboard's 未分派 row). */
export const NO_UNIT = 'none';
