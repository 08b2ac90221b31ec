// Batch export of plaques: one multi-page PDF for every enterprise of a region, a unit or a search, generated in
// the background page by page into a temp file (never held in memory), with progress, cancellation and a
// download once done. Jobs live in the process that runs them (the file is on its disk) and are forgotten,
// file and all, an hour after they end; the status answer says which process to ask only implicitly, so
// behind a load balancer pin these endpoints to one instance (sticky sessions) or run one app process.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import type { Actor } from '../../shared/roles.ts';
import { enterpriseListFilter } from '../enterprises/enterprise-list.query.ts';
import { conflict, notFound, tooMany } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { EnterpriseDoc, Models } from '../models/index.ts';
import { PLAQUE_FIELDS, plaqueContentOf, type PlaqueContent } from './plaque-content.ts';
import { writePlaquesPdf } from './plaque.pdf.ts';

export type ExportStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface PlaqueExportFilter {
  region?: string;
  unitId?: string;
  q?: string;
}

interface ExportJob {
  id: string;
  ownerId: string;
  status: ExportStatus;
  total: number;
  done: number;
  file: string;
  cancel: boolean;
}

export const MAX_RUNNING_EXPORTS = 2;
export const EXPORT_RETENTION_MS = 60 * 60 * 1000;

export interface PlaqueExportDeps {
  models: Models;
  publicBaseUrl: string;
  logger: Logger;
  /** Where the PDFs are written (default: a folder under the OS temp dir). */
  dir?: string;
}

export type PlaqueExports = ReturnType<typeof createPlaqueExports>;

export function createPlaqueExports(deps: PlaqueExportDeps) {
  const jobs = new Map<string, ExportJob>();
  const dir = deps.dir ?? path.join(tmpdir(), `eil-plaques-${process.pid}`);

  async function enterpriseFilter(f: PlaqueExportFilter): Promise<Record<string, unknown>> {
    // The desks that export plaques (canManageEnterpriseCodes) read the mobile, so find by it as in the directory.
    const base = enterpriseListFilter({ q: f.q, region: f.region, byMobile: true, limit: 1 });
    if (!f.unitId) return base;
    // A unit's enterprises: those whose issues it handles (read on the unit's issue index).
    const ids = await deps.models.Issue.distinct('enterpriseId', { unitId: new Types.ObjectId(f.unitId) });
    return { $and: [base, { _id: { $in: ids } }] };
  }

  const forget = (job: ExportJob) => {
    setTimeout(() => {
      jobs.delete(job.id);
      void rm(job.file, { force: true });
    }, EXPORT_RETENTION_MS).unref();
  };

  async function run(job: ExportJob, filter: Record<string, unknown>): Promise<void> {
    const cursor = deps.models.Enterprise.find(filter, PLAQUE_FIELDS)
      .sort({ name: 1, _id: 1 })
      .lean<EnterpriseDoc[]>()
      .cursor();
    async function* plaques(): AsyncGenerator<PlaqueContent> {
      for await (const e of cursor) yield plaqueContentOf(e as EnterpriseDoc, deps.publicBaseUrl);
    }
    try {
      const completed = await writePlaquesPdf(plaques(), createWriteStream(job.file), {
        onPage: (done) => {
          job.done = done;
          return !job.cancel;
        },
      });
      job.status = completed ? 'done' : 'cancelled';
    } catch (err) {
      job.status = 'failed';
      deps.logger.error({ err, job: job.id }, 'plaque export failed');
    } finally {
      await cursor.close().catch(() => undefined);
      if (job.status !== 'done') await rm(job.file, { force: true });
      forget(job);
    }
  }

  /** The job if it exists and the actor may see it (its creator, or an admin); 404 otherwise. */
  function visible(id: string, actor: Actor): ExportJob {
    const job = jobs.get(id);
    if (!job || (job.ownerId !== actor.id && actor.role !== 'admin'))
      throw notFound('导出任务不存在或已过期');
    return job;
  }

  return {
    async start(actor: Actor, f: PlaqueExportFilter) {
      const running = [...jobs.values()].filter((j) => j.status === 'running').length;
      if (running >= MAX_RUNNING_EXPORTS) throw tooMany('已有导出任务在进行，请稍后再试');
      const filter = await enterpriseFilter(f);
      const total = await deps.models.Enterprise.countDocuments(filter);
      await mkdir(dir, { recursive: true });
      const id = randomBytes(12).toString('hex');
      const job: ExportJob = {
        id,
        ownerId: actor.id,
        status: 'running',
        total,
        done: 0,
        file: path.join(dir, `${id}.pdf`),
        cancel: false,
      };
      jobs.set(id, job);
      void run(job, filter);
      return { id, total };
    },
    status(id: string, actor: Actor) {
      const { status, total, done } = visible(id, actor);
      return { id, status, total, done };
    },
    /** The finished file's path; 409 while it is still being written. */
    file(id: string, actor: Actor): string {
      const job = visible(id, actor);
      if (job.status !== 'done') throw conflict('导出尚未完成', 'not_ready');
      return job.file;
    },
    cancel(id: string, actor: Actor): void {
      const job = visible(id, actor);
      job.cancel = true;
      if (job.status !== 'running') {
        jobs.delete(id);
        void rm(job.file, { force: true });
      }
    },
  };
}
