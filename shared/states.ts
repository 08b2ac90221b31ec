// Domain vocabulary of DESIGN §2–§6: lifecycle states, urgency, tiers, unit levels, warning lights, channels,
// categories and rating levels, each with its Chinese label for the UI.

export const ISSUE_STATES = [
  'received',
  'dispatched',
  'in_progress',
  'suspended',
  'consulting',
  'replied',
  'awaiting_rating',
  'closed',
  'merged',
  'rejected',
] as const;
export type IssueState = (typeof ISSUE_STATES)[number];

export const STATE_LABELS: Readonly<Record<IssueState, string>> = Object.freeze({
  received: '待受理',
  dispatched: '待签收',
  in_progress: '办理中',
  suspended: '挂起',
  consulting: '会商中',
  replied: '待审核',
  awaiting_rating: '待评价',
  closed: '已办结',
  merged: '已合并',
  rejected: '不予受理',
});

/** States in which no handling clock runs and no escalation fires. */
export const TERMINAL_STATES: readonly IssueState[] = Object.freeze([
  'closed',
  'merged',
  'rejected',
] as IssueState[]);

/**
 * States in which an issue may join a class problem (一类事): with a unit and not finished. A `received` issue
 * has no unit yet (the centre dispatches it first); a finished one has its outcome.
 */
export const CLASS_LINKABLE_STATES: readonly IssueState[] = Object.freeze(
  ISSUE_STATES.filter((s) => s !== 'received' && !TERMINAL_STATES.includes(s)),
);

/** A class problem is two member issues or more, from its promotion on. */
export const MIN_CLASS_MEMBERS = 2;

/** States in which a unit's handling clock runs: signed for or not, not paused (挂起), not yet replied. */
export const CLOCK_RUNNING_STATES: readonly IssueState[] = Object.freeze([
  'dispatched',
  'in_progress',
  'consulting',
] as IssueState[]);

/**
 * States in which a unit's handling clock runs (or is paused, 挂起): the work 督办 and 通报 chase. A replied issue
 * waits for the centre, then for the enterprise's rating; its light stays as the record of its timeliness.
 */
export const HANDLING_STATES: readonly IssueState[] = Object.freeze([
  'dispatched',
  'in_progress',
  'suspended',
  'consulting',
] as IssueState[]);

/**
 * States whose deadlines and light are live, so a changed policy or calendar moves them: waiting for the
 * centre (待受理) or with a unit. From 待审核 on, the light is the record of the reply's timeliness.
 */
export const CLOCKED_STATES: readonly IssueState[] = Object.freeze(['received', ...HANDLING_STATES]);

/** States of an issue still being worked on (the backlog). */
export const OPEN_STATES: readonly IssueState[] = Object.freeze(
  ISSUE_STATES.filter((s) => !TERMINAL_STATES.includes(s)),
);

export const URGENCIES = ['critical', 'urgent', 'normal', 'complex'] as const;
export type Urgency = (typeof URGENCIES)[number];
export const URGENCY_LABELS: Readonly<Record<Urgency, string>> = Object.freeze({
  critical: '特急',
  urgent: '紧急',
  normal: '一般',
  complex: '疑难复杂',
});

export const TIERS = ['section', 'director', 'leader'] as const;
export type Tier = (typeof TIERS)[number];
export const TIER_LABELS: Readonly<Record<Tier, string>> = Object.freeze({
  section: '科室层级',
  director: '中心主任协调',
  leader: '市领导协调',
});

export const UNIT_LEVELS = ['township', 'county', 'city'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];
export const UNIT_LEVEL_LABELS: Readonly<Record<UnitLevel, string>> = Object.freeze({
  township: '乡镇/街道',
  county: '区县',
  city: '市级部门',
});

/**
 * Why `parent` cannot be a unit's 上级单位, or null when it can: a township's is a county unit of its own county,
 * a county unit's and a city department's a city department (no parent at all is allowed). Shared, so the admin
 * form offers only the parents the API accepts.
 */
