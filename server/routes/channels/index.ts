// /api/channels (admin): the channel catalogue with each channel's credentials, issuing a credential (the API
// key or secret is in this one answer and never again: keys are stored hashed, secrets encrypted), and
// revocation. Every change invalidates this process's credential snapshot at once. WeChat's WECHAT_TOKEN from
// the start-up configuration is listed too (it answers pushes while no issued token is in force), so the
// screen does not say 尚无凭据 of a channel that takes pushes.
import { Router } from 'express';
import { Types } from 'mongoose';
import { z } from 'zod';
import { CHANNELS } from '../../../config/channels.ts';
import { CHANNEL_IDS, type ChannelId } from '../../../shared/states.ts';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import {
  CHANNEL_AUTH,
  channelSecretKeyOf,
  credentialHint,
  credentialSourceFor,
  encryptSecret,
  hashApiKey,
  newApiKey,
  newSecret,
} from '../../channels/credentials.ts';
import { DEMO_CREATED_BY } from '../../channels/demo-credentials.ts';
import { wechatCredentialsFromConfig } from '../../channels/wechat/wechat.router.ts';
import { AppError, notFound } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { pathId } from '../../http/validate.ts';
import type { ChannelCredentialDoc } from '../../models/channel-credential.model.ts';
import { canManageChannelCredentials } from '../../policies/intake.policy.ts';

const issueBody = z
  .object({
    label: z
      .string({ error: '名称必须是文本' })
      .trim()
      .max(100, { error: '名称不能超过100个字符' })
      .optional(),
    /** HMAC secrets and tokens may be dictated by the platform; API keys are always generated. */
    secret: z
      .string({ error: '密钥必须是文本' })
      .min(16, { error: '密钥至少16个字符' })
      .max(200, { error: '密钥不能超过200个字符' })
      .regex(/^[\x21-\x7e]+$/, { error: '密钥只能包含可见ASCII字符' })
      .optional(),
  })
  .strict();

function presentCredential(c: ChannelCredentialDoc) {
  return {
    id: String(c._id),
    channel: c.channel,
    kind: c.kind,
    label: c.label,
    hint: c.hint,
    createdAt: c.createdAt,
    createdBy: c.createdBy === DEMO_CREATED_BY ? '演示数据' : c.createdBy,
    revokedAt: c.revokedAt,
    active: c.revokedAt == null,
  };
}

/**
 * WECHAT_TOKEN as a row of the list: not stored, so not revocable here (change the configuration); in force
 * (`active`) until an admin issues a token, and again once every issued one is revoked (wechat.router.ts).
 */
function presentConfiguredToken(token: string, inForce: boolean) {
  return {
    id: 'config:wechat',
    channel: 'wechat',
    kind: 'token',
    label: '启动配置 WECHAT_TOKEN',
    hint: credentialHint(token),
    createdAt: null,
    createdBy: '启动配置',
    revokedAt: null,
    active: inForce,
    source: 'config',
  };
}

function channelOf(value: unknown): ChannelId {
  if (
    typeof value !== 'string' ||
    !(CHANNEL_IDS as readonly string[]).includes(value) ||
    !CHANNEL_AUTH[value as ChannelId]
  )
    throw notFound('该渠道不使用接口凭据', 'channel_not_found');
  return value as ChannelId;
}

export function createChannelsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canManageChannelCredentials));
  const key = channelSecretKeyOf(ctx.config);
  const credentials = credentialSourceFor(ctx.models, key);
  const Credential = ctx.models.ChannelCredential;
  const configured = wechatCredentialsFromConfig(ctx.config);

  router.get('/', async (_req, res) => {
    const all = await Credential.find({}).sort({ createdAt: -1 }).lean<ChannelCredentialDoc[]>();
    res.json({
      items: CHANNELS.map((c) => ({
        id: c.id,
        name: c.name,
        inbound: c.inbound,
        auth: CHANNEL_AUTH[c.id] ?? null,
        endpoint: CHANNEL_AUTH[c.id] ? `/api/intake/${c.id}` : null,
        credentials: [
          ...all.filter((x) => x.channel === c.id).map(presentCredential),
          ...(c.id === 'wechat' && configured
            ? [
                presentConfiguredToken(
                  configured.token,
                  !all.some((x) => x.channel === 'wechat' && !x.revokedAt),
                ),
              ]
            : []),
        ],
      })),
    });
  });

  router.post('/:channel/credentials', async (req, res) => {
    const channel = channelOf(req.params.channel);
    const kind = CHANNEL_AUTH[channel]!;
    const body = issueBody.parse(req.body ?? {});
    if (kind === 'api_key' && body.secret)
      throw new AppError('validation_failed', 400, 'API Key 由系统生成，不能指定');
    const value = kind === 'api_key' ? newApiKey(channel) : (body.secret ?? newSecret());
    const doc = await Credential.create({
      channel,
      kind,
      label: body.label ?? '',
      keyHash: kind === 'api_key' ? hashApiKey(value) : null,
      secretEnc: kind === 'api_key' ? null : encryptSecret(key, value),
      hint: credentialHint(value),
      createdBy: actorOf(req).username,
      createdAt: ctx.clock.now(),
    });
    credentials.invalidate();
    res.status(201).json({
      credential: presentCredential(doc.toObject()),
      ...(kind === 'api_key' ? { apiKey: value } : { secret: value }),
      notice: '请立即妥善保存：密钥只显示这一次',
    });
  });

  router.post('/:channel/credentials/:id/revoke', async (req, res) => {
    const channel = channelOf(req.params.channel);
    const id = new Types.ObjectId(pathId(req.params.id, '凭据不存在'));
    const updated = await Credential.findOneAndUpdate(
      { _id: id, channel, revokedAt: null },
      { $set: { revokedAt: ctx.clock.now(), revokedBy: actorOf(req).username } },
      { returnDocument: 'after' },
    ).lean<ChannelCredentialDoc>();
    if (!updated) {
      if (await Credential.exists({ _id: id, channel }))
        throw new AppError('already_revoked', 409, '该凭据已吊销');
      throw notFound('凭据不存在');
    }
    credentials.invalidate();
    res.json(presentCredential(updated));
  });

  return router;
}
