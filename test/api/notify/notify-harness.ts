// Notification test harness: an issue app whose createApp gets a notification service with fake providers
// (an SMS gateway that records, fails on demand), the sweep run as the server runs it (its changes reach the
// outbox), and readers of the outbox by event and recipient username.
import { pino } from 'pino';
import request from 'supertest';
import { signBody } from '../../../server/channels/signature.ts';
import { combineListeners } from '../../../server/commands/issue-deps.ts';
import { runEscalationSweep } from '../../../server/jobs/escalation-sweep.job.ts';
import type { OutboxDoc } from '../../../server/models/index.ts';
import {
  createNotifyService,
  type NotifyService,
  type NotifyServiceDeps,
} from '../../../server/notify/notify-service.ts';
import type { SmsSender } from '../../../server/notify/sms.ts';
import { useIssueApp, type IssueTestApp } from '../issues/fixtures.ts';

export const silent = pino({ level: 'silent' });

/** An SMS gateway double: records what it delivered, and fails the next `failNext` sends. */
export class FakeSms implements SmsSender {
  sent: Array<{ to: string; text: string }> = [];
  failNext = 0;
  down = false;
  async send(to: string, text: string) {
    if (this.down || this.failNext > 0) {
      if (this.failNext > 0) this.failNext -= 1;
      throw new Error('gateway unavailable');
    }
    this.sent.push({ to, text });
    return `msg-${this.sent.length}`;
  }
}

export interface NotifyTestApp extends IssueTestApp {
  notify: NotifyService;
  sms: FakeSms;
  /** username by user id, for readable assertions. */
  usernames: Map<string, string>;
}

/** `providers`: more fakes (email, WeChat), asked for when the app is built (after earlier before hooks). */
export function useNotifyApp(
  providers: () => Partial<NotifyServiceDeps> = () => ({}),
  env: Record<string, string> = {},
): NotifyTestApp {
  const sms = new FakeSms();
  let notify: NotifyService | undefined;
  const t = useIssueApp({
    env,
    deps: ({ models, clock, config }) => {
      notify = createNotifyService({
        config,
        models,
        clock,
        logger: silent,
        sms,
        ttlMs: 0,
        deliverOnEnqueue: false,
        ...providers(),
      });
      return { notify };
    },
  }) as NotifyTestApp;
  before(async () => {
    t.notify = notify!;
    t.sms = sms;
    const users = await t.models.User.find({}, { username: 1 }).lean();
    t.usernames = new Map(users.map((u) => [String(u._id), u.username]));
  });
  return t;
}

/** One sweep pass as the server runs it, its changes written to the outbox before it resolves. */
export async function sweepAndNotify(t: NotifyTestApp) {
  const report = await runEscalationSweep({
    models: t.models,
    clock: t.clock,
    logger: silent,
    onChange: combineListeners(t.notify.notifier.onChange),
  });
  await t.notify.notifier.idle();
  return report;
}

export async function outbox(t: NotifyTestApp, filter: Record<string, unknown> = {}): Promise<OutboxDoc[]> {
  await t.notify.notifier.idle();
  return t.models.Outbox.find(filter).sort({ createdAt: 1, _id: 1 }).lean<OutboxDoc[]>();
}

/** Each staff recipient's text of an issue's notice, by username ('' for one who got none). */
export async function textsByUser(t: NotifyTestApp, issueId: string, event: string) {
  const rows = await outbox(t, { issueId, event });
  return (username: string) => rows.find((r) => t.usernames.get(r.recipient.id) === username)?.text ?? '';
}

/** `event → sorted recipient names` (usernames for staff, the channel for the enterprise and push-backs). */
export async function recipientsByEvent(
  t: NotifyTestApp,
  issueId: string,
): Promise<Record<string, string[]>> {
  const rows = await outbox(t, { issueId });
  const out: Record<string, string[]> = {};
  for (const r of rows) {
    const who =
      r.recipient.kind === 'user'
        ? (t.usernames.get(r.recipient.id) ?? r.recipient.id)
        : `${r.recipient.kind}:${r.channel}`;
    (out[r.event] ??= []).push(who);
  }
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

export function china(local: string): Date {
  return new Date(`${local.replace(' ', 'T')}:00+08:00`);
}

/** A channel push signed with the channel's demo secret, as the platform sends it (JSON channels). */
export function postSigned(t: NotifyTestApp, channel: string, raw: string) {
  const ts = Math.floor(Date.now() / 1000);
  return request(t.app)
    .post(`/api/intake/${channel}`)
    .set('Content-Type', 'application/json')
    .set('X-Timestamp', String(ts))
    .set('X-Signature', signBody(`demo-${channel}-secret`, ts, raw))
    .send(raw);
}

/** An enterprise list (CSV lines, header first) imported by the clerk, polled until done: the job's status. */
export async function importEnterpriseList(t: NotifyTestApp, lines: string[]) {
  const file = Buffer.from(lines.join('\r\n'), 'utf8');
  const res = await request(t.app)
    .post('/api/enterprises/imports')
    .set(await t.auth('clerk'))
    .attach('file', file, '名单.csv')
    .expect(202);
  for (let i = 0; i < 200; i++) {
    const job = await request(t.app)
      .get(`/api/enterprises/imports/${res.body.id}`)
      .set(await t.auth('clerk'));
    if (job.body.status !== 'running') return job.body as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the enterprise import did not finish');
}
