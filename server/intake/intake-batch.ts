// Many channel messages through the pipeline at once (batch imports: issue 6's 10,000-row file in under 30 s).
// Each message gets exactly what runIntake gives it (the same inbox entry, redelivery answer, enterprise
// match, repeat check, issue and acknowledgement), but the reads are shared by the batch instead of made per
// message: the enterprises in one read per way of matching, the inbox entries in one insert, the redeliveries
// in one read, the open issues of the batch's enterprises in one read (and, across the batches of one import,
// only what others filed since: BatchMemory). The messages of one enterprise go one after another, each seeing
// the issues the ones before it created, so a repeat within the batch merges like a repeat across deliveries;
// different enterprises go side by side, so the numbers, issue inserts and inbox outcomes in flight together
// share their commands through the coalescers (server/db/batched-ops.ts).
import type { Collection } from 'mongodb';
import { batchedInsertMany } from '../db/batched-ops.ts';
import type { InboundMessage, IntakeAck } from '../channels/types.ts';
import type { IntakeEnterprise } from '../commands/issue-create.command.ts';
import type { InboxEntryDoc } from '../models/inbox.model.ts';
import type { Models } from '../models/index.ts';
import { isDuplicateKey, sameMessage } from './inbox-store.ts';
import { isAppError } from '../errors.ts';
import { candidatesByEnterprise, readRepeatCandidates, REPEAT_CANDIDATES } from './repeat-candidates.ts';
import {
  matchEnterprise,
  matchSteps,
  type MatchStep,
  type ProvisionalEnterprise,
} from './match-enterprise.ts';
import {
  channelBy,
  configOf,
  deadLetter,
  inboxEntryOf,
  processEntry,
  redelivery,
  type IntakeBy,
  type PipelineDeps,
} from './pipeline.ts';
import { INTAKE_ENTERPRISE_FIELDS, provisionalOf } from './intake-enterprise.ts';
import { CHANNEL_LABELS } from '../../shared/states.ts';
import { repeatWindowStart, type RepeatCandidate } from './repeat.ts';

/** Enterprises whose messages start in one turn of the event loop (see acceptInboundBatch). */
const CHAIN_SLICE = 25;
/** Resolves after the coalescers' end-of-turn flushes that the work started so far scheduled. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/** Open issues kept per enterprise for the repeat check (as repeatCandidates reads them). */
const CANDIDATES_PER_ENTERPRISE = REPEAT_CANDIDATES;

/** The field each kind of step reads, for telling apart what one `$in` read found. */
const STEP_FIELDS: Record<MatchStep['by'], string> = {
  credit_code: 'creditCode',
  mobile: 'mobile',
  email: 'emails',
  openid: 'wechatOpenids',
  name: 'name',
  name_key: 'nameKey',
};

type Found = Map<string, IntakeEnterprise[]>;

/** One read per kind of step for all `steps`: what each value finds (in matchEnterprise's lookup shape). */
async function lookupAll(models: Models, steps: readonly MatchStep[]): Promise<Map<MatchStep['by'], Found>> {
  const byKind = new Map<MatchStep['by'], Set<string>>();
  for (const s of steps) byKind.set(s.by, (byKind.get(s.by) ?? new Set()).add(s.value));
  const out = new Map<MatchStep['by'], Found>();
  await Promise.all(
    [...byKind].map(async ([kind, values]) => {
      const field = STEP_FIELDS[kind];
      const list = [...values];
      const docs = await models.Enterprise.collection
        .find<IntakeEnterprise & Record<string, unknown>>(
          { [field]: list.length === 1 ? list[0] : { $in: list } },
          { projection: { ...INTAKE_ENTERPRISE_FIELDS, [field]: 1 } },
        )
        .toArray();
      const found: Found = new Map();
      for (const doc of docs) {
        const keys = Array.isArray(doc[field]) ? (doc[field] as unknown[]) : [doc[field]];
        const enterprise = Object.fromEntries(
          Object.keys({ _id: 1, ...INTAKE_ENTERPRISE_FIELDS })
            .filter((k) => doc[k] !== undefined)
            .map((k) => [k, doc[k]]),
        ) as unknown as IntakeEnterprise;
        for (const key of keys)
          if (typeof key === 'string' && values.has(key))
            found.set(key, [...(found.get(key) ?? []), enterprise]);
      }
      out.set(kind, found);
    }),
  );
  return out;
}

type Matched = { enterprise: IntakeEnterprise } | { enterprise: null; provisional: ProvisionalEnterprise };

/**
 * Each message's enterprise, as matchEnterprise decides it, from two rounds of shared reads: the credit codes
 * first (most messages name one, and a valid code decides alone), then every other way for the rest.
 */
