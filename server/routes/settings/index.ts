// Admin settings (GET /api/settings, PUT /api/settings/:key {value}), e.g. adjusted time limits. Each key has
// its own schema (settings.schema.ts): an unknown key or a value of the wrong shape is a 400, never stored.
// Operator-like keys, BSON type tags and NUL characters never get this far (http/body-guard.middleware.ts).
import { Router } from 'express';
import { z } from 'zod';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { validationFailed } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { canManageSettings } from '../../policies/index.ts';
import { presentSetting } from '../../presenters/config.presenter.ts';
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
    if (!schema) throw validationFailed(`未知的设置项 ${key}（可设置：${SETTING_KEYS.join('、')}）`);
    const value: unknown = z.object({ value: schema }).parse({ value: raw }).value;
    const saved = await ctx.models.Setting.findOneAndUpdate(
      { key },
      { $set: { value, updatedBy: actorOf(req).id } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    res.json(presentSetting(saved!));
  });

  return router;
}
