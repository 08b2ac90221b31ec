// The issue state machine of DESIGN §3, one import for commands, policies and the web: the action vocabulary
// and roles, the transition table, the issue/timeline shapes and the pure `applyAction`.

export * from './lifecycle/actions.ts';
export * from './lifecycle/errors.ts';
export * from './lifecycle/issue-core.ts';
export * from './lifecycle/transitions.ts';
export { applyAction, canApply, mayActorPerform, refreshIssue } from './lifecycle/apply.ts';
