// POST /api/classify {text}: the intake form's suggestion as staff type — category, urgency and confidence
// (DESIGN §10), plus the top three categories and the evidence. Admin: GET /api/classify/model (the model in
// use, its held-out scores and confusion matrix), POST /api/classify/retrain (train now, in a worker), and
// GET /api/classify/models with POST /api/classify/models/:version/activate (the stored versions, and putting
// one back in use when a retraining scored worse).
import { Router } from 'express';
import { z } from 'zod';
import { CATEGORY_LABELS } from '../../../config/categories.ts';
import { URGENCY_LABELS } from '../../../shared/states.ts';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { AppError, notFound } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { canClassify, canManageSettings } from '../../policies/index.ts';
import type { ServerClassification } from '../../text/classifier.service.ts';

export const classifySchema = z.object({
  text: z
    .string({ error: '请输入问题描述' })
    .trim()
    .min(1, { error: '请输入问题描述' })
    .max(10_000, { error: '问题描述不能超过10000个字符' }),
});

export function presentClassification(r: ServerClassification) {
  return {
    category: r.category,
    categoryLabel: CATEGORY_LABELS[r.category],
    urgency: r.urgency,
    urgencyLabel: URGENCY_LABELS[r.urgency],
    confidence: r.confidence,
    /** Whether intake would take this guess without a clerk. */
    confident: r.confidence >= r.threshold,
    alternatives: r.alternatives.map((a) => ({ ...a, label: CATEGORY_LABELS[a.category] })),
    evidence: r.evidence,
    /** Kept from the keyword classifier: the keywords behind the category. */
    matched: r.evidence.keywords,
    source: r.source,
    modelVersion: r.modelVersion,
  };
}

export function createClassifyRouter(ctx: AppContext): Router {
  const router = Router();
  router.post('/', ctx.requireStaff, requirePolicy(canClassify), (req, res) => {
    const { text } = classifySchema.parse(req.body);
    res.json(presentClassification(ctx.classifier.classify(text)));
  });

  router.get('/model', ctx.requireStaff, requirePolicy(canManageSettings), (_req, res) => {
    const { active, training, threshold } = ctx.classifier.status();
    res.json({ active, training, threshold });
  });

  // The stored versions with their scores (newest first), and a rollback to one of them.
  router.get('/models', ctx.requireStaff, requirePolicy(canManageSettings), async (_req, res) => {
    res.json({ items: await ctx.classifier.versions() });
  });
  router.post(
    '/models/:version/activate',
    ctx.requireStaff,
    requirePolicy(canManageSettings),
    async (req, res) => {
      const version = Number(req.params.version);
      const used = Number.isSafeInteger(version) ? await ctx.classifier.activate(version) : null;
      if (!used) throw notFound('该模型版本不存在', 'model_not_found');
      res.json({ active: used });
    },
  );

  router.post('/retrain', ctx.requireStaff, requirePolicy(canManageSettings), async (req, res) => {
    try {
      const model = await ctx.classifier.retrain('manual', actorOf(req).id);
      res.status(201).json({ active: model });
    } catch (err) {
      ctx.logger.error({ err }, 'retraining failed');
      throw new AppError('training_failed', 422, '模型训练失败，请检查训练数据后重试');
    }
  });
  return router;
}
