/**
 * One server per dbpath: a second opener fails loudly while the first holds the directory, and a lock left
 * behind by a killed server does not block the restart.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDiskPersistence } from '../../../server/db/embedded/storage/index.ts';
import { withTempDir } from './helpers.ts';

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('storage dbpath lock', () => {
  it('refuses a second server on the same dbpath until the first closes', () =>
    withTempDir(async (dir) => {
      const first = await createDiskPersistence(dir);
      const error = await createDiskPersistence(dir).catch((e: Error) => e.message);
      expect(error).to.match(new RegExp(`in use by process ${process.pid}`));
      await first.close();
      expect(await readdir(dir)).not.to.include('mongod.lock');
      const second = await createDiskPersistence(dir);
      await second.close();
    }));

  it('refuses a dbpath held by another live process (a second app on the same DATA_DIR)', () =>
    withTempDir(async (dir) => {
      const other = spawn(process.execPath, ['-e', 'setTimeout(() => undefined, 60_000)']);
      try {
        await new Promise((resolve) => other.once('spawn', resolve));
        await writeFile(join(dir, 'mongod.lock'), `${other.pid}\n`);
        const error = await createDiskPersistence(dir).catch((e: Error) => e.message);
        expect(error).to.match(new RegExp(`in use by process ${other.pid}`));
      } finally {
        other.kill();
      }
    }));

  it('takes over a lock left by a process that no longer exists', () =>
    withTempDir(async (dir) => {
      await writeFile(join(dir, 'mongod.lock'), `${await deadPid()}\n`);
      const storage = await createDiskPersistence(dir);
      await storage.recover(() => undefined);
      await storage.close();
    }));
});
