/**
 * Generation alone, no database: `node --import tsx bench/lib/dataset/generate-only.ts issues-1000000`.
 * Runs the generator over a data set's full size and prints its rate (wall and CPU), the issues' BSON size and
 * the state mix, so the generator can be checked at 1,000,000 issues whatever the engine's load rate.
 */
import { BSON } from 'bson';
import { DAY_MS } from '../../../shared/clock.ts';
import { benchConfig } from '../bench-config.ts';
import { DATASET_SEED, parseDatasetName } from './catalog.ts';
import { IssueStream } from './issue-stream.ts';

const ref = parseDatasetName(process.argv[2] ?? 'issues-1000000');
if (ref.kind === 'demo') throw new Error('the demo data set is the demo seed; nothing to generate');
const asOf = benchConfig.asOf
  ? new Date(benchConfig.asOf)
  : new Date(Math.floor(Date.now() / 60_000) * 60_000);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const worldSpec = {
  seed: DATASET_SEED,
  enterpriseCount: ref.enterprises,
  createdAt: new Date(asOf.getTime() - 3 * 365 * DAY_MS),
};
const mode = ref.kind === 'sweep' ? 'sweep' : 'history';
const generator = new IssueStream({ mode, issues: ref.issues, seed: DATASET_SEED, asOf }, worldSpec, {
  workers: benchConfig.genWorkers,
});
let count = 0;
let bytes = 0;
for (let batch = await generator.batch(); batch.length; batch = await generator.batch()) {
  count += batch.length;
  for (let i = 0; i < batch.length; i += 50) bytes += BSON.calculateObjectSize(batch[i]) * 50;
}
const wallS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0); // every thread of this process
const cpuS = (cpu.user + cpu.system) / 1e6;
const { sampleIssueIds: _ids, ...summary } = generator.summary();
await generator.close();
console.log(
  JSON.stringify({
    dataset: ref.name,
    issues: count,
    enterprises: ref.enterprises,
    workers: benchConfig.genWorkers,
    wallS: Number(wallS.toFixed(1)),
    cpuS: Number(cpuS.toFixed(1)),
    issuesPerCpuSecond: Math.round(count / cpuS),
    bsonGB: Number((bytes / 2 ** 30).toFixed(2)),
    rssGB: Number((process.memoryUsage().rss / 2 ** 30).toFixed(2)),
    summary,
  }),
);
