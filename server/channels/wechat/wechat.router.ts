// GET|POST /api/intake/wechat: the edge of the WeChat channel. It reads the raw body, lets the adapter verify
// and parse it, keeps the openid -> enterprise binding (models.WechatBinding; binding also moves what the
// follower filed before it, under a provisional enterprise of its own, to the enterprise it names), hands
// complaints to the intake sink and answers with the passive reply. A refused push (unsigned, a wrong or stale
// signature) gets its 4xx with a stable code (WeChat shows the account as faulty, which is what a misconfigured
// token should look like). A signed push that cannot be read is kept raw in the dead-letter list and answered `success`: WeChat
// retries anything else, and no retry would read better.
import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { Config } from '../../config.ts';
import type { Models } from '../../models/index.ts';
import { rawPayloadOf, storeDeadLetter } from '../../intake/inbox-store.ts';
import { channelBy } from '../../intake/pipeline.ts';
import { ratingReplyIssue } from '../../intake/thread.ts';
import { mergeProvisionalCommand } from '../../routes/enterprises/provisional.commands.ts';
import { claimSignature } from '../replay-guard.ts';
import {
  ChannelRefusal,
  type AdapterReply,
  type AdapterRequest,
  type InboundMessage,
  type IntakeSink,
} from '../types.ts';
import {
  answerUrlCheck,
  formatTextReply,
  NO_REPLY,
  parsePush,
  UnreadablePush,
  type WechatCredentials,
  type WechatPush,
} from './wechat.adapter.ts';
import { ackText, inboundOf, nextStep, WECHAT_TEXT } from './wechat.dialogue.ts';

/** Who merges a follower's provisional enterprise on binding (timeline: 系统 · 微信公众号). */
const FOLLOWER_BINDING = { id: 'system', role: 'system' as const, username: 'system', name: '微信公众号' };

/** A WeChat push is a few hundred bytes; anything near this is not one. */
export const WECHAT_BODY_LIMIT = '64kb';

export interface WechatRouterDeps {
  models: Models;
  sink: IntakeSink;
  /** The account's settings; null: the channel is not configured (404). */
  credentials: () => Promise<WechatCredentials | null>;
  /** Business time (the binding's and the reply's time). */
  now: () => Date;
  /** Wall time, for the signature's freshness. */
  securityNow: () => Date;
}

/** The account's settings from the start-up configuration (WECHAT_TOKEN, …; demo: demo-wechat-token). */
export function wechatCredentialsFromConfig(config: Config): WechatCredentials | null {
  if (!config.wechatToken) return null;
  return {
    id: 'config:wechat',
    token: config.wechatToken,
    ...(config.wechatEncodingAesKey ? { encodingAesKey: config.wechatEncodingAesKey } : {}),
    ...(config.wechatAppId ? { appId: config.wechatAppId } : {}),
  };
}

function adapterRequest(req: Request, now: Date): AdapterRequest {
  const query: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') query[k] = v;
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  return { method: req.method, headers, query, rawBody, now };
}

/** Whether this is the first delivery of the push's signed URL (msg_signature in safe mode, else signature). */
async function claimedOnce(models: Models, req: Request): Promise<boolean> {
  const { msg_signature: msgSignature, signature } = req.query;
  try {
    await claimSignature(models, 'wechat', String(msgSignature ?? signature));
    return true;
  } catch (err) {
    if (err instanceof ChannelRefusal && err.code === 'replayed') return false;
    throw err;
  }
}

function send(res: Response, reply: AdapterReply): void {
  res.status(reply.status).type(reply.contentType).send(reply.body);
}

function refusal(res: Response, err: ChannelRefusal): void {
  res.status(err.status).json({ error: { code: err.code, message: err.message } });
}

