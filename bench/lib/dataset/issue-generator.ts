// The data set generator: issues exactly as the application stores them (IssueDoc: ObjectIds, Dates and
// numbers where the app writes them), in creation order, numbered `HZ-<year>-<6 digits>` per China calendar
// year as the intake command numbers them. Each issue is taken in as the intake command would (creation event,
// automatic dispatch when triage is confident) and then lives its story on a simulated clock through the
// pure shared core (issue-sim.ts), up to the data set's `asOf`. Deterministic: the same spec and world give
// the same documents, byte for byte.
//
// Modes:
//  - history: `issues` issues over `years` of intake growing by 60 % from first to last year, so most are
//    finished and the open backlog has realistic ages;
//  - sweep: `issues` OPEN issues taken in over the last 21 days, of which exactly `due` are left with their
//    next follow-up due at `asOf` (the sweep has not run since), the others due later or never.
import { ObjectId } from 'mongodb';
import { createWorkCalendar, type WorkCalendar } from '../../../shared/calendar.ts';
import { DAY_MS } from '../../../shared/clock.ts';
import { applyAction } from '../../../shared/lifecycle/apply.ts';
import { createIssueCore, creationEvent, SYSTEM_ACTOR } from '../../../shared/lifecycle/issue-core.ts';
import type { IssueState, Tier } from '../../../shared/states.ts';
import { coordinationTier, defaultRouting } from '../../../config/routing.ts';
import { DEFAULT_TIME_LIMIT_POLICY } from '../../../config/time-limits.ts';
import { inStoredOrder } from '../../../server/commands/issue-intake.doc.ts';
import { coreToSet, withActorName } from '../../../server/commands/issue-store.ts';
import { createRng, type Rng } from '../../../server/seed/prng.ts';
import { searchTermsOf } from '../../../server/text/search-terms.ts';
import { vagueText } from '../../../server/seed/issue-texts.seed.ts';
import { IssueSim, type NamedActor, type SimSettings } from './issue-sim.ts';
import { EXTERNAL_CHANNELS, planIssue, type IssuePlan } from './issue-plan.ts';
import { runStory, type StoryCast } from './issue-story.ts';
import { FINISHED } from './generation-summary.ts';
import { issueText } from './texts.ts';
import { makeObjectId, OID_TAG, type World, type WorldEnterprise, type WorldUnit } from './world.ts';

export interface IssueSpec {
  mode: 'history' | 'sweep';
  issues: number;
  seed: number;
  asOf: Date;
  /** history: years of intake (default 3). */
  years?: number;
  /** sweep: issues left due at asOf (default min(10,000, issues / 2)). */
  due?: number;
  /** Generate only issues [from, to) of the `issues` (a segment; the time axis restarts at `from`). */
  range?: { from: number; to: number };
}

export type RawIssue = Record<string, unknown> & { _id: ObjectId; state: IssueState; timeline: unknown[] };

/** Generated issues held back so a duplicate can still be linked into its master's `mergedFrom`. */
const MERGE_WINDOW = 500;
const SWEEP_SPAN_DAYS = 21;
/** Due issues come from the older part of the sweep window, where follow-ups have fallen due. */
const DUE_MIN_AGE_DAYS = 8;

const issueRng = (seed: number, i: number, attempt = 0) =>
  createRng((seed ^ Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(attempt, 0x85ebca6b)) >>> 0);

/** Intake volume grows linearly by `growth` over the span: the inverse of its cumulative share. */
function spanFraction(u: number, growth = 0.6): number {
  if (growth === 0) return u;
  return (-1 + Math.sqrt(1 + 2 * growth * u * (1 + growth / 2))) / growth;
}

interface Intake {
  sim: IssueSim;
  /** Dispatched at intake by the configured routing (no admin rules exist in a generated database). */
  routed: boolean;
  source: 'input' | 'classifier';
}

/** Staff input is certain; the classifier is confident (≥ 0.6) exactly when intake could dispatch. */
function confidence(rng: Rng, intake: Intake, plan: IssuePlan): number {
  if (intake.source === 'input') return 1;
  return plan.vague ? 0.3 + 0.25 * rng.next() : 0.6 + 0.35 * rng.next();
}

interface Pending {
  doc: RawIssue;
  index: number;
  category: string;
  mergeable: boolean;
}

