/**
 * One application benchmark run at one data set size: build or reuse the data set, copy it, start the real app
 * on the copy, report its start-up time and RSS, hand it to the benchmark, report RSS after the load, stop it
 * and remove the copy. A failure at one size (a build that runs out of time, an app that never answers, an
 * out-of-memory crash) is reported and the benchmark goes on with the next size. Figures that issue 11 wants
 * flat from the demo seed to 1,000,000 issues are collected and compared at the end (`printFlatness`).
 */
import { benchConfig } from '../bench-config.ts';
import { historyDataset, parseSize, sizeLabel, type DatasetManifest, type Size } from '../dataset/catalog.ts';
import { copyDataset, ensureDataset } from '../dataset/dataset-cache.ts';
import { heading, note, report } from '../report.ts';
import { loginAs, startApp, type ChildServer } from './app-process.ts';
import { commandCounter, type CommandCounts } from './db-commands.ts';
import { clockStart, describeSettle, ensureSettled } from './settle.ts';
import { rssBytes, waitForIdle } from './proc-stats.ts';

export const TARGETS = Object.freeze({
  rss: '< 5 GB at 1,000,000',
  startup: '< 30 s at 1,000,000',
  flat: '≤ 2× from demo to 1,000,000',
});

const GB = 2 ** 30;

export interface AppSession {
  size: Size;
  app: ChildServer;
  manifest: DatasetManifest;
  /** A staff JWT for a demo user (password demo1234). */
  login(username: string): Promise<string>;
  /** The embedded database's command counts (for `LoadSpec.commands`). */
  commands(): Promise<CommandCounts>;
}

export const sizes = (): Size[] => benchConfig.issues.map(parseSize);

/**
 * Runs `fn` against the app on a copy of the `size` history data set; reports and swallows failures. The copy is
 * of the settled data set (the app's one-time first-start work done, settle.ts) unless `firstStart` asks for
 * the built one, for the benchmarks that measure that work itself.
 */
export async function withApp(
  title: string,
  size: Size,
  fn: (s: AppSession) => Promise<void>,
  { firstStart = false }: { firstStart?: boolean } = {},
): Promise<void> {
  heading(`${title} — ${sizeLabel(size)} issues`);
  const built = await ensureDataset(historyDataset(size));
  const manifest = built && (firstStart ? built : await ensureSettled(built));
  if (!manifest) return;
  note(firstStart ? "the built data set: this start is the app's first on it" : describeSettle(manifest));
  const copy = await copyDataset(manifest.name, firstStart ? 'built' : 'settled');
  let app: ChildServer | undefined;
  const counter = commandCounter(copy.dir);
  try {
    note(
      `data set ${manifest.name}: ${manifest.issues.toLocaleString('en-US')} issues, ${manifest.enterprises.toLocaleString('en-US')} enterprises, as of ${manifest.asOf}`,
    );
    app = await startApp(copy.dir, clockStart(manifest));
    report({
      name: 'app start-up (spawn → /healthz 200)',
      value: app.startMs / 1000,
      unit: 's',
      target: TARGETS.startup,
    });
    recordFlat(`${title}: start-up s`, size, app.startMs / 1000);
    const settle = await waitForIdle(app.pid, 300_000);
    note(
      `start-up work after the first /healthz (sweep catch-up, checkpoint) took ${(settle / 1000).toFixed(1)} s to go quiet`,
    );
    report({
      name: 'app RSS after start-up',
      value: rssBytes(app.pid) / GB,
      unit: 'GB',
      target: TARGETS.rss,
    });
    const session: AppSession = {
      size,
      app,
      manifest,
      login: (u) => loginAs(app!, u),
      commands: () => counter.counts(),
    };
    await fn(session);
    report({
      name: 'app RSS after the loads',
      value: rssBytes(app.pid) / GB,
      unit: 'GB',
      target: TARGETS.rss,
    });
  } catch (err) {
    note(`!! ${title} at ${sizeLabel(size)} FAILED: ${(err as Error).message}`);
    if (app) note(`!! app output: ${app.output().slice(-800).replace(/\s+/g, ' ')}`);
  } finally {
    await counter.close().catch(() => undefined);
    if (app) note(`app shutdown took ${((await app.stop()) / 1000).toFixed(1)} s`);
    await copy.dispose();
  }
}

type FlatRow = Map<Size, number>;
const flat = new Map<string, FlatRow>();

/** Remembers a figure per size for the flatness comparison (lower is better: ms, CPU, s; NaN: none completed). */
export function recordFlat(key: string, size: Size, value: number): void {
  const row = flat.get(key) ?? new Map<Size, number>();
  row.set(size, value);
  flat.set(key, row);
}

/** Each recorded figure at every size, and the largest size's over the demo's. */
export function printFlatness(): void {
  if (!flat.size) return;
  heading(`flatness: each figure at every size, and the largest size over the demo (target ${TARGETS.flat})`);
  for (const [key, row] of flat) {
    const cells = [...row].map(
      ([size, v]) =>
        `${sizeLabel(size)}: ${Number.isNaN(v) ? 'none completed' : v.toFixed(v >= 100 ? 0 : 2)}`,
    );
    const demo = row.get('demo');
    const largest = [...row.keys()].filter((s) => s !== 'demo').pop();
    const ratio =
      demo && largest !== undefined
        ? ` | ${sizeLabel(largest)}/demo ${(row.get(largest)! / demo).toFixed(2)}×`
        : '';
    note(`${key.padEnd(48)} ${cells.join('  ')}${ratio}`);
  }
}
