/**
 * `npm run bench [-- name…]`: runs every bench/*.bench.ts (or those whose name contains an argument) one after
 * another, each in its own process so one benchmark's heap and servers cannot skew the next.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

console.log(`benchmarks: ${files.join(', ')}  (BENCH_DOCS=${process.env.BENCH_DOCS ?? 'default'})`);
let failures = 0;
for (const file of files) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: benchDir, stdio: 'inherit' });
  if (result.status !== 0) {
    failures++;
    console.log(`!! ${file} exited with ${result.status ?? result.signal}`);
  }
}
process.exitCode = failures > 0 ? 1 : 0;
