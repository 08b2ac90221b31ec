// Wires notifications from the configuration (issue 8): the SMS provider (refusing the log provider outside
// demo mode unless SMS_PROVIDER=log chose it), SMTP email, WeChat customer-service messages, the 12345 hotline
// callback, the outbox writer, the delivery worker and the centre's dead-letter notices. main.ts builds one per process; tests build their own with fake senders.
import type { Clock } from '../../shared/clock.ts';
import { ConfigError, type Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import { setDeadLetterListener } from '../intake/inbox-store.ts';
import { createLogEmailSender, createSmtpEmailSender, type EmailSender } from './email.ts';
import { createNotifier, type Notifier } from './notifier.ts';
import { createOutboxWorker, type OutboxSenders, type OutboxWorker } from './outbox-worker.ts';
import { createHotlineCallbackSender, type PushbackSenders } from './pushback.ts';
import { createHttpSmsSender, createLogSmsSender, type SmsSender } from './sms.ts';
import type { WechatApiOptions, WechatTokens } from '../wechat/wechat-token.ts';
import { createWechatCustomSender, type WechatMessageSender } from './wechat-custom.ts';
import type { ChannelId } from '../../shared/states.ts';

export interface NotifyService {
  notifier: Notifier;
  worker: OutboxWorker;
  sms: SmsSender;
  /** Writes the outbox for pending changes, then delivers what is due (the demo clock calls it). */
  flush(): Promise<void>;
}

/** The SMS provider the configuration asks for; a production start without an explicit choice is refused. */
export function smsSenderFor(config: Config, logger: Logger): SmsSender {
  const n = config.notify;
  const choice = n.smsProvider ?? (config.demo ? 'log' : undefined);
  if (choice === undefined)
    throw new ConfigError(
      'SMS_PROVIDER',
      'is required outside demo mode: `http` (with SMS_GATEWAY_URL, SMS_GATEWAY_KEY, SMS_GATEWAY_SECRET) or `log` (messages are only logged, with digits masked)',
    );
  if (choice === 'log') return createLogSmsSender(logger, { demo: config.demo });
  if (!n.smsGatewayUrl || !n.smsGatewayKey || !n.smsGatewaySecret) {
    const missing = !n.smsGatewayUrl
      ? 'SMS_GATEWAY_URL'
      : !n.smsGatewayKey
        ? 'SMS_GATEWAY_KEY'
        : 'SMS_GATEWAY_SECRET';
    throw new ConfigError(missing, 'is required with SMS_PROVIDER=http');
  }
  return createHttpSmsSender({
    url: n.smsGatewayUrl,
    key: n.smsGatewayKey,
    secret: n.smsGatewaySecret,
    signName: n.smsSignName,
  });
}

export function pushbackSendersFor(config: Config): PushbackSenders {
  const n = config.notify;
  const senders: PushbackSenders = {};
  if (n.hotlineCallbackUrl && n.hotlineCallbackSecret)
    senders.hotline12345 = createHotlineCallbackSender({
      url: n.hotlineCallbackUrl,
      secret: n.hotlineCallbackSecret,
    });
  return senders;
}

/** The account's API options when WECHAT_APPID and WECHAT_APPSECRET are set (else WeChat's API is off). */
export function wechatApiFor(config: Config): WechatApiOptions | undefined {
  const { wechatAppSecret, wechatApiBase } = config.notify;
  if (!config.wechatAppId || !wechatAppSecret) return undefined;
  return { apiBase: wechatApiBase, appId: config.wechatAppId, appSecret: wechatAppSecret };
}

/** Customer-service messages need the account's appid and secret; without them WeChat falls back to SMS. */
export function wechatSenderFor(config: Config, tokens?: WechatTokens): WechatMessageSender | undefined {
  const api = wechatApiFor(config);
  return api ? createWechatCustomSender({ ...api, tokens }) : undefined;
}

export interface NotifyServiceDeps {
  config: Config;
  models: Models;
  clock: Clock;
  logger: Logger;
  /** The account's access tokens, shared with the process's other WeChat API callers (one token in use). */
  wechatTokens?: WechatTokens;
  /** Overrides of the providers (tests). */
  sms?: SmsSender;
  email?: EmailSender;
  /** null: no WeChat sender even if configured. */
  wechat?: WechatMessageSender | null;
  pushback?: PushbackSenders;
  onInApp?: OutboxSenders['onInApp'];
  ttlMs?: number;
  baseDelayMs?: number;
  /** Deliver as soon as rows are written (default); tests drive the worker themselves (pending rows). */
  deliverOnEnqueue?: boolean;
}

export function createNotifyService(deps: NotifyServiceDeps): NotifyService {
  const { config, models, clock, logger } = deps;
  const sms = deps.sms ?? smsSenderFor(config, logger);
  const email =
    deps.email ??
    (config.notify.smtpUrl
      ? createSmtpEmailSender(config.notify.smtpUrl, config.notify.mailFrom)
      : config.demo
        ? createLogEmailSender(logger)
        : undefined);
  const pushback = deps.pushback ?? pushbackSendersFor(config);
  const wechat =
    deps.wechat === undefined ? wechatSenderFor(config, deps.wechatTokens) : (deps.wechat ?? undefined);
  const worker = createOutboxWorker({
    models,
    clock,
    logger,
    senders: { sms, email, wechat, pushback, onInApp: deps.onInApp },
    maxAttempts: config.notify.outboxMaxAttempts,
    baseDelayMs: deps.baseDelayMs,
  });
  const notifier = createNotifier({
    models,
    clock,
    logger,
    publicBaseUrl: config.publicBaseUrl,
    pushbackChannels: Object.keys(pushback) as ChannelId[],
    emailEnabled: !!email,
    wechatEnabled: !!wechat,
    // Rows go out as soon as they are written, claimed by this process as they are inserted.
    deliverNow:
      deps.deliverOnEnqueue === false
        ? undefined
        : { leaseMs: worker.leaseMs, deliver: (rows) => worker.deliverClaimed(rows) },
    ttlMs: deps.ttlMs,
  });
  setDeadLetterListener(models, (notice) => notifier.onDeadLetter(notice));
  return {
    notifier,
    worker,
    sms,
    async flush() {
      await notifier.idle();
      await worker.runOnce();
    },
  };
}
