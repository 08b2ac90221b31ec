// /api/issues: intake, the list, the detail and the lifecycle actions (DESIGN §10). Thin by design: parse with
// zod, call one command (or the list query), present. Authorisation lives in the commands and policies.
import { Router, type Request } from 'express';
import { isActionId } from '../../../shared/lifecycle/actions.ts';
import { issueCreateSchema } from '../../../shared/schemas.ts';
import { issueActionCommand } from '../../commands/issue-action.command.ts';
import { issueCreateCommand } from '../../commands/issue-create.command.ts';
import { issueSourceSplitCommand } from '../../commands/issue-source-split.command.ts';
import { cachedSettings, type IssueChangeListener } from '../../commands/issue-deps.ts';
import { AppError, badRequest } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { singleValuedQuery } from '../../http/validate.ts';
import type { DefaultRouting } from '../../../shared/route-issue.ts';
import type { Classifier } from '../../intake/triage.ts';
import {
  contactViewOf,
  presentIssue,
  presentIssueCreated,
  presentIssueSummary,
  type IssueCardDoc,
} from '../../presenters/issue.presenter.ts';
import { presentCards } from './issue-cards.query.ts';
import { similarIssues } from './issue-similar.query.ts';
import { exportHeaders, exportNote, exportRows, writeIssueWorkbook } from './issue-export.ts';
import { drillTotal, getVisibleIssue, listIssues } from './issue-read.query.ts';
import { ifMatchHeader, listIssuesQuery } from './issues.schema.ts';

export interface IssuesRouterOptions {
  /** Hears every committed change (realtime, notifications). */
  onChange?: IssueChangeListener;
  classify?: Classifier;
  defaultRouting?: DefaultRouting;
}

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** A malformed id is the client's mistake (400); a well-formed unknown one is a 404 later. */
function issueIdOf(req: Request): string {
  const id = req.params.id;
  if (typeof id !== 'string' || !OBJECT_ID.test(id)) throw badRequest('问题编号格式无效', 'invalid_id');
  return id;
}

export function createIssuesRouter(ctx: AppContext, options: IssuesRouterOptions = {}): Router {
  const router = Router();
  const deps = {
    models: ctx.models,
    clock: ctx.clock,
    settings: cachedSettings(ctx.intakeConfig),
    intakeConfig: () => ctx.intakeConfig.get(),
    classify: (text: string) => ctx.classifier.classify(text),
    ...options,
  };
  router.use(ctx.requireStaff);

  router.post('/', async (req, res) => {
    const input = issueCreateSchema.parse(req.body ?? {});
    const { issue, created } = await issueCreateCommand(deps, actorOf(req), input);
    res.status(created ? 201 : 200).json(presentIssueCreated(issue, !created));
  });

  router.get('/', async (req, res) => {
    const q = listIssuesQuery.parse(singleValuedQuery(req.query));
    const [{ items, next, searchedTo }, total] = await Promise.all([
      listIssues(ctx.models, actorOf(req), q),
      drillTotal(ctx.models, actorOf(req), q),
    ]);
    res.json({
      items:
        q.view === 'cards'
          ? await presentCards(ctx.models, items as IssueCardDoc[], contactViewOf(actorOf(req)))
          : items.map(presentIssueSummary),
      ...(next ? { next } : {}),
      ...(searchedTo ? { searchedTo } : {}),
      ...(total !== undefined ? { total } : {}),
    });
  });

  // The list's rows as Excel (a drill-down or search exported as seen); before '/:id', which takes any segment.
  router.get('/export.xlsx', async (req, res) => {
    const q = listIssuesQuery.parse({ ...singleValuedQuery(req.query), cursor: undefined, limit: undefined });
    const result = await exportRows(ctx.models, actorOf(req), q);
    const now = ctx.clock.now();
    const day = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    res.attachment(`issues-${day}.xlsx`);
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.set(exportHeaders(result));
    await writeIssueWorkbook(result.rows, exportNote(result, now), res);
    res.end();
  });

  router.get('/:id', async (req, res) => {
    const actor = actorOf(req);
    const [doc, { policy }] = await Promise.all([
      getVisibleIssue(ctx.models, actor, issueIdOf(req)),
      deps.settings(),
    ]);
    res.json(presentIssue(doc, contactViewOf(actor), policy));
  });

  router.get('/:id/similar', async (req, res) => {
    const items = await similarIssues(ctx.models, actorOf(req), issueIdOf(req), (text, candidates, measure) =>
      ctx.classifier.similarity(text, candidates, measure),
    );
    res.json({ items });
  });

  router.post('/:id/actions/:action', async (req, res) => {
    const action = req.params.action;
    if (!isActionId(action)) throw new AppError('unknown_action', 400, `未知的操作：${String(action)}`);
    const issueId = issueIdOf(req);
    const expectedVersion = ifMatchHeader.parse(req.get('if-match'));
    const input: unknown = req.body ?? {};
    const updated = await issueActionCommand(deps, actorOf(req), { issueId, action, input, expectedVersion });
    res.json(presentIssue(updated, contactViewOf(actorOf(req)), (await deps.settings()).policy));
  });

  // 拆分为新工单: a merged source becomes its own issue; the answer names it and gives the master as it is now.
  router.post('/:id/sources/:inboxId/split', async (req, res) => {
    const issueId = issueIdOf(req);
    const inboxId = String(req.params.inboxId);
    const actor = actorOf(req);
    const { master, issue } = await issueSourceSplitCommand(
      { ...deps, attachments: ctx.attachments },
      actor,
      {
        issueId,
        inboxId,
        input: req.body,
      },
    );
    res.status(201).json({
      issue: presentIssueCreated(issue, false),
      master: presentIssue(master, contactViewOf(actor), (await deps.settings()).policy),
    });
  });

  return router;
}