export function createWechatRouter(deps: WechatRouterDeps): Router {
  const router = Router();
  const { models, sink } = deps;

  async function credentialsOrRefuse(): Promise<WechatCredentials> {
    const creds = await deps.credentials();
    if (!creds) throw new ChannelRefusal('channel_disabled', 403, '微信公众号渠道未配置');
    return creds;
  }

  /**
   * The credit code the follower is bound to: by sending it, or by the centre accepting the openid (merging or
   * confirming the provisional enterprise it wrote as: the enterprise's wechatOpenids).
   */
  async function boundCodeOf(openid: string): Promise<string | undefined> {
    const binding = await models.WechatBinding.collection.findOne({ openid });
    if (binding?.creditCode) return String(binding.creditCode);
    const accepted = await models.Enterprise.collection.findOne(
      { wechatOpenids: openid, provisional: { $ne: true }, creditCode: { $exists: true } },
      { projection: { creditCode: 1 } },
    );
    return accepted ? String(accepted.creditCode) : undefined;
  }

  /**
   * What the follower wrote before binding was filed for a provisional enterprise known only by its openid
   * (file-unbound): now that it names its enterprise, that provisional one is merged into it, its issues
   * following, so the centre has nothing to merge by hand. The follower is not thereby one of the
   * enterprise's accepted followers (anyone can send a credit code): it hears of its own messages, without the
   * QR link, until the centre accepts it. One that also holds other senders' addresses is left to the centre.
   * Answers the numbers of the issues that moved.
   */
  async function adoptFollowerIssues(openid: string, intoId: string): Promise<string[]> {
    const own = await models.Enterprise.collection
      .find(
        { wechatOpenids: openid, provisional: true },
        { projection: { name: 1, creditCode: 1, wechatOpenids: 1, emails: 1 } },
      )
      .toArray();
    const numbers: string[] = [];
    for (const p of own) {
      const alone = !p.creditCode && p.wechatOpenids?.length === 1 && !p.emails?.length;
      if (!alone) continue;
      const issues = await models.Issue.collection
        .find({ enterpriseId: p._id }, { projection: { number: 1 } })
        .toArray();
      const note = `微信用户发送统一社会信用代码完成绑定，其此前以「${String(p.name)}」登记的来件归入本企业`;
      await mergeProvisionalCommand(models, FOLLOWER_BINDING, String(p._id), intoId, deps.now(), {
        note,
        acceptSenders: false,
      });
      numbers.push(...issues.map((i) => String(i.number)));
    }
    return numbers;
  }

  /** The text to answer a verified push with (binding and filing on the way). */
  async function handle(push: WechatPush): Promise<string | null> {
    const boundCode = await boundCodeOf(push.openid);
    const step = nextStep(push, boundCode);
    switch (step.kind) {
      case 'silent':
        return null;
      case 'reply':
        return step.text;
      case 'file': {
        const rating = step.ratingReply ? { ratingReply: true } : {};
        const msg: InboundMessage = { ...inboundOf(push, boundCode, step.complaint), ...rating };
        // A bare 满意 or 不满意 is kept only as the reply to an issue awaiting its rating; else it is courtesy.
        if (msg.ratingReply && !(await ratingReplyIssue(models, msg))) return WECHAT_TEXT.courtesy;
        return ackText(await sink(msg), msg);
      }
      case 'file-unbound': {
        const msg = inboundOf(push, undefined);
        return ackText(await sink(msg), msg) + WECHAT_TEXT.askCodeAfterFiling;
      }
      case 'bind': {
        const enterprise = await models.Enterprise.collection.findOne(
          { creditCode: step.creditCode },
          { projection: { name: 1 } },
        );
        await models.WechatBinding.collection.updateOne(
          { openid: push.openid },
          {
            $set: { creditCode: step.creditCode, enterpriseId: enterprise?._id ?? null, boundAt: deps.now() },
          },
          { upsert: true },
        );
        const bound = WECHAT_TEXT.bound(step.creditCode, enterprise?.name as string | undefined);
        const adopted = enterprise ? await adoptFollowerIssues(push.openid, String(enterprise._id)) : [];
        const told = bound + (adopted.length ? WECHAT_TEXT.adopted(adopted) : '');
        if (!step.complaint) return told + WECHAT_TEXT.askComplaint;
        return told + ackText(await sink(inboundOf(push, step.creditCode, step.complaint)));
      }
    }
  }

  /** A signed push that cannot be read: its dead letter, once per signed URL (WeChat's retries share it). */
  async function keepUnreadable(req: Request, creds: WechatCredentials, err: UnreadablePush): Promise<void> {
    if (!(await claimedOnce(models, req))) return;
    const by = channelBy('wechat', creds.id);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    // The signed URL names the follower even when the body does not (人工登记 keeps them reachable).
    const openid = typeof req.query.openid === 'string' ? req.query.openid.slice(0, 128) : '';
    const sender = openid ? { sender: { openid } } : {};
    await storeDeadLetter(models, {
      channel: 'wechat',
      source: by.source,
      origin: by.origin,
      credentialId: creds.id,
      now: deps.now(),
      raw: {
        ...(err.text === undefined
          ? rawPayloadOf(body, req.get('content-type'))
          : rawPayloadOf(Buffer.from(err.text, 'utf8'), 'text/xml')),
        ...sender,
      },
      reason: `${err.code}: ${err.message}`,
    });
  }

  router.get('/', async (req, res) => {
    try {
      const reply = answerUrlCheck(adapterRequest(req, deps.securityNow()), await credentialsOrRefuse());
      // The check's signature is as good as a push's for its five minutes: spent here, so a copy of this URL
      // cannot carry a push.
      await claimSignature(deps.models, 'wechat', String(req.query.signature));
      send(res, reply);
    } catch (err) {
      if (err instanceof ChannelRefusal) return refusal(res, err);
      throw err;
    }
  });

  router.post('/', express.raw({ type: () => true, limit: WECHAT_BODY_LIMIT }), async (req, res) => {
    const now = deps.now();
    try {
      const creds = await credentialsOrRefuse();
      let push: WechatPush;
      try {
        push = parsePush(adapterRequest(req, deps.securityNow()), creds);
      } catch (err) {
        if (!(err instanceof UnreadablePush)) throw err;
        await keepUnreadable(req, creds, err);
        return send(res, NO_REPLY);
      }
      // A signed URL is good once: the plaintext signature covers no body, so a URL seen in a log would
      // otherwise carry any body, as any follower, for five minutes. WeChat's own retry of a slow answer is
      // the same URL: it gets the empty answer, and the first delivery goes on being handled.
      if (!(await claimedOnce(deps.models, req))) return send(res, NO_REPLY);
      const text = await handle(push);
      if (text === null) return send(res, NO_REPLY);
      const ctx = { now, nonce: randomBytes(8).toString('hex'), random16: randomBytes(16) };
      send(res, formatTextReply(push, text, creds, ctx));
    } catch (err) {
      if (err instanceof ChannelRefusal) return refusal(res, err);
      throw err;
    }
  });

  return router;
}
