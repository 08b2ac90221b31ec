// Entry of the training worker (trainer.ts). A worker does not inherit the parent's module hooks, so it
// registers tsx for itself before loading the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./training.worker.ts');
