// Admin settings (GET /api/settings, PUT /api/settings/:key {value}). Only known keys are stored, each in the
// shape its consumer reads: a schema per key (settings.schema.ts) and, for the keys the server acts on (the
// time-limit policy `timeLimits`, the notification templates `notifyTemplates`), a rule that normalises the
// value and makes it take effect at once (server/settings/setting-rules.ts: caches dropped, open issues'
// deadlines recomputed in the background). Operator-like keys, BSON type tags and NUL characters never get
// this far (http/body-guard.middleware.ts).
import { Router } from 'express';
import { z } from 'zod';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { validationFailed } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { canManageSettings } from '../../policies/index.ts';
import { presentSetting } from '../../presenters/config.presenter.ts';
import { SETTING_RULES } from '../../settings/setting-rules.ts';
import { SETTING_KEYS, SETTING_SCHEMAS } from './settings.schema.ts';

const KEY = /^[a-zA-Z0-9_.-]{1,100}$/;
const MAX_VALUE_BYTES = 64 * 1024;

/** JSON whose object keys are storable: no `$` prefix, no dots (they would read as operators or paths). */
function storableKeys(value: unknown, depth = 0): boolean {
  if (depth > 20) return false;
  if (Array.isArray(value)) return value.every((v) => storableKeys(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(
      ([k, v]) => k.length > 0 && !k.startsWith('$') && !k.includes('.') && storableKeys(v, depth + 1),
    );
  }
  return true;
}

export const putSettingSchema = z.object({
  value: z
    .unknown()
    .refine((v) => v !== undefined, { error: '请提供 value' })
    .refine((v) => storableKeys(v), { error: '设置值的字段名不能以 $ 开头或包含 .' }),
});

export function createSettingsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canManageSettings));

  router.get('/', async (_req, res) => {
    const rows = await ctx.models.Setting.find({}).sort({ key: 1 }).lean();
    res.json({ items: rows.map(presentSetting) });
  });

  router.put('/:key', async (req, res) => {
    const key = req.params.key;
    if (typeof key !== 'string' || !KEY.test(key)) throw validationFailed('设置项名称无效');
    const { value: raw } = putSettingSchema.parse(req.body);
    if (Buffer.byteLength(JSON.stringify(raw)) > MAX_VALUE_BYTES) throw validationFailed('设置值过大');
    const schema = Object.hasOwn(SETTING_SCHEMAS, key) ? SETTING_SCHEMAS[key] : undefined;
    const rule = Object.hasOwn(SETTING_RULES, key) ? SETTING_RULES[key] : undefined;
    if (!schema && !rule) {
      const known = [...SETTING_KEYS, ...Object.keys(SETTING_RULES)].join('、');
      throw validationFailed(`未知的设置项 ${key}（可设置：${known}）`);
    }
    const checked: unknown = schema ? z.object({ value: schema }).parse({ value: raw }).value : raw;
    const value = rule ? rule.normalise(checked) : checked;
    const saved = await ctx.models.Setting.findOneAndUpdate(
      { key },
      { $set: { value, updatedBy: actorOf(req).id } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    // The classifier's settings take effect here at once (other processes within its refresh interval).
    if (key.startsWith('classify.')) await ctx.classifier.reload();
    if (rule) {
      ctx.intakeConfig.invalidate();
      ctx.notify?.notifier.invalidate();
      if (rule.recompute) ctx.deadlines?.request('policy');
    }
    res.json(presentSetting(saved!));
  });

  return router;
}