export class IssueGenerator {
  readonly calendar: WorkCalendar = createWorkCalendar();
  private readonly settings: SimSettings;
  private readonly start: number;
  private readonly workingSpan: number;
  private readonly dueTotal: number;
  /** Issues before this index are old enough to be left due. */
  private readonly dueBefore: number;
  private cursor: number;
  private lastFraction = 0;
  private next = 0;
  private readonly pending: Pending[] = [];
  private readonly pendingById = new Map<string, Pending>();
  private readonly routes = new Map<string, { unit: WorldUnit | undefined; tier: Tier }>();
  private readonly masters = new Map<string, Pending[]>();
  private readonly candidates = new Map<string, WorldUnit[]>();
  private readonly end: number;

  constructor(
    readonly spec: IssueSpec,
    readonly world: World,
  ) {
    const asOf = spec.asOf.getTime();
    this.settings = { calendar: this.calendar, policy: DEFAULT_TIME_LIMIT_POLICY, asOf };
    const spanDays = spec.mode === 'sweep' ? SWEEP_SPAN_DAYS : 365 * (spec.years ?? 3);
    this.start = asOf - spanDays * DAY_MS;
    this.workingSpan = this.calendar.workingMsBetween(new Date(this.start), spec.asOf);
    const from = spec.range?.from ?? 0;
    this.end = spec.range?.to ?? spec.issues;
    this.next = from;
    this.lastFraction = from ? spanFraction(from / spec.issues, this.growth) : 0;
    this.cursor = this.calendar
      .addWorkingMs(new Date(this.start), this.lastFraction * this.workingSpan)
      .getTime();
    this.dueTotal = spec.mode === 'sweep' ? (spec.due ?? Math.min(10_000, Math.floor(spec.issues / 2))) : 0;
    // Due issues are spread evenly over the issues at least DUE_MIN_AGE_DAYS old (the first ones).
    const oldShare = spanFraction(1 - DUE_MIN_AGE_DAYS / spanDays, 0);
    this.dueBefore = Math.max(this.dueTotal, Math.floor(spec.issues * oldShare));
  }

  /** The next `size` issues ready to insert (fewer at the end; empty when done). */
  batch(size: number): RawIssue[] {
    while (this.next < this.end && this.pending.length < MERGE_WINDOW + size) {
      const p = this.make();
      this.pending.push(p);
      this.pendingById.set(p.doc._id.toHexString(), p);
    }
    const take = this.next >= this.end ? size : Math.max(0, this.pending.length - MERGE_WINDOW);
    const out = this.pending.splice(0, Math.min(size, take));
    for (const p of out) this.pendingById.delete(p.doc._id.toHexString());
    return out.map((p) => p.doc);
  }

  private get growth(): number {
    return this.spec.mode === 'sweep' ? 0 : 0.6;
  }

  private isDue(i: number): boolean {
    if (!this.dueTotal || i >= this.dueBefore) return false;
    const span = this.dueBefore;
    return Math.floor(((i + 1) * this.dueTotal) / span) > Math.floor((i * this.dueTotal) / span);
  }

  /** Creation instants follow the issue order, in working time, with intake growing over the years. */
  private createdAt(rng: Rng, i: number): number {
    const fraction = spanFraction((i + rng.next()) / this.spec.issues, this.growth);
    const step = Math.max(0, fraction - this.lastFraction) * this.workingSpan;
    this.lastFraction = Math.max(fraction, this.lastFraction);
    this.cursor = this.calendar.addWorkingMs(new Date(this.cursor), step).getTime();
    return Math.min(this.cursor, this.settings.asOf - 1);
  }

  private make(): Pending {
    const i = this.next++;
    const at = this.createdAt(issueRng(this.spec.seed, i), i);
    const due = this.isDue(i);
    for (let attempt = 0; ; attempt++) {
      const rng = issueRng(this.spec.seed, i, attempt + 1);
      const ageMs = this.settings.asOf - at;
      const ctx = { mode: this.spec.mode, enterpriseCount: this.world.enterprises.length, ageMs, due };
      const plan = planIssue(rng, ctx);
      if (plan.story.outcome === 'merge') plan.story.mergeInto = this.pickMaster(rng, plan);
      const intake = this.live(rng, plan, at);
      if (this.spec.mode === 'sweep' && !this.settleSweep(intake.sim, due) && attempt < 20) continue;
      return this.finish(i, at, plan, intake, rng);
    }
  }

