// POST /api/classify {text} → {category, urgency, confidence}: the intake form's suggestion as staff type,
// using the pure keyword classifier over the configured categories.
import { Router } from 'express';
import { z } from 'zod';
import { CATEGORIES, CATEGORY_LABELS } from '../../../config/categories.ts';
import { classify } from '../../../shared/classify.ts';
import { URGENCY_LABELS } from '../../../shared/states.ts';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import type { AppContext } from '../../http/app-context.ts';
import { canClassify } from '../../policies/index.ts';

export const classifySchema = z.object({
  text: z
    .string({ error: '请输入问题描述' })
    .trim()
    .min(1, { error: '请输入问题描述' })
    .max(10_000, { error: '问题描述不能超过10000个字符' }),
});

export function createClassifyRouter(ctx: AppContext): Router {
  const router = Router();
  router.post('/', ctx.requireStaff, requirePolicy(canClassify), (req, res) => {
    const { text } = classifySchema.parse(req.body);
    const result = classify(text, CATEGORIES);
    res.json({
      category: result.category,
      categoryLabel: CATEGORY_LABELS[result.category],
      urgency: result.urgency,
      urgencyLabel: URGENCY_LABELS[result.urgency],
      confidence: result.confidence,
      matched: result.matched,
    });
  });
  return router;
}
