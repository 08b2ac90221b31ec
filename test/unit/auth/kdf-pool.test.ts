// Finding 2: the password KDF runs in threads of its own, not on libuv's pool, which the file system (and so
// the database journal) needs; the work in flight and the queue behind it are bounded.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKdfPool } from '../../../server/auth/kdf-pool.ts';
import { DEFAULT_SCRYPT, verifyPassword, hashPassword } from '../../../server/auth/password.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function fileOpLatency(): Promise<number> {
  const started = performance.now();
  await stat(import.meta.filename);
  return performance.now() - started;
}

describe('password KDF: off the libuv pool, bounded', function () {
  this.timeout(60_000);

  it('file I/O stays fast while a flood of logins is being verified', async () => {
    const stored = await hashPassword('correct horse', DEFAULT_SCRYPT);
    const oneStarted = performance.now();
    await verifyPassword('wrong', stored);
    const oneKdf = performance.now() - oneStarted;

    // A steady flood: always more verifications pending than libuv has threads (4). On its pool, every file
    // operation would queue behind them.
    let left = 16;
    const worker = async () => {
      // On a host slower than this flood, the pool refuses what waited past its bound (503 busy): by design.
      while (left-- > 0)
        await verifyPassword('wrong', stored).catch((err: { code?: string }) => {
          if (err.code !== 'busy') throw err;
        });
    };
    const flood = Promise.all(Array.from({ length: 8 }, worker));
    const latencies: number[] = [];
    for (let i = 0; i < 5; i += 1) latencies.push(await fileOpLatency());
    await flood;
    expect(median(latencies)).to.be.below(oneKdf / 2);
  });

  it('refuses a derivation that waited too long for a thread with 503 busy, promptly', async () => {
    // Two threads' worth of work queued behind one thread, on a budget of one derivation's time: the job
    // that gets a thread in time is done, the one that would wait longer is refused at its deadline rather
    // than answered late (a host slower than the flood must not turn a login into a minute's wait).
    const pool = createKdfPool({ threads: 1, maxQueued: 10, maxWaitMs: 40 });
    try {
      const params = { N: 65536, r: 8, p: 1, maxmem: 128 * 1024 * 1024 };
      const started = performance.now();
      const settle = (p: Promise<Buffer>) =>
        p.then(
          () => ({ ok: true as const, at: performance.now() - started }),
          (err: { code?: string; status?: number }) => ({
            ok: false as const,
            err,
            at: performance.now() - started,
          }),
        );
      const running = settle(pool.derive('pw', randomBytes(16), 64, params));
      const waiting = [1, 2, 3].map(() => settle(pool.derive('pw', randomBytes(16), 64, params)));
      const refused = await Promise.all(waiting);
      const done = await running;
      expect(done.ok).to.equal(true);
      for (const r of refused) {
        expect(r.ok).to.equal(false);
        if (!r.ok) expect(r.err).to.include({ code: 'busy', status: 503 });
        // Refused at the deadline, not after the running derivation (let alone the others) finished.
        expect(r.at).to.be.below(done.at);
      }
      expect(pool.load()).to.deep.equal({ running: 0, queued: 0 });
    } finally {
      await pool.close();
    }
  });

  it('an idle pool does not keep a process alive (a script that hashed a password exits)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kdf-exit-'));
    const script = path.join(dir, 'hash-once.mjs');
    const passwordModule = new URL('../../../server/auth/password.ts', import.meta.url).href;
    await writeFile(
      script,
      `const m = await import(${JSON.stringify(passwordModule)}); await m.hashPassword('x');`,
    );
    try {
      const code = await new Promise<number | string | null>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', script], { timeout: 30_000 }, (err) =>
          resolve(err ? ((err as { code?: number }).code ?? (err as { signal?: string }).signal ?? null) : 0),
        );
      });
      expect(code).to.equal(0); // before: killed by the timeout (SIGTERM), the worker's port held it open
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a new hash (seeding, setting a password) waits past the login bound instead of failing', async () => {
    // The same queue as above, but the waiting jobs write hashes: they wait as long as it takes.
    const pool = createKdfPool({ threads: 1, maxQueued: 10, maxWaitMs: 40 });
    try {
      const params = { N: 65536, r: 8, p: 1, maxmem: 128 * 1024 * 1024 };
      const keys = await Promise.all(
        [0, 1, 2].map(() => pool.derive('pw', randomBytes(16), 64, params, Infinity)),
      );
      expect(keys.map((k) => k.length)).to.deep.equal([64, 64, 64]);
    } finally {
      await pool.close();
    }
  });

  it('refuses work past the queue bound with 503 busy, and finishes what it accepted', async () => {
    const pool = createKdfPool({ threads: 1, maxQueued: 2, maxWaitMs: 60_000 });
    try {
      const params = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
      const jobs = Array.from({ length: 5 }, () =>
        pool.derive('pw', randomBytes(16), 64, params).then(
          (key) => ({ ok: true as const, key }),
          (err: { code?: string; status?: number }) => ({ ok: false as const, err }),
        ),
      );
      expect(pool.load()).to.deep.equal({ running: 1, queued: 2 });
      const results = await Promise.all(jobs);
      expect(results.filter((r) => r.ok)).to.have.length(3);
      const refused = results.filter((r) => !r.ok);
      expect(refused).to.have.length(2);
      for (const r of refused) expect(r.err).to.include({ code: 'busy', status: 503 });
      expect(pool.load()).to.deep.equal({ running: 0, queued: 0 });
    } finally {
      await pool.close();
    }
  });
});
