// The password KDF (scrypt) runs here, in worker threads of its own, never on libuv's small thread pool. That
// pool (4 threads) also serves the file system, and so the embedded database's journal writes and fsyncs: a
// few dozen logins a second, each tying up a pool thread for ~100 ms, made every write wait (median write
// latency 21 ms -> 1.2 s). Here the KDF work in flight is bounded by the worker count and the queue behind it
// by MAX_QUEUED; past that a login answers 503 "busy" at once instead of piling up memory and latency. The wait
// is bounded too (MAX_WAIT_MS): when the machine is slower than the flood (a busy host makes each derivation
// several times dearer), a login that has queued that long is refused with 503 rather than answered after a
// minute, so every login is answered promptly, one way or the other, and a queue never outlives a flood.
// Writing a new hash (seeding, an admin setting a password or a PIN) may wait longer: nothing retries it.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.ts';

export interface KdfParams {
  N: number;
  r: number;
  p: number;
  maxmem: number;
}

export interface KdfPoolOptions {
  threads: number;
  /** Derivations allowed to wait for a thread; more are refused with 503 `busy`. */
  maxQueued: number;
  /** A derivation still waiting for a thread after this long is refused with 503 `busy`. */
  maxWaitMs: number;
}

export interface KdfPool {
  /** `maxWaitMs` overrides the pool's bound on the wait for a thread (Infinity: wait as long as it takes). */
  derive(
    plain: string,
    salt: Buffer,
    keyLength: number,
    params: KdfParams,
    maxWaitMs?: number,
  ): Promise<Buffer>;
  /** Derivations running now and waiting (tests, diagnostics). */
  load(): { running: number; queued: number };
  close(): Promise<void>;
}

// Plain CommonJS, evaluated in the worker: no TypeScript loader needed there.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
parentPort.on('message', ({ id, plain, salt, keyLength, params }) => {
  try {
    const key = scryptSync(plain, Buffer.from(salt), keyLength, params);
    parentPort.postMessage({ id, key });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
`;

interface Job {
  id: number;
  plain: string;
  salt: Buffer;
  keyLength: number;
  params: KdfParams;
  resolve: (key: Buffer) => void;
  reject: (err: Error) => void;
  /** Refuses the job if it is still queued when it fires (none when the job may wait indefinitely). */
  expiry?: NodeJS.Timeout;
}

const busy = () => new AppError('busy', 503, '系统繁忙，请稍后再试');

interface Slot {
  worker: Worker;
  job: Job | null;
}

export function createKdfPool(options: KdfPoolOptions): KdfPool {
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextId = 1;

  const startSlot = (): Slot => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const slot: Slot = { worker, job: null };
    worker.on('message', (m: { id: number; key?: Uint8Array; error?: string }) => {
      const job = slot.job;
      slot.job = null;
      worker.unref();
      if (job && job.id === m.id) {
        if (m.key) job.resolve(Buffer.from(m.key.buffer, m.key.byteOffset, m.key.byteLength));
        else job.reject(new Error(m.error ?? 'scrypt failed'));
      }
      pump();
    });
    worker.on('error', (err) => {
      slot.job?.reject(err);
      slot.job = null;
      slots.splice(slots.indexOf(slot), 1);
      pump();
    });
    // An idle thread never keeps the process alive, a busy one does (pump/idle). Unref'd after the listeners:
    // adding a 'message' listener refs the worker's port again (scripts that hashed a password never exited).
    worker.unref();
    slots.push(slot);
    return slot;
  };

  /** A job that waited too long for a thread: refused, unless a thread took it meanwhile. */
  function expire(job: Job): void {
    const at = queue.indexOf(job);
    if (at < 0) return;
    queue.splice(at, 1);
    job.reject(busy());
  }

  function pump(): void {
    while (queue.length) {
      let slot = slots.find((s) => !s.job);
      if (!slot && slots.length < options.threads) slot = startSlot();
      if (!slot) return;
      const job = queue.shift()!;
      clearTimeout(job.expiry);
      slot.job = job;
      slot.worker.ref();
      const { id, plain, salt, keyLength, params } = job;
      slot.worker.postMessage({ id, plain, salt, keyLength, params });
    }
  }

  return {
    derive(plain, salt, keyLength, params, maxWaitMs = options.maxWaitMs) {
      const running = slots.filter((s) => s.job).length;
      if (running >= options.threads && queue.length >= options.maxQueued) return Promise.reject(busy());
      return new Promise<Buffer>((resolve, reject) => {
        const expiry = Number.isFinite(maxWaitMs)
          ? setTimeout(() => expire(job), maxWaitMs).unref()
          : undefined;
        const job: Job = { id: nextId++, plain, salt, keyLength, params, resolve, reject, expiry };
        queue.push(job);
        pump();
      });
    },
    load() {
      return { running: slots.filter((s) => s.job).length, queued: queue.length };
    },
    async close() {
      for (const job of queue.splice(0)) {
        clearTimeout(job.expiry);
        job.reject(busy());
      }
      await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
    },
  };
}

/** Leaves a core for the event loop and one for the embedded database; at least one KDF thread. */
export const DEFAULT_KDF_THREADS = Math.max(1, Math.min(4, availableParallelism() - 2));
export const MAX_QUEUED = 64;
/** A login waits at most this long for a KDF thread (then 503): a person retries; a queue would only grow. */
export const MAX_WAIT_MS = 5_000;

let shared: KdfPool | undefined;

/** The process's KDF pool, started on first use. */
export function kdfPool(): KdfPool {
  shared ??= createKdfPool({ threads: DEFAULT_KDF_THREADS, maxQueued: MAX_QUEUED, maxWaitMs: MAX_WAIT_MS });
  return shared;
}
