// A separate server process's sweeper, for the multi-process test: connects to the given database, runs a few
// escalation passes at the given instant (at once), and prints a JSON summary of what it fired.
//   node --import tsx test/jobs/sweep-process.ts <mongodb uri> <db name> <ISO instant> <passes>
// Importing the module (mocha loading the folder) runs nothing.
import { pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { createSimulatedClock } from '../../shared/clock.ts';
import { createWorkCalendar } from '../../shared/calendar.ts';
import { DEFAULT_TIME_LIMIT_POLICY } from '../../config/time-limits.ts';
import { runEscalationSweep } from '../../server/jobs/escalation-sweep.job.ts';
import { createModels } from '../../server/models/index.ts';

async function main([uri, dbName, instant, passes = '3']: string[]): Promise<void> {
  const conn = await mongoose.createConnection(uri, { dbName }).asPromise();
  const clock = createSimulatedClock(new Date(instant));
  const options = {
    models: createModels(conn, clock),
    clock,
    calendar: createWorkCalendar(),
    policy: DEFAULT_TIME_LIMIT_POLICY,
    logger: pino({ level: 'silent' }),
  };
  const reports = await Promise.all(
    Array.from({ length: Number(passes) }, (_, i) =>
      runEscalationSweep({ ...options, owner: `process-${process.pid}-${i}` }),
    ),
  );
  const fired = reports.flatMap((r) => r.fired.map((f) => `${f.issueId}:${f.step}`));
  process.stdout.write(JSON.stringify({ pid: process.pid, fired }) + '\n');
  await conn.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