async function matchAll(models: Models, msgs: readonly InboundMessage[]): Promise<Matched[]> {
  const steps = msgs.map((m) => matchSteps(m.enterprise, m.contact));
  const codes = await lookupAll(
    models,
    steps.flatMap((s) => s.filter((x) => x.by === 'credit_code')),
  );
  const rest = await lookupAll(models, steps.filter((s) => s[0]?.by !== 'credit_code').flat());
  return Promise.all(
    msgs.map((m) =>
      matchEnterprise<IntakeEnterprise>(
        async (step) => (step.by === 'credit_code' ? codes : rest).get(step.by)?.get(step.value) ?? [],
        m.enterprise,
        m.contact,
        CHANNEL_LABELS[m.channel],
      ),
    ),
  );
}

/**
 * What a sequence of batches (one run of an import job) keeps between its batches: each enterprise's open
 * issues as the last batch left them (read once, then only what others filed since), and the issues it filed
 * itself lately, which it need not read back.
 */
export interface BatchMemory {
  candidates: Map<string, RepeatCandidate[]>;
  /** When the candidates were last brought up to date. */
  readAt: Date | null;
  /** Issues this sequence filed, with when (kept for READ_OVERLAP_MS). */
  filed: { id: unknown; at: number }[];
}

export function createBatchMemory(): BatchMemory {
  return { candidates: new Map(), readAt: null, filed: [] };
}

/** How far back a catch-up read looks past the last one (issues inserted while it ran, clocks apart). */
const READ_OVERLAP_MS = 10_000;

/** Newest first, at most CANDIDATES_PER_ENTERPRISE, each issue once. */
function merged(newer: readonly RepeatCandidate[], older: readonly RepeatCandidate[]): RepeatCandidate[] {
  const seen = new Set<string>();
  return [...newer, ...older]
    .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime())
    .filter((c) => !seen.has(String(c._id)) && seen.add(String(c._id)))
    .slice(0, CANDIDATES_PER_ENTERPRISE);
}

/**
 * The open issues of the repeat window of each enterprise, newest first: one read for the enterprises new to
 * `memory`, one for what others filed for the rest since the last batch. A candidate that closed meanwhile
 * is harmless: a merge into it finds it closed and the message becomes an issue of its own (mergeAsSource).
 */
export async function candidatesOf(
  models: Models,
  enterpriseIds: readonly IntakeEnterprise['_id'][],
  now: Date,
  memory: BatchMemory,
): Promise<Map<string, RepeatCandidate[]>> {
  const out = new Map<string, RepeatCandidate[]>();
  const fresh = enterpriseIds.filter((id) => !memory.candidates.has(String(id)));
  const kept = enterpriseIds.filter((id) => memory.candidates.has(String(id)));
  const windowStart = repeatWindowStart(now);
  const since = memory.readAt && new Date(memory.readAt.getTime() - READ_OVERLAP_MS);
  memory.filed = memory.filed.filter((f) => !since || f.at >= since.getTime());
  const [first, later] = await Promise.all([
    fresh.length ? candidatesByEnterprise(models, fresh, windowStart) : new Map<string, RepeatCandidate[]>(),
    kept.length && since
      ? readRepeatCandidates(models, {
          enterpriseId: { $in: kept },
          createdAt: { $gte: since > windowStart ? since : windowStart },
          _id: { $nin: memory.filed.map((f) => f.id) },
        })
      : [],
  ]);
  for (const [id, list] of first) out.set(id, list);
  const news = new Map<string, RepeatCandidate[]>();
  for (const { enterpriseId, ...c } of later)
    news.set(String(enterpriseId), [...(news.get(String(enterpriseId)) ?? []), c]);
  for (const id of kept)
    out.set(String(id), merged(news.get(String(id)) ?? [], memory.candidates.get(String(id))!));
  for (const [id, list] of out) memory.candidates.set(id, list);
  memory.readAt = now;
  return out;
}

/** A message that failed before its processing: a dead letter with the reason, like processEntry's. */
async function failed(deps: PipelineDeps, entry: InboxEntryDoc, err: unknown, now: Date): Promise<IntakeAck> {
  const reason = await deadLetter(deps.models, entry, err, now);
  return { inboxId: String(entry._id), status: 'failed', reason };
}

/**
 * Redeliveries answered from one read: an entry its own source already processed answers `duplicate` with
 * its number; anything else (in flight, failed, another source's) goes the single-message way.
 */
async function redeliveries(
  deps: PipelineDeps,
  rows: readonly { entry: InboxEntryDoc; msg: InboundMessage; by: IntakeBy }[],
): Promise<IntakeAck[]> {
  // MongoDB refuses an empty `$or`, and most batches redeliver nothing.
  if (rows.length === 0) return [];
  const firsts = await deps.models.InboxEntry.collection
    .find<InboxEntryDoc>(
      { $or: rows.map((r) => ({ channel: r.entry.channel, externalId: r.entry.externalId })) },
      { projection: { channel: 1, externalId: 1, source: 1, status: 1, number: 1, message: 1 } },
    )
    .toArray();
  const byKey = new Map(firsts.map((f) => [`${f.channel} ${f.externalId}`, f]));
  return Promise.all(
    rows.map(async (r) => {
      const first = byKey.get(`${r.entry.channel} ${r.entry.externalId}`);
      const same = first?.message ? sameMessage(first.message, r.msg) : true;
      if (first?.status === 'processed' && first.source === r.by.source && same)
        return {
          inboxId: String(first._id),
          number: first.number ?? undefined,
          status: 'duplicate' as const,
        };
      // Refused alone (another source's id, another message under it): the batch's other rows go on.
      return redelivery(deps, r.entry, r.msg, r.by).then(
        (outcome) => outcome.ack,
        (err: unknown) => {
          if (!isAppError(err) || err.status !== 409) throw err;
          return { inboxId: '', status: 'failed' as const, reason: err.message };
        },
      );
    }),
  );
}

