// The one test for MongoDB's duplicate-key error (E11000), which both the real server and the embedded one
// answer when a unique index refuses a write; commands use it to turn a race into its answer.
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
