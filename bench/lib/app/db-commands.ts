/**
 * The app's database round trips, counted from outside the app: the embedded server's own command counts
 * (`serverStatus.metrics.commands`, as mongod reports them) read over its Unix socket before and after a load.
 * A request's cost at this machine's scale is mostly per command (driver, socket write on both sides, a journal
 * write for each write command), so commands per request is the figure that says whether batching works.
 */
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { EMBEDDED_SOCKET_FILE } from '../../../server/db/connect.ts';

/** Commands the counting itself (and the driver's monitoring of its own connection) sends. */
const OWN = new Set(['serverstatus', 'hello', 'ismaster', 'endsessions', 'ping']);

export type CommandCounts = Record<string, number>;

export interface CommandCounter {
  counts(): Promise<CommandCounts>;
  close(): Promise<void>;
}

/** Reads the command counts of the embedded server that keeps its data in `dataDir` (the app's DATA_DIR). */
export function commandCounter(dataDir: string): CommandCounter {
  const socket = encodeURIComponent(path.join(dataDir, EMBEDDED_SOCKET_FILE));
  let client: Promise<MongoClient> | undefined;
  return {
    async counts() {
      client ??= new MongoClient(`mongodb://${socket}`, {
        directConnection: true,
        maxPoolSize: 1,
        serverSelectionTimeoutMS: 5_000,
      }).connect();
      const status = await (await client).db('admin').command({ serverStatus: 1 });
      const byName = (status.metrics?.commands ?? {}) as Record<string, { total: number }>;
      return Object.fromEntries(Object.entries(byName).map(([name, c]) => [name, c.total]));
    },
    async close() {
      await (await client)?.close();
    },
  };
}

/** The app's commands between two readings, per request, by name (the counter's own left out). */
export function perRequest(before: CommandCounts, after: CommandCounts, requests: number): CommandCounts {
  const out: CommandCounts = {};
  for (const [name, total] of Object.entries(after)) {
    const n = total - (before[name] ?? 0);
    if (n > 0 && !OWN.has(name)) out[name] = n / Math.max(requests, 1);
  }
  return out;
}

/** "5.91 (find 2.30, insert 2.10, …)": the total per request, then each command, most frequent first. */
export function describeCommands(per: CommandCounts): string {
  const rows = Object.entries(per).sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  return `${total.toFixed(2)} (${rows.map(([name, n]) => `${name} ${n.toFixed(2)}`).join(', ')})`;
}
