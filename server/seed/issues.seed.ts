// Demo issues (≥ 300): taken in through the real intake command and walked through their stories with the real
// action commands on simulated clocks over the past ~4 months, so numbers, timelines, deadlines, warning
// lights and follow-ups are all genuine. Deterministic (seeded PRNGs, times relative to the seed's clock) and
// idempotent: it does nothing when any issue exists.
//
// Speed: issues are taken in one by one (numbers follow time), then a chunk of stories runs concurrently, each
// with its own clock and PRNG, so on a disk-backed database the journal's group commit absorbs the writes.
//
// Each message names who sent it and carries its channel's own id (issue-messages.seed.ts,
// external-ids.seed.ts); complaints come round in turn (ProblemDeck), a duplicate repeats an open issue of the
// same enterprise, and only recent issues still wait on someone (待受理, or a unit that let it run late).
import { createWorkCalendar, type WorkCalendar } from '../../shared/calendar.ts';
import { createSimulatedClock, DAY_MS, HOUR_MS, type Clock } from '../../shared/clock.ts';
import type { Actor } from '../../shared/roles.ts';
import {
  CATEGORY_IDS,
  CHANNEL_IDS,
  type CategoryId,
  type ChannelId,
  type Urgency,
} from '../../shared/states.ts';
import { DEFAULT_TIME_LIMIT_POLICY } from '../../config/time-limits.ts';
import { issueCreateCommand } from '../commands/issue-create.command.ts';
import type { IssueCommandDeps } from '../commands/issue-deps.ts';
import type { EnterpriseDoc, IssueDoc, Models, UnitDoc } from '../models/index.ts';
import { createRng, type Rng } from './prng.ts';
import { ExternalIds } from './external-ids.seed.ts';
import { IssueScript, StoryEnd, type ScriptWorld } from './issue-script.seed.ts';
import {
  CLOSED_GOOD,
  pickStory,
  stalled,
  TRIAGED,
  WAITING_FOR_TRIAGE,
  type Story,
  type StoryEntry,
  type StoryTools,
} from './issue-scenarios.seed.ts';
import { ProblemDeck, statedUrgency, TriageDeck } from './issue-texts.seed.ts';
import { duplicateMessage, planMessage, type SeedMessage, type PlannedText } from './issue-messages.seed.ts';

export interface IssueSeedOptions {
  units: readonly UnitDoc[];
  enterprises: readonly EnterpriseDoc[];
  count?: number;
  /** How far back the demo history starts. */
  days?: number;
  seed?: number;
  /** Other issues to take in at their own time among these (the demo classes), so numbers still follow time. */
  alongside?: readonly TimedIntake[];
  /** The channel ids already handed out (to the demo classes); a fresh set when absent. */
  externalIds?: ExternalIds;
}

/**
 * One issue taken in at `at` by `create`. Through `seedIssues` its lead unit then signs it and leaves it waiting
 * (`stalled`); `seedClassIssues` (tests) only creates it.
 */
export interface TimedIntake {
  at: Date;
  create: () => Promise<{ issue: IssueDoc }>;
}

export interface IssueSeedSummary {
  created: number;
  skipped: boolean;
}

/**
 * The urgency of a text that states none of DESIGN §5's cues (a stoppage, a safety risk, a utility cut, a
 * deadline): drawn, as its context would decide. 特急 needs a stated stoppage or risk, so it is never drawn.
 */
const URGENCY_WEIGHTS: ReadonlyArray<readonly [Urgency, number]> = [
  ['normal', 55],
  ['urgent', 28],
  ['complex', 17],
];
const CHUNK = 8;
/** Where messages intake cannot route come from (calls most of all). */
const UNROUTED_CHANNELS: readonly ChannelId[] = [
  'hotline12345',
  'hotline12345',
  'window',
  'zheliban',
  'email',
  'wechat',
  'sms',
  'meeting',
];
/** Messages this recent (working time) may still wait in 待受理; most of them do. */
const RECENT_MS = 4 * 7.5 * HOUR_MS;
const RECENT_WAITING = 0.7;
/** Issues older than this have closed their loop: none is still waiting on a unit, a check or a rating. */
const SETTLED_MS = 45 * DAY_MS;