  /** Sweep data set: a due issue is rolled back to just before its last firing; no other issue is due. */
  private settleSweep(sim: IssueSim, due: boolean): boolean {
    if (due && !sim.rollBackLastFiring()) return false;
    const next = sim.core.nextCheckAt?.getTime();
    const isDue = next !== undefined && next <= this.settings.asOf;
    return isDue === due && !FINISHED.has(sim.state);
  }

  private pickMaster(rng: Rng, plan: IssuePlan): string | null {
    const pool = (this.masters.get(plan.category) ?? []).filter((p) =>
      this.pendingById.has(p.doc._id.toHexString()),
    );
    return pool.length ? rng.pick(pool).doc._id.toHexString() : null;
  }

  private unitsFor(category: string, region: string): WorldUnit[] {
    const key = `${category}|${region}`;
    let list = this.candidates.get(key);
    if (!list) {
      const has = (u: WorldUnit) => u.categories.includes(category as never);
      list = [
        ...this.world.units.filter((u) => u.level === 'county' && u.region === region && has(u)),
        ...this.world.units.filter((u) => u.level === 'city' && has(u)),
      ];
      this.candidates.set(key, list);
    }
    return list;
  }

  private creator(rng: Rng, plan: IssuePlan, e: WorldEnterprise): NamedActor {
    if (plan.channel === 'qr')
      return {
        id: `enterprise:${e._id.toHexString()}`,
        username: e._id.toHexString(),
        role: 'enterprise',
        name: e.name,
      };
    let username = rng.next() < 0.6 ? 'clerk' : 'dispatcher';
    if (plan.channel === 'visit' && rng.next() < 0.5) username = 'leader';
    if (plan.channel === 'discovery') username = `handler-${e.region}-centre`;
    return this.world.actors.get(username) ?? this.world.actors.get('clerk')!;
  }

  /** Triage's routing and starting tier (config/routing), memoised per category, region and complexity. */
  private route(plan: IssuePlan, region: string) {
    const complex = plan.urgency === 'complex';
    const key = `${plan.category}|${region}|${complex}`;
    let r = this.routes.get(key);
    if (!r) {
      const unit = this.world.unitByCode.get(defaultRouting(plan.category, region) ?? '');
      const tier = coordinationTier({ categories: [plan.category], regions: [region], complex });
      r = { unit, tier };
      this.routes.set(key, r);
    }
    return r;
  }

  /** Intake (as takeInIssue does it) and then the story, up to asOf. */
  private live(rng: Rng, plan: IssuePlan, at: number): Intake {
    const e = this.world.enterprises[plan.enterpriseIndex];
    const now = new Date(at);
    // A unit reports discoveries only in its own categories (as in the demo seed); the rest came to the window.
    const centre = this.world.unitByCode.get(`${e.region}-centre`);
    if (plan.channel === 'discovery' && !centre?.categories.includes(plan.category)) plan.channel = 'window';
    const creator = this.creator(rng, plan, e);
    const route = this.route(plan, e.region);
    let core = createIssueCore({ urgency: plan.urgency, category: plan.category, tier: route.tier });
    // The QR form and vague messages leave category and urgency to the classifier.
    const source = plan.vague || plan.channel === 'qr' || rng.next() < 0.3 ? 'classifier' : 'input';
    const events = [withActorName(creationEvent(now, creator, { classification: source }), creator.name)];
    const routed = plan.vague ? null : route.unit;
    if (routed) {
      const input = { unitId: routed.id, coUnitIds: [], level: routed.level };
      const { calendar, policy } = this.settings;
      const r = applyAction(core, 'dispatch', input, { now, actor: SYSTEM_ACTOR, calendar, policy });
      events.push(withActorName({ ...r.event, note: '系统按分类与属地自动分办' }, '系统'));
      core = r.issue;
    }
    const unitName = (id: string) => this.world.unitById.get(id)?.name;
    const sim = new IssueSim(
      this.settings,
      core,
      at,
      events,
      routed?.name ?? null,
      plan.story.pace,
      unitName,
    );
    const units = this.unitsFor(plan.category, e.region);
    const cast: StoryCast = {
      rng,
      world: this.world,
      enterprise: { id: e._id.toHexString(), name: e.name },
      pickUnit: (except) => {
        const others = units.filter((u) => u.id !== except);
        return rng.pick(
          others.length ? others : this.world.units.filter((u) => u.level === 'city' && u.categories.length),
        );
      },
    };
    runStory(sim, plan.story, cast, this.settings.asOf);
    return { sim, routed: !!routed, source };
  }

