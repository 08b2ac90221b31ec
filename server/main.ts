// Process entry point (`npm start`): load config, open the database (embedded when MONGODB_URI is unset) and,
// while it opens, load the rest of the server (serve.ts), which then seeds, serves, runs the jobs and shuts
// down gracefully on SIGTERM/SIGINT. With the embedded database the opening is its recovery, tens of seconds
// at a million issues on its own thread, so loading the modules beside it takes that much off a start.
import { createRunningClock, createSimulatedClock, systemClock } from '../shared/clock.ts';
import { ConfigError, loadConfig, resolveJwtSecret } from './config.ts';
import { connectDatabase } from './db/connect.ts';
import { createLogger } from './logger.ts';

/** Milliseconds each start-up step took, logged with 'server listening' (where a slow start goes). */
function startupPhases() {
  const phases: Record<string, number> = {};
  let last = performance.now();
  return {
    phases,
    mark(name: string) {
      const now = performance.now();
      phases[name] = Math.round(now - last);
      last = now;
    },
  };
}

async function main(): Promise<void> {
  const startup = startupPhases();
  const config = await resolveJwtSecret(loadConfig());
  const logger = createLogger(config.logLevel);
  // DEMO_CLOCK=1: the demo's clock stands still until an admin moves it. DEMO_CLOCK_AT: the app runs as if live
  // from that instant (a benchmark on a data set built then), so the sweep and the KPI rollups move on.
  const simulatedClock = config.demoClockAt
    ? createRunningClock(config.demoClockAt)
    : config.demoClock
      ? createSimulatedClock(systemClock.now())
      : undefined;
  const clock = simulatedClock ?? systemClock;

  const opening = connectDatabase(config, logger, (code) => {
    logger.fatal({ code }, 'the embedded database stopped: stopping the server');
    process.exit(1);
  });
  opening.catch(() => undefined); // awaited below; a failure while the modules load is reported there
  const { serve } = await import('./serve.ts');
  startup.mark('modules');
  const db = await opening;
  startup.mark('database');
  await serve({ config, logger, clock, simulatedClock, db, startup });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error('start-up failed:', err);
  }
  process.exit(1);
});
