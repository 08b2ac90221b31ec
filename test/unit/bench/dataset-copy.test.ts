// A data set linked into bench/.data (a cache another clone shares) is copied for a run, never run in place:
// fs.cp copies a symbolic link as a link, so the app's writes went to the shared cache.
import { expect } from 'chai';
import { lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DATA_ROOT, datasetDir } from '../../../bench/lib/dataset/catalog.ts';
import { copyDataset } from '../../../bench/lib/dataset/dataset-cache.ts';

describe('bench data set copies', () => {
  it('a linked data set is copied file by file: the run writes to its copy, never to the linked cache', async () => {
    const shared = await mkdtemp(path.join(os.tmpdir(), 'shared-dataset-'));
    await mkdir(path.join(shared, 'db'));
    await writeFile(path.join(shared, 'db', 'snapshot.bson'), 'as built');
    const name = `copy-test-${process.pid}`;
    await mkdir(DATA_ROOT, { recursive: true });
    const link = datasetDir(name);
    await symlink(shared, link);
    try {
      const copy = await copyDataset(name, 'built');
      expect((await lstat(copy.dir)).isSymbolicLink(), 'the copy is a directory of its own').to.equal(false);
      await writeFile(path.join(copy.dir, 'db', 'snapshot.bson'), 'written by the run');
      expect(await readFile(path.join(shared, 'db', 'snapshot.bson'), 'utf8')).to.equal('as built');
      await copy.dispose();
    } finally {
      await rm(link, { force: true });
      await rm(shared, { recursive: true, force: true });
    }
  });
});
