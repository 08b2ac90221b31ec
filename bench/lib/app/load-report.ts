/**
 * The four figures of one HTTP load beside the same figures of its baseline, measured in the same run: rate,
 * p50, p99 and server CPU per request, with the issue's targets where it sets them; failed requests are
 * called out rather than hidden in the rate.
 */
import { describeCommands } from './db-commands.ts';
import { note, report } from '../report.ts';
import type { LoadResult } from './http-load.ts';

export interface LoadTargets {
  rate?: string;
  p50?: string;
  p99?: string;
}

export function reportLoad(
  label: string,
  r: LoadResult,
  baseline: { name: string; result: LoadResult },
  targets: LoadTargets = {},
): void {
  type Figure = 'rps' | 'p50' | 'p99' | 'cpuMsPerRequest';
  const rows: Array<[string, Figure, string, string | undefined]> = [
    ['rate', 'rps', 'req/s', targets.rate],
    ['p50', 'p50', 'ms', targets.p50],
    ['p99', 'p99', 'ms', targets.p99],
    ['CPU/request', 'cpuMsPerRequest', 'ms', undefined],
  ];
  for (const [what, key, unit, target] of rows) {
    // With nothing completed autocannon's percentiles are 0: say so instead of printing a flattering 0 ms.
    if ((key === 'p50' || key === 'p99') && r.completed === 0) {
      note(
        `${label} ${what}: no request completed in the load (${r.sent} sent)${target ? ` | target ${target}` : ''}`,
      );
      continue;
    }
    const baselineName = key === 'p50' || key === 'p99' ? `${baseline.name} ${key}` : baseline.name;
    report({
      name: `${label} ${what}`,
      value: r[key],
      unit,
      baseline: { name: baselineName, value: baseline.result[key] },
      target,
    });
  }
  if (r.errors || r.non2xx) note(`!! ${label}: ${r.errors} errors, ${r.non2xx} non-2xx of ${r.sent} sent`);
  if (r.commandsPerRequest)
    note(`${label}: database commands per request ${describeCommands(r.commandsPerRequest)}`);
}