  private finish(i: number, at: number, plan: IssuePlan, intake: Intake, rng: Rng): Pending {
    const { sim } = intake;
    const e = this.world.enterprises[plan.enterpriseIndex];
    const created = new Date(at);
    const text = plan.vague && rng.next() < 0.5 ? vagueText(plan.category) : issueText(rng, plan.category);
    const _id = makeObjectId(OID_TAG.issue, Math.floor(at / 1000), i, this.spec.seed);
    const externalId =
      plan.channel === 'qr'
        ? `qr:${e._id.toHexString()}:${_id.toHexString().slice(-12)}`
        : EXTERNAL_CHANNELS.has(plan.channel)
          ? `${plan.channel}-${String(i + 1).padStart(7, '0')}`
          : undefined;
    const creator = sim.timeline[0];
    const doc = inStoredOrder({
      _id,
      ...storedCore(sim, this.world),
      // Numbered in order by the IssueStream (the per-year sequence spans segments and workers).
      number: '',
      enterpriseId: e._id,
      enterpriseName: e.name,
      enterpriseCreditCode: e.creditCode,
      region: e.region,
      channel: plan.channel,
      ...(externalId ? { externalId } : {}),
      title: text.title,
      content: text.content,
      contact: null,
      inboxId: null,
      raisedAt: null,
      sources: [],
      classification: {
        source: intake.source,
        confidence: confidence(rng, intake, plan),
        alternatives: [],
        modelVersion: null,
        human: intake.source === 'input',
      },
      routing: { source: intake.routed ? 'config' : 'none' },
      unitName: sim.unitName,
      mergedFrom: [] as ObjectId[],
      // As intake stores them (storedIntakeIssue): the fields set later held as null, the head fields first
      // (inStoredOrder), the timeline last.
      possibleRepeat: null,
      assigneeId: sim.core.assigneeId ?? null,
      assigneeName: null,
      classProblemId: null,
      version: sim.version,
      createdBy: creator.actorId,
      createdAt: created,
      // The list search's word index, as intake stores it (storedIntakeIssue).
      searchTerms: searchTermsOf(text.title, text.content, e.name),
      timeline: sim.timeline,
    }) as unknown as RawIssue;
    if (plan.story.mergeInto) {
      const master = this.pendingById.get(plan.story.mergeInto);
      if (master && doc.state === 'merged') (master.doc.mergedFrom as ObjectId[]).push(_id);
    }
    const pending = {
      doc,
      index: i,
      category: plan.category,
      mergeable: !['merge', 'reject', 'reject_reopen'].includes(plan.story.outcome),
    };
    if (pending.mergeable) {
      const list = this.masters.get(plan.category) ?? [];
      list.push(pending);
      if (list.length > 8) list.shift();
      this.masters.set(plan.category, list);
    }
    return pending;
  }
}

/** The core's fields as the app's $set stores them: unit and issue ids become ObjectIds (Mixed stays as is). */
function storedCore(sim: IssueSim, world: World): Record<string, unknown> {
  const set = coreToSet(sim.core, new Date(sim.updatedAt));
  const oid = (id: unknown) => world.unitById.get(id as string)?._id ?? new ObjectId(id as string);
  const oids = (ids: unknown) => (ids as string[]).map(oid);
  const rating = set.rating as Record<string, unknown> | null;
  return {
    ...set,
    unitId: set.unitId ? oid(set.unitId) : null,
    coUnitIds: oids(set.coUnitIds),
    returnedFrom: oids(set.returnedFrom),
    consultUnitIds: oids(set.consultUnitIds),
    mergedInto: set.mergedInto ? new ObjectId(set.mergedInto as string) : null,
    // A typed subdocument: mongoose drops undefined keys there.
    rating: rating ? Object.fromEntries(Object.entries(rating).filter(([, v]) => v !== undefined)) : null,
  };
}
