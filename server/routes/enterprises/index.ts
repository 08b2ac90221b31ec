// The enterprise directory for staff: search, detail, registration and corrections, the owner's PIN, and the
// enterprise code (企业码) image and rotation. The public QR page itself (/e/:token) lives elsewhere.
import { Router, type Request } from 'express';
import { Types } from 'mongoose';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { notFound } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import type { EnterpriseDoc } from '../../models/index.ts';
import { actorOf } from '../../http/request-context.ts';
import { pathId } from '../../http/validate.ts';
import { OPEN_STATES } from '../../../shared/states.ts';
import { listEnterprises } from '../../enterprises/enterprise-list.query.ts';
import { enterpriseIssueStats } from '../../enterprises/enterprise-stats.query.ts';
import {
  canCreateEnterprise,
  canEditEnterprise,
  canFindEnterpriseByMobile,
  canRotateEnterpriseQr,
  canSetEnterprisePin,
  canViewEnterpriseQr,
  canViewEnterprises,
  canViewEnterpriseStats,
  mayViewContactAsHandler,
} from '../../policies/index.ts';
import { mobileChangedNotice } from '../../notify/owner-security.notice.ts';
import { renderQrPng, renderQrSvg } from '../../presenters/enterprise-qr.presenter.ts';
import {
  enterpriseCodeUrl,
  presentEnterpriseFor,
  presentEnterpriseRowFor,
} from '../../presenters/enterprise.presenter.ts';
import {
  createEnterpriseCommand,
  rotateQrTokenCommand,
  setEnterprisePinCommand,
  updateEnterpriseCommand,
} from './enterprise.commands.ts';
import {
  createEnterpriseSchema,
  listEnterprisesQuery,
  setPinSchema,
  updateEnterpriseSchema,
} from './enterprises.schema.ts';

export function createEnterprisesRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canViewEnterprises));

  const load = async (id: unknown) => {
    const e = await ctx.models.Enterprise.findById(pathId(id, '企业不存在')).lean();
    if (!e) throw notFound('企业不存在');
    return e;
  };

  /** The detail the requesting actor may see (contact for a unit that handles one of its open issues). */
  const present = async (req: Request, e: EnterpriseDoc) => {
    const actor = actorOf(req);
    let handlesIssue = false;
    if (mayViewContactAsHandler(actor)) {
      const unitId = new Types.ObjectId(actor.unitId);
      // Least privilege: the contact goes with the work, and ends when the unit's issues with it are finished.
      const filter = {
        enterpriseId: e._id,
        $or: [{ unitId }, { coUnitIds: unitId }],
        state: { $in: OPEN_STATES },
      };
      handlesIssue = !!(await ctx.models.Issue.exists(filter));
    }
    return presentEnterpriseFor(actor, e, ctx.config.publicBaseUrl, { handlesIssue });
  };

  router.get('/', async (req, res) => {
    const actor = actorOf(req);
    const query = { ...listEnterprisesQuery.parse(req.query), byMobile: canFindEnterpriseByMobile(actor) };
    const { items, next } = await listEnterprises(ctx.models, query);
    res.json({ items: items.map((e) => presentEnterpriseRowFor(actor, e)), ...(next ? { next } : {}) });
  });

  router.post('/', requirePolicy(canCreateEnterprise), async (req, res) => {
    const input = createEnterpriseSchema.parse(req.body);
    const created = await createEnterpriseCommand(ctx.models, input);
    res.status(201).json(await present(req, created));
  });

  router.get('/:id', async (req, res) => {
    const e = await load(req.params.id);
    const shown = await present(req, e);
    if (!canViewEnterpriseStats(actorOf(req), e)) return res.json(shown);
    res.json({ ...shown, issueStats: await enterpriseIssueStats(ctx.models, String(e._id)) });
  });

  router.patch('/:id', requirePolicy(canEditEnterprise), async (req, res) => {
    const id = pathId(req.params.id, '企业不存在');
    const { enterprise, replacedMobile } = await updateEnterpriseCommand(
      ctx.models,
      id,
      updateEnterpriseSchema.parse(req.body),
    );
    // The previous mobile is told: a new one hands the QR page's owner view to whoever holds it.
    if (replacedMobile && ctx.notify)
      await ctx.notify.notifier.enqueue([
        mobileChangedNotice(enterprise, replacedMobile, enterprise.mobile, ctx.clock.now()),
      ]);
    res.json(await present(req, enterprise));
  });

  router.put('/:id/pin', requirePolicy(canSetEnterprisePin), async (req, res) => {
    const id = pathId(req.params.id, '企业不存在');
    res.json(await setEnterprisePinCommand(ctx.models, id, setPinSchema.parse(req.body).pin));
  });

  router.get('/:id/qr.svg', requirePolicy(canViewEnterpriseQr), async (req, res) => {
    const e = await load(req.params.id);
    res.type('image/svg+xml');
    res.send(await renderQrSvg(enterpriseCodeUrl(ctx.config.publicBaseUrl, e.qrToken)));
  });

  router.get('/:id/qr.png', requirePolicy(canViewEnterpriseQr), async (req, res) => {
    const e = await load(req.params.id);
    res.type('image/png');
    res.send(await renderQrPng(enterpriseCodeUrl(ctx.config.publicBaseUrl, e.qrToken)));
  });

  router.post('/:id/qr/rotate', requirePolicy(canRotateEnterpriseQr), async (req, res) => {
    const updated = await rotateQrTokenCommand(ctx.models, ctx.clock, pathId(req.params.id, '企业不存在'));
    // "The old code stops working at once": also for pages already open on it.
    await ctx.onQrCodeReplaced?.(String(updated._id));
    res.json(await present(req, updated));
  });

  return router;
}
