// Demo issues (≥ 300): taken in through the real intake command and walked through their stories with the real
// action commands on simulated clocks over the past ~4 months, so numbers, timelines, deadlines, warning
// lights and follow-ups are all genuine. Deterministic (seeded PRNGs, times relative to the seed's clock) and
// idempotent: it does nothing when any issue exists.
//
// Speed: issues are taken in one by one (numbers follow time), then a chunk of stories runs concurrently, each
// with its own clock and PRNG, so on a disk-backed database the journal's group commit absorbs the writes.
import { createWorkCalendar, type WorkCalendar } from '../../shared/calendar.ts';
import { createSimulatedClock, DAY_MS, type Clock } from '../../shared/clock.ts';
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
import type { EnterpriseDoc, Models, UnitDoc } from '../models/index.ts';
import { createRng, type Rng } from './prng.ts';
import { IssueScript, StoryEnd, type ScriptWorld } from './issue-script.seed.ts';
import { pickStory, type Story, type StoryTools } from './issue-scenarios.seed.ts';
import { problemText, statedUrgency, vagueText } from './issue-texts.seed.ts';

export interface IssueSeedOptions {
  units: readonly UnitDoc[];
  enterprises: readonly EnterpriseDoc[];
  count?: number;
  /** How far back the demo history starts. */
  days?: number;
  seed?: number;
  /** Other issues to take in at their own time among these (the demo classes), so numbers still follow time. */
  alongside?: readonly TimedIntake[];
}

/** One issue taken in at `at` by `create`. */
export interface TimedIntake {
  at: Date;
  create: () => Promise<unknown>;
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
const EXTERNAL_CHANNELS = new Set<ChannelId>([
  'hotline12345',
  'zheliban',
  'email',
  'sms',
  'wechat',
  'review',
]);
const CHUNK = 8;

interface Plan {
  index: number;
  story: Story;
  /** The story leaves the issue open, so later duplicates may be merged into it. */
  mergeable: boolean;
  /** Taken in without a category from a vague message, so it starts in `received`. */
  vague: boolean;
  enterprise: EnterpriseDoc;
  category: CategoryId;
  channel: ChannelId;
  urgency: Urgency;
  at: Date;
  creator: string;
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
}

/** Everything about issue `i` that is decided up front, from the main PRNG, in order. */
function planIssue(i: number, c: PlanContext): Plan {
  const { rng } = c;
  const { story, ambiguous, mergeable } = pickStory(rng);
  const enterprise = rng.pick(c.enterprises);
  const category = CATEGORY_IDS[i % CATEGORY_IDS.length];
  let channel = ambiguous
    ? rng.pick(['window', 'meeting', 'hotline12345'] as const)
    : CHANNEL_IDS[(i * 7) % 12];
  const urgency = weighted(rng, URGENCY_WEIGHTS);
  const at = c.calendar.addWorkingHours(new Date(c.start + ((i + rng.next()) * c.span) / c.count), 0.25);
  const centre = c.centres.find((u) => u.region === enterprise.region) ?? c.centres[0];
  // A unit reports discoveries only in its own categories; anything else came through the window.
  if (channel === 'discovery' && !centre.categories.includes(category)) channel = 'window';
  let creator = rng.next() < 0.6 ? 'clerk' : 'dispatcher';
  if (channel === 'visit' && rng.next() < 0.5) creator = 'leader';
  if (channel === 'discovery') creator = `handler-${centre.code}`;
  return {
    index: i,
    story,
    mergeable,
    vague: ambiguous,
    enterprise,
    category,
    channel,
    urgency,
    at,
    creator,
  };
}

function storyTools(
  rng: Rng,
  units: readonly UnitDoc[],
  mergeInto: readonly Plan[],
  ids: Map<number, string>,
): StoryTools {
  const candidates = (category: CategoryId, region: string) => [
    ...units.filter((u) => u.level === 'county' && u.region === region && u.categories.includes(category)),
    ...units.filter((u) => u.level === 'city' && u.categories.includes(category)),
  ];
  return {
    rng,
    pickUnit(s, except) {
      const all = candidates(s.doc.category, s.doc.region).filter((u) => String(u._id) !== except);
      const fallback = units.filter(
        (u) => u.level === 'city' && u.categories.length && String(u._id) !== except,
      );
      return String(rng.pick(all.length ? all : fallback)._id);
    },
    mergeTarget(s) {
      const same = mergeInto.filter((p) => p.category === s.doc.category);
      const pool = same.length ? same : mergeInto;
      return pool.length ? (ids.get(rng.pick(pool).index) ?? null) : null;
    },
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
}

/** Takes the issue in at its planned instant, on its own clock, and returns its story, ready to run. */
async function takeIn(run: SeedRun, plan: Plan, mergeInto: readonly Plan[]): Promise<() => Promise<void>> {
  const sim = createSimulatedClock(plan.at);
  const deps: IssueCommandDeps = { models: run.models, clock: sim, settings: async () => run.settings };
  const world: ScriptWorld = {
    deps,
    clock: sim,
    calendar: run.calendar,
    end: run.end,
    actors: run.actors,
    unitsById: run.unitsById,
  };
  const actor = run.actors.get(plan.creator);
  if (!actor) throw new Error(`seed: no demo user ${plan.creator}`);
  const text = plan.vague
    ? vagueText(plan.category)
    : { category: plan.category, ...problemText(createRng(run.seed + plan.index), plan.category) };
  const externalId = `${plan.channel}-${String(plan.index + 1).padStart(6, '0')}`;
  const { issue } = await issueCreateCommand(deps, actor, {
    enterprise: { id: String(plan.enterprise._id) },
    channel: plan.channel,
    ...text,
    urgency: statedUrgency(text, plan.urgency),
    ...(EXTERNAL_CHANNELS.has(plan.channel) ? { externalId } : {}),
  });
  run.ids.set(plan.index, String(issue._id));
  const tools = storyTools(createRng(run.seed * 31 + plan.index), run.units, mergeInto, run.ids);
  return () => runStory(world, new IssueScript(world, issue), plan.story, tools);
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
  };
  const plans = Array.from({ length: count }, (_, i) => planIssue(i, planContext)).filter((p) => p.at < end);
  const mergeInto: Plan[] = [];
  const alongside = [...(options.alongside ?? [])].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (let from = 0; from < plans.length; from += CHUNK) {
    const chunk = plans.slice(from, from + CHUNK);
    const stories: Array<() => Promise<void>> = [];
    // Taken in one by one, so numbers follow time; the chunk's stories then run side by side.
    for (const plan of chunk) {
      while (alongside.length && alongside[0].at <= plan.at) await alongside.shift()!.create();
      stories.push(await takeIn(run, plan, [...mergeInto]));
    }
    await Promise.all(stories.map((story) => story()));
    mergeInto.push(...chunk.filter((p) => p.mergeable));
  }
  for (const extra of alongside) await extra.create();
  return { created: plans.length + (options.alongside?.length ?? 0), skipped: false };
}
