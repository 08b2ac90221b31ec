// /api/intake/<channel> for the JSON channels (DESIGN §10): hotline12345, review and sms (HMAC-signed),
// zheliban and discovery (X-Api-Key), and /api/intake/wechat (XML, wechat.router.ts). Mounted before the app's
// JSON parser, because the signature covers the exact bytes: each route reads the raw body (256 KB at most),
// has the adapter verify the caller against the credential snapshot, claims the signature (a replay is
// refused; the claim runs beside parsing and the pipeline's enterprise match, and nothing is stored before it
// passes), parses, and hands the message to the pipeline; the adapter formats the answer. An authenticated
// delivery that cannot be parsed is kept in the dead-letter list and answered with its 4xx.
import express, { Router, type Request, type Response } from 'express';
import type { Clock } from '../../../shared/clock.ts';
import { channelSecretKeyOf, credentialSourceFor } from '../../channels/credentials.ts';
import { JSON_CHANNELS } from '../../channels/json-channels.ts';
import { externalIdIn, type JsonChannelAdapter } from '../../channels/json-channel.ts';
import { claimSignature } from '../../channels/replay-guard.ts';
import { verifyApiKey, verifyHmac } from '../../channels/signature.ts';
import { createWechatRouter, wechatCredentialsFromConfig } from '../../channels/wechat/wechat.router.ts';
import { ChannelRefusal, type AdapterRequest } from '../../channels/types.ts';
import type { AppContext } from '../../http/app-context.ts';
import { rawPayloadOf, storeDeadLetter } from '../../intake/inbox-store.ts';
import { createPipelineDeps } from '../../intake/intake-sink.ts';
import { acceptInbound, channelBy } from '../../intake/pipeline.ts';
import { ratingReplyIssue } from '../../intake/thread.ts';
import { noComplaint } from '../../channels/sms/sms.adapter.ts';
import type { SnapshotCacheOptions } from '../../intake/intake-config.ts';

export const INTAKE_BODY_LIMIT = '256kb';

export interface IntakeRouterOptions {
  /** Real time for signature windows (the business clock may be simulated). */
  securityClock: Clock;
  credentialCache?: SnapshotCacheOptions;
}

function adapterRequest(req: Request, now: Date): AdapterRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v[0] : v;
  return {
    method: req.method,
    headers,
    query: req.query as Record<string, string | undefined>,
    rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    now,
  };
}

export function createIntakeRouter(ctx: AppContext, options: IntakeRouterOptions): Router {
  const router = Router();
  const deps = createPipelineDeps(ctx);
  const credentials = credentialSourceFor(
    ctx.models,
    channelSecretKeyOf(ctx.config),
    options.credentialCache,
  );
  const raw = express.raw({ type: () => true, limit: INTAKE_BODY_LIMIT });

  const handle = (adapter: JsonChannelAdapter) => async (req: Request, res: Response) => {
    const areq = adapterRequest(req, options.securityClock.now());
    const creds = await credentials.get();
    const caller =
      adapter.auth === 'hmac'
        ? verifyHmac(areq, creds.secrets(adapter.channel))
        : verifyApiKey(areq, adapter.channel, creds);
    // The replay claim (a write) runs beside parsing and the enterprise match (a read): one round trip less
    // per delivery. Every path awaits it before storing anything or answering, so a replay is still refused.
    const claimed =
      caller.signature && caller.timestamp
        ? claimSignature(ctx.models, adapter.channel, caller.signature)
        : undefined;
    claimed?.catch(() => undefined); // awaited on every path below; this only marks it handled meanwhile
    let msg;
    try {
      msg = adapter.parse(areq.rawBody, areq.now);
    } catch (err) {
      await claimed;
      if (err instanceof ChannelRefusal) {
        const by = channelBy(adapter.channel, caller.credentialId);
        await storeDeadLetter(ctx.models, {
          channel: adapter.channel,
          source: by.source,
          origin: by.origin,
          credentialId: caller.credentialId,
          externalId: externalIdIn(areq.rawBody, adapter.idField),
          now: ctx.clock.now(),
          raw: rawPayloadOf(areq.rawBody, req.get('content-type')),
          reason: `${err.code}: ${err.message}`,
        });
      }
      throw err;
    }
    // A bare 满意 or 不满意 texted back is kept only as the reply to an issue awaiting its rating.
    if (msg.ratingReply && !(await ratingReplyIssue(ctx.models, msg))) {
      await claimed;
      throw noComplaint();
    }
    const reply = adapter.reply(await acceptInbound(deps, msg, caller.credentialId, claimed));
    res.status(reply.status).type(reply.contentType).send(reply.body);
  };

  for (const adapter of JSON_CHANNELS) router.post(`/${adapter.channel}`, raw, handle(adapter));

  // WeChat's token: the latest one an admin issued (渠道凭据), else WECHAT_TOKEN; safe mode's key from the config.
  const configured = wechatCredentialsFromConfig(ctx.config);
  router.use(
    '/wechat',
    createWechatRouter({
      models: ctx.models,
      sink: ctx.intakeSink,
      credentials: async () => {
        const issued = (await credentials.get()).secrets('wechat').at(-1);
        return issued ? { ...configured, id: issued.id, token: issued.secret } : configured;
      },
      now: () => ctx.clock.now(),
      securityNow: () => options.securityClock.now(),
    }),
  );
  return router;
}