interface Plan {
  index: number;
  story: StoryEntry;
  /** What the message says (its wording is composed at intake). */
  text: PlannedText;
  enterprise: EnterpriseDoc;
  category: CategoryId;
  channel: ChannelId;
  urgency: Urgency;
  at: Date;
  creator: string;
  /** Old enough that its story closes the loop (StoryTools.settle). */
  settle: boolean;
  /** The earlier open issue a duplicate repeats (taken in by a previous chunk). */
  master?: Plan;
  /** Set at intake: the message as taken in (a later duplicate repeats it). */
  message?: SeedMessage;
}

function weighted<T>(rng: Rng, entries: ReadonlyArray<readonly [T, number]>): T {
  let r = rng.next() * entries.reduce((s, [, w]) => s + w, 0);
  for (const [value, w] of entries) if ((r -= w) < 0) return value;
  return entries[0][0];
}

async function loadActors(models: Models): Promise<Map<string, Actor>> {
  const users = await models.User.find(
    { disabled: false },
    { username: 1, name: 1, role: 1, unitId: 1, region: 1 },
  ).lean();
  // Display names, as a signed-in user's actions record them: timelines and assignees read 陈志强.
  const actor = (u: (typeof users)[number]): Actor => ({
    id: String(u._id),
    username: u.username,
    name: u.name,
    role: u.role,
    unitId: u.unitId ? String(u.unitId) : undefined,
    region: u.region,
  });
  return new Map(users.map((u) => [u.username, actor(u)]));
}

interface PlanContext {
  rng: Rng;
  enterprises: readonly EnterpriseDoc[];
  centres: readonly UnitDoc[];
  calendar: WorkCalendar;
  start: number;
  span: number;
  count: number;
  problems: ProblemDeck;
  triage: TriageDeck;
  /** The plans so far whose stories leave them open (masters for later duplicates). */
  open: Plan[];
  /** How many duplicates each master has drawn (an enterprise writes again once or twice, not every week). */
  repeats: Map<number, number>;
}

/**
 * The open issue a duplicate at `i` repeats: one of the same category (any when none) taken in by an earlier
 * chunk, whose story has run by then; none before the first such issue.
 */
function masterFor(i: number, category: CategoryId, c: PlanContext): Plan | undefined {
  const earlier = c.open.filter((p) => p.index < i - (i % CHUNK) && (c.repeats.get(p.index) ?? 0) < 2);
  const same = earlier.filter((p) => p.category === category);
  const pool = same.length ? same : earlier;
  const master = pool.length ? c.rng.pick(pool) : undefined;
  if (master) c.repeats.set(master.index, (c.repeats.get(master.index) ?? 0) + 1);
  return master;
}

/** What the story's message says: the next complaint of the category, or the next message of its kind. */
function planText(c: PlanContext, story: StoryEntry, category: CategoryId): PlannedText {
  switch (story.text) {
    case 'problem':
      return { kind: 'problem', problem: c.problems.next(category) };
    case 'cross':
      return { kind: 'cross', text: c.triage.crossDepartment() };
    case 'outside':
    case 'reopened':
      return { kind: 'outside', text: c.triage.outOfScope(story.text === 'reopened') };
    default:
      return { kind: 'duplicate' };
  }
}

const settled = (at: Date, end: Date, days?: number) =>
  end.getTime() - at.getTime() > (days ? days * DAY_MS : SETTLED_MS);

