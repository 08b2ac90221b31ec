// Retention (server/jobs/retention.job.ts): old delivered outbox rows, long-dead ones and old notices go, in
// batches, by the app's clock; what is still pending, recent, or unread within a year stays.
import { expect } from 'chai';
import { Types } from 'mongoose';
import { DAY_MS } from '../../shared/clock.ts';
import {
  applyRetention,
  NOTICE_ANY_DAYS,
  NOTICE_READ_DAYS,
  OUTBOX_DEAD_DAYS,
  OUTBOX_SENT_DAYS,
  RETENTION_BATCH,
} from '../../server/jobs/retention.job.ts';
import { useIssueApp } from '../api/issues/fixtures.ts';

const NOW = new Date('2026-06-01T02:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY_MS);

describe('retention of the outbox and the in-app notices', function () {
  this.timeout(120_000);
  const t = useIssueApp();
  let n = 0;

  const outboxRow = (status: string, createdAt: Date, label: string) => ({
    _id: new Types.ObjectId(),
    key: `retention-test:${(n += 1)}`,
    event: 'test',
    channel: 'sms',
    recipient: { kind: 'enterprise', id: 'e', name: label, address: null },
    issueId: null,
    issueNumber: null,
    title: label,
    text: label,
    status,
    attempts: 1,
    nextAttemptAt: createdAt,
    lockedUntil: null,
    lastError: null,
    providerId: null,
    createdAt,
    sentAt: status === 'sent' ? createdAt : null,
  });

  const notice = (userId: Types.ObjectId, createdAt: Date, readAt: Date | null, label: string) => ({
    _id: new Types.ObjectId(),
    userId,
    outboxId: new Types.ObjectId(),
    event: 'test',
    title: label,
    text: label,
    issueId: null,
    issueNumber: null,
    readAt,
    createdAt,
  });

  it('deletes old sent and long-dead rows and old notices, keeps the rest', async () => {
    const staff = await t.models.User.find({}, { _id: 1 }).limit(2).lean();
    const [a, b] = staff.map((u) => u._id);
    const oldSent = Array.from({ length: RETENTION_BATCH + 5 }, () =>
      outboxRow('sent', daysAgo(OUTBOX_SENT_DAYS + 1), 'old sent'),
    );
    await t.models.Outbox.collection.insertMany([
      ...oldSent,
      outboxRow('sent', daysAgo(OUTBOX_SENT_DAYS - 1), 'recent sent'),
      outboxRow('dead', daysAgo(OUTBOX_DEAD_DAYS + 1), 'old dead'),
      outboxRow('dead', daysAgo(OUTBOX_SENT_DAYS + 1), 'dead within a year'),
      outboxRow('pending', daysAgo(OUTBOX_DEAD_DAYS + 1), 'old pending'),
    ] as never[]);
    await t.models.Notification.collection.insertMany([
      notice(a, daysAgo(NOTICE_READ_DAYS + 1), daysAgo(NOTICE_READ_DAYS), 'old read'),
      notice(b, daysAgo(NOTICE_READ_DAYS + 1), daysAgo(1), 'old read lately'),
      notice(a, daysAgo(NOTICE_READ_DAYS + 1), null, 'old unread'),
      notice(b, daysAgo(NOTICE_ANY_DAYS + 1), null, 'very old unread'),
      notice(a, daysAgo(1), daysAgo(0), 'recent read'),
    ] as never[]);

    const report = await applyRetention(t.models, NOW);
    expect(report).to.deep.equal({ outboxSent: RETENTION_BATCH + 5, outboxDead: 1, notices: 3 });

    const left = await t.models.Outbox.find({ key: /^retention-test:/ }, { title: 1 }).lean();
    expect(left.map((r) => r.title).sort()).to.deep.equal([
      'dead within a year',
      'old pending',
      'recent sent',
    ]);
    const notices = await t.models.Notification.find({ event: 'test' }, { title: 1 }).lean();
    expect(notices.map((r) => r.title).sort()).to.deep.equal(['old unread', 'recent read']);

    // A second pass finds nothing more.
    expect(await applyRetention(t.models, NOW)).to.deep.equal({ outboxSent: 0, outboxDead: 0, notices: 0 });
  });

  it('a stopped pass deletes nothing more and says so', async () => {
    await t.models.Outbox.collection.insertOne(
      outboxRow('sent', daysAgo(OUTBOX_SENT_DAYS + 2), 'kept by a stopped pass') as never,
    );
    const stop = new AbortController();
    stop.abort();
    expect(await applyRetention(t.models, NOW, stop.signal)).to.deep.include({
      outboxSent: 0,
      stopped: true,
    });
    expect(await t.models.Outbox.countDocuments({ title: 'kept by a stopped pass' })).to.equal(1);
  });
});
