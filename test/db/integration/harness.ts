/**
 * Starts an in-memory embedded server for an integration suite, with a clock the test can move (for TTL and
 * the cursor timeout) and the maintenance timer off so the test drives the sweep itself.
 */
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import pino from 'pino';
import { startEmbeddedServer, type EmbeddedServer } from '../../../server/db/embedded/server.ts';

export interface Harness {
  server: EmbeddedServer;
  client: MongoClient;
  /** Commands the driver sent, by name, since the last `resetCommands()`. */
  commands: CommandStartedEvent[];
  resetCommands(): void;
  clock: { now: Date; advance(ms: number): void };
  stop(): Promise<void>;
}

export async function startHarness(opts: { cursorBatchMs?: number } = {}): Promise<Harness> {
  const clock = {
    now: new Date('2026-06-01T00:00:00Z'),
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  const server = await startEmbeddedServer({
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
    maintenanceIntervalMs: 0,
    cursorBatchMs: opts.cursorBatchMs,
  });
  const client = new MongoClient(server.uri, { monitorCommands: true, serverSelectionTimeoutMS: 3000 });
  const commands: CommandStartedEvent[] = [];
  client.on('commandStarted', (e) => commands.push(e));
  await client.connect();
  return {
    server,
    client,
    commands,
    resetCommands: () => void commands.splice(0),
    clock,
    async stop() {
      await client.close();
      await server.close();
    },
  };
}
