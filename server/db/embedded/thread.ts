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
}

export type ThreadReply =
  | { uri: string; port: number | undefined; socketPath: string | undefined; tcpUri: string | undefined }
  | { closed: true }
  | { error: string };

export interface EmbeddedThread {
  uri: string;
  port: number | undefined;
  socketPath: string | undefined;
  tcpUri: string | undefined;
  close(): Promise<void>;
}

export function startEmbeddedThread(
  options: ThreadOptions,
  onExit: (code: number) => void,
): Promise<EmbeddedThread> {
  const worker = new Worker(new URL('./thread-boot.mjs', import.meta.url), {
    workerData: options,
    resourceLimits: options.heapMb ? { maxOldGenerationSizeMb: options.heapMb } : undefined,
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
