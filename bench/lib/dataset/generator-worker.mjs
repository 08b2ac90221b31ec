// Worker entry: Node 20 does not apply the tsx loader hooks inside worker threads, so load the TypeScript
// worker through tsx's API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./generator-worker.ts', import.meta.url);