/** Everything about issue `i` that is decided up front, from the main PRNG, in order. */
function planIssue(i: number, c: PlanContext): Plan {
  const { rng } = c;
  let story = pickStory(rng);
  let enterprise = rng.pick(c.enterprises);
  let category = CATEGORY_IDS[i % CATEGORY_IDS.length];
  const urgency = weighted(rng, URGENCY_WEIGHTS);
  const at = c.calendar.addWorkingHours(new Date(c.start + ((i + rng.next()) * c.span) / c.count), 0.25);
  // A dispatcher's queue holds the last days' messages; older ones were routed long ago, and no unit has left
  // an issue untouched for months.
  const end = new Date(c.start + c.span);
  const recent = c.calendar.workingMsBetween(at, end) < RECENT_MS;
  if (recent && rng.next() < RECENT_WAITING) story = WAITING_FOR_TRIAGE;
  else if (story === WAITING_FOR_TRIAGE) story = TRIAGED;
  else if (story.unfinished && settled(at, end, story.settleDays)) story = CLOSED_GOOD;
  // A duplicate is the same enterprise writing again, through another channel, about the same problem.
  const master = story.text === 'duplicate' ? masterFor(i, category, c) : undefined;
  if (story.text === 'duplicate' && !master) story = CLOSED_GOOD;
  if (master) ({ enterprise, category } = master);
  let channel = story.text === 'problem' ? CHANNEL_IDS[(i * 7) % 12] : rng.pick(UNROUTED_CHANNELS);
  if (master && channel === master.channel) channel = channel === 'window' ? 'hotline12345' : 'window';
  const centre = c.centres.find((u) => u.region === enterprise.region) ?? c.centres[0];
  // A unit reports discoveries only in its own categories; anything else came through the window.
  if (channel === 'discovery' && !centre.categories.includes(category)) channel = 'window';
  let creator = rng.next() < 0.6 ? 'clerk' : 'dispatcher';
  if (channel === 'visit' && rng.next() < 0.5) creator = 'leader';
  if (channel === 'discovery') creator = `handler-${centre.code}`;
  const plan: Plan = {
    index: i,
    story,
    text: planText(c, story, category),
    enterprise,
    category,
    channel,
    // 疑难复杂 is staff's judgement of a complaint; a message not yet understood is not one.
    urgency: story.text === 'problem' || urgency !== 'complex' ? urgency : 'normal',
    at,
    creator,
    settle: settled(at, end),
    ...(master ? { master } : {}),
  };
  if (story.mergeable) c.open.push(plan);
  return plan;
}

/** Picks a unit for an issue's category and region (dispatch, transfer, decide): its county's or the city's. */
function unitPicker(rng: Rng, units: readonly UnitDoc[]): StoryTools['pickUnit'] {
  const candidates = (category: CategoryId, region: string) => [
    ...units.filter((u) => u.level === 'county' && u.region === region && u.categories.includes(category)),
    ...units.filter((u) => u.level === 'city' && u.categories.includes(category)),
  ];
  return (s, except) => {
    const all = candidates(s.doc.category, s.doc.region).filter((u) => String(u._id) !== except);
    const fallback = units.filter(
      (u) => u.level === 'city' && u.categories.length && String(u._id) !== except,
    );
    return String(rng.pick(all.length ? all : fallback)._id);
  };
}

function storyTools(rng: Rng, units: readonly UnitDoc[], plan: Plan, target: string | null): StoryTools {
  return {
    rng,
    pickUnit: unitPicker(rng, units),
    mergeTarget: () => target,
    settle: plan.settle,
    ...(plan.text.kind === 'cross' ? { triageCategory: plan.text.text.category } : {}),
    ...(plan.text.kind === 'outside' && plan.text.text.category
      ? { triageCategory: plan.text.text.category }
      : {}),
  };
}

async function runStory(world: ScriptWorld, script: IssueScript, story: Story, tools: StoryTools) {
  try {
    await story(script, tools);
  } catch (err) {
    if (!(err instanceof StoryEnd)) throw err;
  }
  await script.catchUp(world.end);
}

interface SeedRun {
  models: Models;
  seed: number;
  end: Date;
  calendar: WorkCalendar;
  settings: { calendar: WorkCalendar; policy: typeof DEFAULT_TIME_LIMIT_POLICY };
  actors: ReadonlyMap<string, Actor>;
  units: readonly UnitDoc[];
  unitsById: ReadonlyMap<string, UnitDoc>;
  /** Issue ids by plan index, filled as issues are taken in. */
  ids: Map<number, string>;
  externalIds: ExternalIds;
}

/** The world a story plays in: its own clock, starting at `at`, and the seed's users, units and "now". */
function scriptWorld(run: SeedRun, at: Date): ScriptWorld {
  const sim = createSimulatedClock(at);
  const deps: IssueCommandDeps = { models: run.models, clock: sim, settings: async () => run.settings };
  return {
    deps,
    clock: sim,
    calendar: run.calendar,
    end: run.end,
    actors: run.actors,
    unitsById: run.unitsById,
  };
}

