// Entry point for the pure access policies.
export * from './issue.policy.ts';
export * from './admin.policy.ts';
export * from './screens.policy.ts';