/**
 * The channel sink for many messages (no attachments): each stored, processed and acknowledged as
 * acceptInbound would, the answers in the messages' order.
 */
export async function acceptInboundBatch(
  deps: PipelineDeps,
  msgs: readonly InboundMessage[],
  credentialId?: string,
  memory: BatchMemory = createBatchMemory(),
): Promise<IntakeAck[]> {
  if (!msgs.length) return [];
  const { models } = deps;
  const now = deps.clock.now();
  const rows = msgs.map((msg) => {
    const by = channelBy(msg.channel, credentialId);
    return { msg, by, entry: inboxEntryOf(msg, by, now) };
  });
  // As in runIntake: reading who the messages are about changes nothing, so it runs before acceptance.
  const matched = await matchAll(models, msgs);
  const [inserted, config] = await Promise.all([
    batchedInsertMany(
      models.InboxEntry.collection as unknown as Collection,
      rows.map((r) => r.entry),
    ),
    configOf(deps),
  ]);
  const acks: (IntakeAck | undefined)[] = new Array(msgs.length);
  const again: number[] = [];
  const accepted: number[] = [];
  inserted.forEach((o, i) => {
    if (o.ok) accepted.push(i);
    else if (isDuplicateKey(o.error)) again.push(i);
    // Not stored, so not accepted: the row fails alone, as its single intake would have.
    else acks[i] = { inboxId: '', status: 'failed', reason: `处理失败：${(o.error as Error).message}` };
  });

  // One registration per unknown enterprise, however many of the batch's messages name it.
  const provisional = new Map<string, Promise<IntakeEnterprise>>();
  const enterpriseOf = (i: number): Promise<IntakeEnterprise> => {
    const m = matched[i];
    if (m.enterprise) return Promise.resolve(m.enterprise);
    const key = m.provisional.creditCode ?? `name ${m.provisional.name}`;
    let p = provisional.get(key);
    if (!p) provisional.set(key, (p = provisionalOf(models, m.provisional)));
    return p;
  };
  const groups = new Map<string, { enterprise: IntakeEnterprise; rows: number[] }>();
  await Promise.all(
    accepted.map(async (i) => {
      try {
        const enterprise = await enterpriseOf(i);
        const key = String(enterprise._id);
        const group = groups.get(key) ?? { enterprise, rows: [] };
        group.rows.push(i);
        groups.set(key, group);
      } catch (err) {
        acks[i] = await failed(deps, rows[i].entry, err, now);
      }
    }),
  );
  const known = [...groups.values()];
  const candidates = await candidatesOf(
    models,
    known.map((g) => g.enterprise._id),
    now,
    memory,
  );
  const answered = redeliveries(
    deps,
    again.map((i) => rows[i]),
  ).then((answers) => answers.forEach((a, k) => (acks[again[k]] = a)));
  // Each enterprise's messages one after another (each sees the issues the ones before it created), the
  // enterprises side by side: their commands share batches through the coalescers. The chains start a slice
  // at a time, so the first slice's writes are on their way while the next slice is classified.
  const one = async (enterprise: IntakeEnterprise, i: number): Promise<void> => {
    const { msg, by, entry } = rows[i];
    const list = candidates.get(String(enterprise._id)) ?? [];
    const { ack, issue } = await processEntry(deps, entry, msg, by, {
      matched: { enterprise },
      config,
      candidates: list,
    }).catch(async (err: unknown) => ({ ack: await failed(deps, entry, err, now), issue: undefined }));
    acks[i] = ack;
    // The enterprise's next message sees this one's issue (newest first, as the read sorts).
    if (issue && ack.status === 'created') {
      list.unshift(issue as unknown as RepeatCandidate);
      list.length = Math.min(list.length, CANDIDATES_PER_ENTERPRISE);
      memory.filed.push({ id: issue._id, at: now.getTime() });
    }
  };
  const chains: Promise<void>[] = [];
  for (const [k, { enterprise, rows: mine }] of known.entries()) {
    if (k && k % CHAIN_SLICE === 0) await nextTurn();
    const chain = (async () => {
      for (const i of mine.sort((x, y) => x - y)) await one(enterprise, i);
    })();
    chain.catch(() => {}); // awaited below; marked handled while the next slices start
    chains.push(chain);
  }
  await Promise.all(chains);
  await answered;
  return acks.map(
    (a, i) => a ?? { inboxId: String(rows[i].entry._id), status: 'failed', reason: '处理失败' },
  );
}
