// The embedded database thread's entry point (thread.ts). A worker does not inherit the parent's module
// hooks, so it registers tsx for itself before loading the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./thread-entry.ts');
