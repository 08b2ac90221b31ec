/**
 * Runs the embedded server in a worker thread of the application's process. The database then has a core
 * (and a garbage collector) of its own: its work no longer queues behind the app's requests on one event
 * loop, and the app's heap stays small while the database holds its data. The app still reaches it over
 * the wire protocol, through an owner-only Unix socket, exactly as it reaches a real MongoDB.
 *
 * The thread dies with the process (kill -9 included; the journal makes that safe). If the thread stops on
 * its own (a journal failure, a crash), `onExit` hears it, and the caller should stop the process.
 */
import { Worker } from 'node:worker_threads';

export interface ThreadOptions {
  dbpath?: string;
  socketPath?: string;
  port?: number;
  host?: string;
  logLevel: string;
  /** The thread's old-generation heap limit in MiB (documents live outside the heap). */
  heapMb?: number;
  /** The thread's young generation in MiB (DEFAULT_DB_YOUNG_GENERATION_MB when not given). */
  youngMb?: number;
}

/**
 * The database thread's young generation: 192 MiB (V8's default is 48). Every scavenge costs about 5 ms per
 * GiB of old generation whatever it collects (measured in V8 11.3: 0.7 ms at an empty heap, 6 ms at 1.1 GiB and
 * 11-14 ms at 2.3 GiB of small objects, for the same garbage), and when this was chosen the thread's old
 * generation held about 1.8 GiB of index entries at 1,000,000 issues; a young generation four times the default
 * made a quarter of the scavenges. bench/LOG.md "The database thread's young generation" has the figures. The
 * entries live outside the heap now (171 MB of live objects after start-up), so the reason is weaker; 48 MiB
 * left the RSS after the list's loads where it was ("…at 48 MiB: not the lever…"), and its CPU cost against 192
 * has not been measured again.
 */
export const DEFAULT_DB_YOUNG_GENERATION_MB = 192;

export type ThreadReply =
  | { uri: string; port: number | undefined; socketPath: string | undefined; tcpUri: string | undefined }
  | { closed: true }
  | { error: string };

export interface EmbeddedThread {
  uri: string;
  port: number | undefined;
  socketPath: string | undefined;
  tcpUri: string | undefined;
  /** The heap limits the thread runs with, in MiB, as V8 reports them (Node's defaults where none was given). */
  heapLimits: { youngMb: number; oldMb: number };
  close(): Promise<void>;
}

export function startEmbeddedThread(
  options: ThreadOptions,
  onExit: (code: number) => void,
): Promise<EmbeddedThread> {
  const worker = new Worker(new URL('./thread-boot.mjs', import.meta.url), {
    workerData: options,
    resourceLimits: {
      maxYoungGenerationSizeMb: options.youngMb ?? DEFAULT_DB_YOUNG_GENERATION_MB,
      ...(options.heapMb ? { maxOldGenerationSizeMb: options.heapMb } : {}),
    },
  });
  let started = false;
  let closing = false;
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      reject(err);
      void worker.terminate();
    };
    worker.once('error', fail);
    worker.on('exit', (code) => {
      // Before it started, the start-up error says it all; after, only an exit nobody asked for matters.
      if (!started) reject(new Error(`embedded database thread stopped with status ${code}`));
      else if (!closing) onExit(code);
    });
    worker.once('message', (message: ThreadReply) => {
      if ('error' in message) return fail(new Error(`embedded database failed to start: ${message.error}`));
      if (!('uri' in message)) return fail(new Error('embedded database thread answered out of turn'));
      started = true;
      resolve({
        uri: message.uri,
        port: message.port,
        socketPath: message.socketPath,
        tcpUri: message.tcpUri,
        heapLimits: {
          youngMb: worker.resourceLimits?.maxYoungGenerationSizeMb ?? 0,
          oldMb: worker.resourceLimits?.maxOldGenerationSizeMb ?? 0,
        },
        close: () => {
          closing = true;
          return new Promise<void>((done, failClose) => {
            worker.once('message', (m: ThreadReply) => {
              void worker.terminate();
              if ('error' in m) failClose(new Error(m.error));
              else done();
            });
            worker.postMessage('close');
          });
        },
      });
    });
  });
}
