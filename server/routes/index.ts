// The /api router: one sub-router per resource. Each router authenticates with ctx.requireStaff and gates with
// pure policies; the final /api 404 and the error middleware are added by createApp.
import { Router } from 'express';
import type { AppContext } from '../http/app-context.ts';
import { createAttachmentsRouter } from '../attachments/attachments.router.ts';
import { auditTrail } from '../audit/audit-trail.ts';
import { createAuditRouter } from './audit/index.ts';
import { createAuthRouter } from './auth/index.ts';
import { createImportsRouter } from '../imports/imports.router.ts';
import { createCalendarRouter } from './calendar/index.ts';
import { createClassifyRouter } from './classify/index.ts';
import { createDevRouter } from './dev/index.ts';
import { createEnterprisesRouter } from './enterprises/index.ts';
import { createProvisionalEnterprisesRouter } from './enterprises/provisional.ts';
import { createEnterpriseSendersRouter } from './enterprises/senders.ts';
import { createInboxRouter } from './inbox/index.ts';
import { createChannelsRouter } from './channels/index.ts';
import { createIssuesRouter } from './issues/index.ts';
import { createNotificationsRouter } from './notifications/index.ts';
import { createOutboxRouter } from './outbox/index.ts';
import { createEnterpriseImportsRouter } from './enterprises/imports.router.ts';
import { createPlaquesRouter } from './enterprises/plaques.router.ts';
import { createKpisRouter, createReportsRouter } from './kpis/index.ts';
import { createRoutingRulesRouter } from './routing-rules/index.ts';
import { createSettingsRouter } from './settings/index.ts';
import { createUnitsRouter } from './units/index.ts';
import { createUsersRouter } from './users/index.ts';
import { createWorkbenchRouter } from './workbench/index.ts';
import { createClassProblemsRouter } from '../classes/class-problems.router.ts';

export function createApiRouter(ctx: AppContext): Router {
  const api = Router();
  // 操作日志: records the changes to configuration, people, enterprises and channels that succeed.
  api.use(auditTrail({ models: ctx.models, clock: ctx.clock, logger: ctx.logger }));
  api.use(createAuthRouter(ctx));
  api.use('/units', createUnitsRouter(ctx));
  api.use('/users', createUsersRouter(ctx));
  api.use('/enterprises', createProvisionalEnterprisesRouter(ctx));
  api.use('/enterprises', createEnterpriseSendersRouter(ctx));
  api.use('/enterprises', createPlaquesRouter(ctx));
  api.use('/enterprises', createEnterpriseImportsRouter(ctx));
  api.use('/enterprises', createEnterprisesRouter(ctx));
  api.use('/issues', createAttachmentsRouter(ctx, ctx.attachments));
  api.use('/imports', createImportsRouter(ctx));
  api.use('/issues', createIssuesRouter(ctx, { onChange: ctx.onIssueChange }));
  api.use('/kpis', createKpisRouter(ctx));
  api.use('/reports', createReportsRouter(ctx));
  api.use('/workbench', createWorkbenchRouter(ctx));
  api.use('/classify', createClassifyRouter(ctx));
  api.use('/class-problems', createClassProblemsRouter(ctx));
  api.use('/routing-rules', createRoutingRulesRouter(ctx));
  api.use('/calendar', createCalendarRouter(ctx));
  api.use('/settings', createSettingsRouter(ctx));
  api.use('/inbox', createInboxRouter(ctx));
  api.use('/channels', createChannelsRouter(ctx));
  api.use('/notifications', createNotificationsRouter(ctx));
  api.use('/outbox', createOutboxRouter(ctx));
  api.use('/audit', createAuditRouter(ctx));
  // Demo mode: the outbox with its codes (DESIGN §10); the clock too when it is simulated (DEMO_CLOCK=1).
  const simulated = ctx.config.demoClock ? ctx.simulatedClock : undefined;
  if (ctx.config.demo || simulated) api.use('/dev', createDevRouter(ctx, simulated));
  return api;
}