/** Takes the issue in at its planned instant, on its own clock, and returns its story, ready to run. */
async function takeIn(run: SeedRun, plan: Plan): Promise<() => Promise<void>> {
  const world = scriptWorld(run, plan.at);
  const { deps } = world;
  const actor = run.actors.get(plan.creator);
  if (!actor) throw new Error(`seed: no demo user ${plan.creator}`);
  const rng = createRng(run.seed + plan.index);
  const { enterprise, master } = plan;
  const message =
    plan.text.kind === 'duplicate'
      ? duplicateMessage(rng, master!.message!, plan.channel, enterprise)
      : planMessage(rng, plan.text, plan.channel, enterprise);
  plan.message = message;
  const externalId = run.externalIds.next(plan.channel, {
    at: plan.at,
    region: enterprise.region,
    email: message.contact?.email,
  });
  const text = { title: message.title, content: message.content };
  const { issue } = await issueCreateCommand(deps, actor, {
    enterprise: { id: String(enterprise._id) },
    channel: plan.channel,
    ...text,
    ...(plan.text.kind === 'problem' ? { category: plan.category } : {}),
    urgency: statedUrgency(text, plan.urgency),
    ...(externalId ? { externalId } : {}),
    ...(message.contact ? { contact: message.contact } : {}),
  });
  run.ids.set(plan.index, String(issue._id));
  const target = master ? (run.ids.get(master.index) ?? null) : null;
  const tools = storyTools(createRng(run.seed * 31 + plan.index), run.units, plan, target);
  return () => runStory(world, new IssueScript(world, issue), plan.story.story, tools);
}

/** Takes in one of the other issues (a demo class's complaint); its lead unit signs it and waits for the fix. */
async function takeInAlongside(
  run: SeedRun,
  intake: TimedIntake,
  index: number,
): Promise<() => Promise<void>> {
  const { issue } = await intake.create();
  const world = scriptWorld(run, intake.at);
  const rng = createRng(run.seed * 37 + index);
  const tools: StoryTools = { rng, pickUnit: unitPicker(rng, run.units), mergeTarget: () => null };
  return () => runStory(world, new IssueScript(world, issue), stalled, tools);
}

export async function seedIssues(
  models: Models,
  clock: Clock,
  options: IssueSeedOptions,
): Promise<IssueSeedSummary> {
  if ((await models.Issue.estimatedDocumentCount()) > 0) return { created: 0, skipped: true };
  const count = options.count ?? 320;
  const end = clock.now();
  const span = (options.days ?? 120) * DAY_MS;
  const calendar = createWorkCalendar();
  const seed = options.seed ?? 20260323;
  const run: SeedRun = {
    models,
    seed,
    end,
    calendar,
    settings: { calendar, policy: DEFAULT_TIME_LIMIT_POLICY },
    actors: await loadActors(models),
    units: options.units,
    unitsById: new Map(options.units.map((u) => [String(u._id), u])),
    ids: new Map(),
    externalIds: options.externalIds ?? new ExternalIds(createRng(seed ^ 0x1d5)),
  };
  const centres = options.units.filter((u) => u.level === 'county');
  const planContext = {
    rng: createRng(seed),
    enterprises: options.enterprises,
    centres,
    calendar,
    start: end.getTime() - span,
    span,
    count,
    problems: new ProblemDeck(createRng(seed ^ 0x5eed)),
    triage: new TriageDeck(seed % 7),
    open: [],
    repeats: new Map(),
  };
  const plans = Array.from({ length: count }, (_, i) => planIssue(i, planContext)).filter((p) => p.at < end);
  const alongside = [...(options.alongside ?? [])].sort((a, b) => a.at.getTime() - b.at.getTime());
  let taken = 0;
  /** Takes in, one by one, the other issues due by `until` (all that are left when null). */
  const takeAlongside = async (until: Date | null, stories: Array<() => Promise<void>>) => {
    while (alongside.length && (until === null || alongside[0].at <= until))
      stories.push(await takeInAlongside(run, alongside.shift()!, taken++));
  };
  const play = (stories: Array<() => Promise<void>>) => Promise.all(stories.map((story) => story()));
  for (let from = 0; from < plans.length; from += CHUNK) {
    const stories: Array<() => Promise<void>> = [];
    // Taken in one by one, so numbers follow time; the chunk's stories then run side by side.
    for (const plan of plans.slice(from, from + CHUNK)) {
      await takeAlongside(plan.at, stories);
      stories.push(await takeIn(run, plan));
    }
    await play(stories);
  }
  const rest: Array<() => Promise<void>> = [];
  await takeAlongside(null, rest);
  await play(rest);
  return { created: plans.length + (options.alongside?.length ?? 0), skipped: false };
}
