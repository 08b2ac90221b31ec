// /api/class-problems (issue 7 §3): clustering on demand, the candidate clusters, promotion, members by hand,
// 政策性解决 and the centre's verification, the list with its monthly report (JSON and Excel), one class
// problem. Thin: validate, authorise with the pure policies, call one command or query, present. The lead and
// co-units' handlers and heads read their unit's classes (GET / and GET /:id) and nothing else.
import { Router } from 'express';
import type { Actor } from '../../shared/roles.ts';
import { requirePolicy } from '../auth/staff.middleware.ts';
import { cachedSettings, type IssueCommandDeps } from '../commands/issue-deps.ts';
import { forbidden, notFound } from '../errors.ts';
import type { AppContext } from '../http/app-context.ts';
import { actorOf } from '../http/request-context.ts';
import { pathId } from '../http/validate.ts';
import {
  canManageClassProblems,
  canOpenClassProblems,
  canReadClassProblem,
  canRunClustering,
  canVerifyClassReplies,
  isClassUnitStaff,
} from './class-problem.policy.ts';
import {
  addMembers,
  loadClassProblem,
  promoteCluster,
  removeMember,
  resolveClass,
  verifyClassReplies,
  type ResolveResult,
} from './class-problem.commands.ts';
import { candidateDetail, listCandidates } from './class-candidate.query.ts';
import { classProblemDetail, listClassProblems, unitClassesFilter } from './class-problem.query.ts';
import { writeClassReport } from './class-report.export.ts';
import {
  candidatesQuery,
  listQuery,
  membersBody,
  removeMemberBody,
  promoteBody,
  resolveBody,
} from './class-problems.schema.ts';
import { classUnitNotice } from './class-unit.notice.ts';
import { clusterRunnerFor } from './cluster.job.ts';

export function createClassProblemsRouter(ctx: AppContext): Router {
  const router = Router();
  const now = () => ctx.clock.now();
  const deps: IssueCommandDeps = {
    models: ctx.models,
    clock: ctx.clock,
    settings: cachedSettings(ctx.intakeConfig),
    onChange: ctx.onIssueChange,
  };
  const runner = clusterRunnerFor({ models: ctx.models, clock: ctx.clock, logger: ctx.logger });
  const detail = async (id: string, viewer: Actor) =>
    classProblemDetail(ctx.models, await loadClassProblem(deps, id), now(), viewer);
  const outcome = async (r: ResolveResult, viewer: Actor) => ({
    classProblem: await detail(String(r.classProblem._id), viewer),
    members: r.members,
  });

  // Handlers and unit heads: the classes their unit leads or co-handles, to read; another class is a 404 (as an
  // issue they cannot see), any other request a 403.
  const unitReads = Router();
  unitReads.get('/', async (req, res) => {
    const { month } = listQuery.parse(req.query);
    const unitId = actorOf(req).unitId;
    res.json(
      await listClassProblems(ctx.models, now(), month, unitId ? unitClassesFilter(unitId) : { _id: null }),
    );
  });
  unitReads.get('/:id', async (req, res, next) => {
    if (!/^[0-9a-f]{24}$/i.test(req.params.id)) return next();
    const actor = actorOf(req);
    const cls = await loadClassProblem(deps, req.params.id);
    if (!canReadClassProblem(actor, cls)) throw notFound('类问题不存在', 'class_problem_not_found');
    res.json(await classProblemDetail(ctx.models, cls, now(), actor));
  });
  unitReads.use(() => {
    throw forbidden();
  });

  router.use(ctx.requireStaff, requirePolicy(canOpenClassProblems));
  router.use((req, res, next) => (isClassUnitStaff(actorOf(req)) ? unitReads(req, res, next) : next()));

  router.post('/cluster', requirePolicy(canRunClustering), async (_req, res) => {
    res.json(await runner.run());
  });

  router.get('/candidates', async (req, res) => {
    const { category } = candidatesQuery.parse(req.query);
    res.json(await listCandidates(ctx.models, actorOf(req), now(), category));
  });

  router.get('/candidates/:clusterId', async (req, res) => {
    const clusterId = pathId(req.params.clusterId, '候选类问题不存在');
    res.json(await candidateDetail(ctx.models, actorOf(req), clusterId, now()));
  });

  router.post('/candidates/:clusterId/promote', requirePolicy(canManageClassProblems), async (req, res) => {
    const clusterId = pathId(req.params.clusterId, '候选类问题不存在');
    const body = promoteBody.parse(req.body);
    const actor = actorOf(req);
    const cls = await promoteCluster(deps, actor, { ...body, clusterId });
    ctx.notify?.notifier.onUnitNotice(classUnitNotice(cls));
    res.status(201).json(await detail(String(cls._id), actor));
  });

  router.get('/', async (req, res) => {
    const { month } = listQuery.parse(req.query);
    res.json(await listClassProblems(ctx.models, now(), month));
  });

  router.get('/export.xlsx', async (req, res) => {
    const { month } = listQuery.parse(req.query);
    const report = await listClassProblems(ctx.models, now(), month);
    res.attachment(`class-problems-${month ?? 'all'}.xlsx`);
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    await writeClassReport(report, month ?? '全部', res);
    res.end();
  });

  router.get('/:id', async (req, res) => {
    res.json(await detail(pathId(req.params.id, '类问题不存在'), actorOf(req)));
  });

  router.post('/:id/members', requirePolicy(canManageClassProblems), async (req, res) => {
    const id = pathId(req.params.id, '类问题不存在');
    const { issueIds } = membersBody.parse(req.body);
    await addMembers(deps, actorOf(req), id, issueIds);
    res.json(await detail(id, actorOf(req)));
  });

  router.delete('/:id/members/:issueId', requirePolicy(canManageClassProblems), async (req, res) => {
    const id = pathId(req.params.id, '类问题不存在');
    const { reason } = removeMemberBody.parse(req.body ?? {});
    const issueId = pathId(req.params.issueId, '该问题不是本类问题的成员');
    await removeMember(deps, actorOf(req), id, issueId, reason);
    res.json(await detail(id, actorOf(req)));
  });

  router.post('/:id/resolve', requirePolicy(canManageClassProblems), async (req, res) => {
    const id = pathId(req.params.id, '类问题不存在');
    const body = resolveBody.parse(req.body);
    res.json(await outcome(await resolveClass(deps, actorOf(req), id, body), actorOf(req)));
  });

  router.post('/:id/verify', requirePolicy(canVerifyClassReplies), async (req, res) => {
    const id = pathId(req.params.id, '类问题不存在');
    res.json(await outcome(await verifyClassReplies(deps, actorOf(req), id), actorOf(req)));
  });

  return router;
}
