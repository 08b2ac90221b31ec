/**
 * One server per dbpath. Two servers appending to the same journal would interleave records and destroy the
 * data, so opening a directory someone else holds fails loudly.
 *
 * The lock is a file holding the owner's pid. After kill -9 the file stays behind; it is taken over only when
 * no process with that pid is alive. (Node has no flock; a pid reused by an unrelated process after a crash
 * makes the lock look held, which errs on the safe side: the operator removes the file.)
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCK_FILE } from './files.ts';

export interface DirLock {
  release(): Promise<void>;
}

export async function acquireDirLock(dir: string): Promise<DirLock> {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.sync();
      await handle.close();
      return { release: () => unlink(path).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(path);
    if (holder !== undefined && isAlive(holder)) {
      throw new Error(
        `dbpath ${dir} is in use by process ${holder} (${path}); ` +
          'stop that server first, or delete the lock file if no server is running',
      );
    }
    await unlink(path).catch(() => undefined);
  }
  throw new Error(`could not take the lock ${path}: another server is starting on the same dbpath`);
}

async function readHolder(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