export function unitParentMismatch(
  unit: { level: UnitLevel; region: string },
  parent: { level: UnitLevel; region: string },
): string | null {
  if (unit.level === 'township')
    return parent.level === 'county' && parent.region === unit.region
      ? null
      : '乡镇/街道的上级单位须为本区县的区县单位';
  if (parent.level === 'city') return null;
  return unit.level === 'county'
    ? '区县单位的上级单位须为市级部门（可不设）'
    : '市级部门的上级单位须为市级部门（可不设）';
}

export const WARNING_LEVELS = ['none', 'yellow', 'red', 'overdue'] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];
export const WARNING_LABELS: Readonly<Record<WarningLevel, string>> = Object.freeze({
  none: '正常',
  yellow: '黄灯预警',
  red: '红灯预警',
  overdue: '已超期',
});
/**
 * The lights of an issue past its deadline: red comes at the due time (DESIGN §5), 已超期 a working day later.
 * Every 超期 figure counts both (the workbench's 已超期, 驾驶舱's 当前超期 and the KPIs' 超期).
 */
export const PAST_DUE_WARNINGS: readonly WarningLevel[] = Object.freeze(['red', 'overdue']);
export const isPastDue = (warning: unknown): boolean => PAST_DUE_WARNINGS.includes(warning as WarningLevel);

export const CHANNEL_IDS = [
  'hotline12345',
  'zheliban',
  'qr',
  'window',
  'meeting',
  'visit',
  'review',
  'email',
  'sms',
  'wechat',
  'deputy',
  'discovery',
] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];
export const CHANNEL_LABELS: Readonly<Record<ChannelId, string>> = Object.freeze({
  hotline12345: '12345热线',
  zheliban: '浙里办',
  qr: '企业码',
  window: '综合窗口',
  meeting: '政企恳谈会',
  visit: '走访调研',
  review: '好差评',
  email: '电子邮件',
  sms: '短信',
  wechat: '微信公众号/小程序',
  deputy: '人大建议/政协提案/信访',
  discovery: '主动发现',
});

export const CATEGORY_IDS = [
  'policy',
  'land',
  'utilities',
  'finance',
  'talent',
  'approval',
  'enforcement',
  'legal',
  'logistics',
  'innovation',
  'tax',
  'market',
] as const;
export type CategoryId = (typeof CATEGORY_IDS)[number];

export const RATINGS = ['good', 'bad'] as const;
export type Rating = (typeof RATINGS)[number];

/** The optional five-level detail of DESIGN §6; the first three are "good", the last two "bad". */
export const RATING_LEVELS = [
  'very_satisfied',
  'satisfied',
  'basically_satisfied',
  'dissatisfied',
  'very_dissatisfied',
] as const;
export type RatingLevel = (typeof RATING_LEVELS)[number];
export const RATING_LEVEL_LABELS: Readonly<Record<RatingLevel, string>> = Object.freeze({
  very_satisfied: '非常满意',
  satisfied: '满意',
  basically_satisfied: '基本满意',
  dissatisfied: '不满意',
  very_dissatisfied: '非常不满意',
});
export const RATING_LABELS: Readonly<Record<Rating, string>> = Object.freeze({ good: '好评', bad: '差评' });

/**
 * A rating as people read it: its detailed level (满意) when it has one, else 好评/差评; '' for anything else
 * (what a timeline event's data holds, unchecked).
 */
export function ratingLabel(r: { rating?: unknown; level?: unknown }): string {
  if (typeof r.level === 'string' && Object.hasOwn(RATING_LEVEL_LABELS, r.level))
    return RATING_LEVEL_LABELS[r.level as RatingLevel];
  if (typeof r.rating === 'string' && Object.hasOwn(RATING_LABELS, r.rating))
    return RATING_LABELS[r.rating as Rating];
  return '';
}

/** Which side of the good/bad split a detailed level belongs to. */
export function ratingOfLevel(level: RatingLevel): Rating {
  return level === 'dissatisfied' || level === 'very_dissatisfied' ? 'bad' : 'good';
}

function isOneOf<T extends string>(list: readonly T[]) {
  return (value: unknown): value is T =>
    typeof value === 'string' && (list as readonly string[]).includes(value);
}
export const isIssueState = isOneOf(ISSUE_STATES);
export const isUrgency = isOneOf(URGENCIES);
export const isChannelId = isOneOf(CHANNEL_IDS);
export const isCategoryId = isOneOf(CATEGORY_IDS);
