// The classifier the server uses: the active trained model (loaded from the database at start-up, trained
// from the corpus in a worker on first start), the admin's keyword rules, urgency cues and confidence threshold
// (settings `classify.keywords`, `classify.urgencyCues` and `classify.threshold`) and the synonyms the
// duplicate check reads texts with (`classify.synonyms`), retraining on a node-cron
// schedule and on demand. Classifying is synchronous and in memory; what it reads from the database (settings,
// another process's newer model) is refreshed in the background at most every few seconds, or at once after a
// settings change here (`reload`), so intake gains no round trip.
import cron, { type ScheduledTask } from 'node-cron';
import { CATEGORIES } from '../../config/categories.ts';
import { DEFAULT_URGENCY_CUES } from '../../config/urgency-cues.ts';
import { DEFAULT_SYNONYMS } from '../../config/synonyms.ts';
import type { CategoryKeywords } from '../../shared/classify.ts';
import type { Clock } from '../../shared/clock.ts';
import { URGENCIES, type CategoryId } from '../../shared/states.ts';
import { effectiveCues, type CueFamilies } from '../../shared/urgency-cues.ts';
import type { Logger } from '../logger.ts';
import type { Models, TextModelDoc } from '../models/index.ts';
import { nextSequence } from '../models/counter.model.ts';
import type { TrainingTrigger } from '../models/text-model.model.ts';
import { classifyText, type TextClassification } from './classify-text.ts';
import { issueText } from './issue-text.ts';
import { REPEAT_THRESHOLD, textSimilarity } from '../intake/repeat.ts';
import {
  FingerprintCache,
  findRepeat,
  similarities,
  type SimilarityMeasure,
  type RepeatCandidate,
  type RepeatVerdict,
} from './repeat.ts';
import { compileKeywords } from './text-features.ts';
import { deserializeTextModel, type TextModel } from './text-model.ts';
import { isStopped } from './in-worker.ts';
import { trainInWorker, type Trainer } from './trainer.ts';
import type { TrainingInput } from './training.ts';

/**
 * Below this probability a guess waits in `received` for a clerk (admin setting `classify.threshold`). At 0.7,
 * 5-fold cross-validation on the training corpus puts about 80% of texts above it, 97–98% of those right.
 */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.7;
/** Nightly at 02:30 (server time). */
export const DEFAULT_RETRAIN_SCHEDULE = '30 2 * * *';
const REFRESH_MS = 5_000;
/** Fingerprints kept for the duplicate check (about 6 kB each; least recently used dropped; emptied with the model). */
const REPEAT_CACHE_MAX = 10_000;
/** Classifications kept for a second question about the same text (intake asks twice per message). */
const RECENT_CLASSIFICATIONS = 256;

// The stored shapes live in shared/ so the admin screen validates with the same schemas.
import {
  keywordsSettingSchema,
  synonymsSettingSchema,
  thresholdSettingSchema,
  urgencyCuesSettingSchema,
} from '../../shared/schemas.ts';
export { keywordsSettingSchema, synonymsSettingSchema, thresholdSettingSchema, urgencyCuesSettingSchema };
const SETTING_KEYS = ['classify.threshold', 'classify.keywords', 'classify.urgencyCues', 'classify.synonyms'];

export interface ServerClassification extends TextClassification {
  /** Version of the model that answered (null: keyword rules, no model yet). */
  modelVersion: number | null;
  threshold: number;
}

export type ModelSummary = Pick<
  TextModelDoc,
  'version' | 'trainedAt' | 'trigger' | 'trainedBy' | 'examples' | 'trainingMs' | 'scores'
>;

export interface ClassifierServiceOptions {
  models: Models;
  clock: Clock;
  logger: Logger;
  trainer?: Trainer;
  corpusDir?: string;
  /** Cron expression for scheduled retraining; `false` disables the schedule. */
  schedule?: string | false;
  /** Monotonic milliseconds for the refresh interval (tests). */
  now?: () => number;
  /** People's labels a training reads, newest first (MAX_PEOPLE_EXAMPLES). */
  maxPeopleExamples?: number;
  /** The duplicate check's fingerprints (tests pass their own to look into it). */
  repeatCache?: FingerprintCache;
}

function summaryOf(doc: Omit<TextModelDoc, 'model'>): ModelSummary {
  return {
    version: doc.version,
    trainedAt: doc.trainedAt,
    trigger: doc.trigger,
    trainedBy: doc.trainedBy,
    examples: doc.examples,
    trainingMs: doc.trainingMs,
    scores: doc.scores,
  };
}

const HUMAN_LABELLED = { 'classification.human': true } as const;
/**
 * People's labels a training reads: the newest this many. A city's years of history hold hundreds of thousands
 * (a million-issue data set trained for minutes, with every text remembered in the stored model); the recent
 * ones carry the corrections that matter, and the corpus the rest.
 */
export const MAX_PEOPLE_EXAMPLES = 20_000;
type HumanRow = {
  title?: string;
  content: string;
  category: CategoryId;
  urgency: (typeof URGENCIES)[number];
};

/** The duplicate check before any model exists: a near-identical retyping merges. */
function repeatByDice(input: { text: string; candidates: readonly RepeatCandidate[] }): RepeatVerdict {
  let best: { id: string; score: number } | null = null;
  for (const c of input.candidates) {
    const score = textSimilarity(input.text, c.text);
    if (!best || score > best.score) best = { id: c.id, score };
  }
  if (!best || best.score < REPEAT_THRESHOLD)
    return { verdict: 'none', issueId: null, score: best?.score ?? 0 };
  return { verdict: 'merge', issueId: best.id, score: Math.round(best.score * 1000) / 1000 };
}

export function createClassifierService(options: ClassifierServiceOptions) {
  const { models, logger } = options;
  const trainer = options.trainer ?? trainInWorker;
  const now = options.now ?? (() => performance.now());
  let model: TextModel | null = null;
  let active: ModelSummary | null = null;
  let keywords: readonly CategoryKeywords[] = CATEGORIES;
  let cues: CueFamilies = DEFAULT_URGENCY_CUES;
  let synonyms: readonly (readonly string[])[] = DEFAULT_SYNONYMS;
  /** The settings as last read (JSON of their values in SETTING_KEYS order); null before the first read. */
  let settingsJson: string | null = null;
  let threshold = DEFAULT_CONFIDENCE_THRESHOLD;
  let refreshedAt = -Infinity;
  let refreshing: Promise<void> | null = null;
  let training: Promise<ModelSummary> | null = null;
  let task: ScheduledTask | undefined;
  // Aborted by stop: a training under way is ended (its worker terminated), not waited for.
  const stopping = new AbortController();
  const repeatCache = options.repeatCache ?? new FingerprintCache(REPEAT_CACHE_MAX);
  // The latest texts classified with the current model and keywords: a channel message is classified for the
  // duplicate check and again by triage, and the second asks for the same text.
  const recent = new Map<string, TextClassification>();

  function classified(text: string): TextClassification {
    let found = recent.get(text);
    if (!found) {
      found = classifyText(model, keywords, text, cues);
      if (recent.size >= RECENT_CLASSIFICATIONS) recent.delete(recent.keys().next().value!);
      recent.set(text, found);
    }
    return found;
  }

  async function readSettings(): Promise<void> {
    const rows = await models.Setting.find({ key: { $in: SETTING_KEYS } }, { key: 1, value: 1 }).lean();
    const byKey = new Map(rows.map((r) => [r.key, r.value]));
    // Read every few seconds; only a change builds new keyword, cue and synonym objects. The duplicate check's
    // fingerprints and the recent classifications are kept per those objects, so rebuilding them unchanged
    // emptied both caches every REFRESH_MS (and repeated the warning about an invalid value).
    const json = JSON.stringify(SETTING_KEYS.map((key) => byKey.get(key) ?? null));
    if (json === settingsJson) return;
    settingsJson = json;
    const t = thresholdSettingSchema.safeParse(byKey.get('classify.threshold'));
    threshold = t.success ? t.data : DEFAULT_CONFIDENCE_THRESHOLD;
    const k = keywordsSettingSchema.safeParse(byKey.get('classify.keywords') ?? {});
    if (!k.success) logger.warn('setting classify.keywords is invalid; using the default keywords');
    const edited = k.success ? k.data : {};
    keywords = CATEGORIES.map((c) => ({ id: c.id, keywords: edited[c.id] ?? c.keywords }));
    recent.clear();
    const u = urgencyCuesSettingSchema.safeParse(byKey.get('classify.urgencyCues') ?? {});
    if (!u.success) logger.warn('setting classify.urgencyCues is invalid; using the default urgency cues');
    cues = effectiveCues(DEFAULT_URGENCY_CUES, u.success ? u.data : {});
    const s = synonymsSettingSchema.safeParse(byKey.get('classify.synonyms') ?? DEFAULT_SYNONYMS);
    if (!s.success) logger.warn('setting classify.synonyms is invalid; using the default synonyms');
    synonyms = s.success ? s.data : DEFAULT_SYNONYMS;
  }

  async function readActiveModel(): Promise<void> {
    const head = await models.TextModel.findOne({ active: true }, { version: 1 })
      .sort({ version: -1 })
      .lean();
    if (!head || head.version === active?.version) return;
    const doc = await models.TextModel.findById(head._id).lean();
    if (doc) install(doc);
  }

  function install(doc: TextModelDoc): void {
    model = deserializeTextModel(JSON.parse(doc.model));
    repeatCache.clear();
    recent.clear();
    active = summaryOf(doc);
  }

  /** Settings and the active model as of now (awaited at start-up, in the background afterwards). */
  function refresh(): Promise<void> {
    refreshing ??= Promise.all([readSettings(), readActiveModel()])
      .then(() => {
        refreshedAt = now();
      })
      .catch((err: unknown) => logger.warn({ err }, 'classifier refresh failed; keeping the current model'))
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  }

  /** Settings just changed here: read them now (after any refresh already under way, which may predate it). */
  async function reload(): Promise<void> {
    await refreshing;
    await refresh();
  }

  function refreshInBackground(): void {
    if (now() - refreshedAt >= REFRESH_MS) void refresh();
  }

  async function peopleExamples(): Promise<TrainingInput['people']> {
    const rows = await models.Issue.collection
      .find<HumanRow>(HUMAN_LABELLED, { projection: { title: 1, content: 1, category: 1, urgency: 1 } })
      .sort({ createdAt: -1, _id: -1 })
      .limit(options.maxPeopleExamples ?? MAX_PEOPLE_EXAMPLES)
      .toArray();
    return rows.map((r) => ({ text: issueText(r), category: r.category, urgency: r.urgency }));
  }

  async function train(trigger: TrainingTrigger, by: string): Promise<ModelSummary> {
    await readSettings();
    const out = await trainer(
      {
        corpusDir: options.corpusDir,
        people: await peopleExamples(),
        keywords: keywords.map((k) => ({ id: k.id, keywords: [...k.keywords] })),
        cues,
        threshold,
      },
      stopping.signal,
    );
    const version = await nextSequence(models.Counter, 'text-model');
    const [doc] = await models.TextModel.create([
      {
        version,
        trainedAt: options.clock.now(),
        trigger,
        trainedBy: by,
        examples: out.examples,
        trainingMs: out.trainingMs,
        scores: out.scores as unknown as Record<string, unknown> | null,
        model: JSON.stringify(out.model),
        active: true,
      },
    ]);
    await models.TextModel.updateMany(
      { active: true, version: { $ne: version } },
      { $set: { active: false } },
    );
    install(doc.toObject());
    logger.info({ version, trigger, ...out.examples, ms: out.trainingMs }, 'text model trained');
    return active!;
  }

  /**
   * Puts a stored version back in use (an admin's rollback after a retraining scored worse): the one active
   * row, which every process's refresh then loads. Null when there is no such version.
   */
  async function activate(version: number): Promise<ModelSummary | null> {
    const doc = await models.TextModel.findOne({ version }).lean();
    if (!doc) return null;
    await models.TextModel.updateOne({ _id: doc._id }, { $set: { active: true } });
    await models.TextModel.updateMany(
      { active: true, version: { $ne: version } },
      { $set: { active: false } },
    );
    install(doc);
    logger.info({ version }, 'text model version put back in use');
    return active;
  }

  /** The latest versions, newest first, without their serialised models. */
  async function versions(limit = 20): Promise<(ModelSummary & { active: boolean })[]> {
    const docs = await models.TextModel.find({}, { model: 0 }).sort({ version: -1 }).limit(limit).lean();
    return docs.map((d) => ({ ...summaryOf(d), active: d.active }));
  }

  /** Retrains now (one run at a time in this process: a second request joins the running one). */
  function retrain(trigger: TrainingTrigger, by: string): Promise<ModelSummary> {
    training ??= train(trigger, by).finally(() => {
      training = null;
    });
    return training;
  }

  /** A scheduled run: one process per slot wins the claim, the others skip it. */
  async function scheduledRun(): Promise<void> {
    const slot = options.clock.now().toISOString().slice(0, 13);
    if ((await nextSequence(models.Counter, `text-retrain:${slot}`)) !== 1) return;
    await retrain('schedule', 'system');
  }

  return {
    /** Loads settings and the active model; trains one in the background when there is none. */
    async start(): Promise<void> {
      await refresh();
      if (!model) {
        retrain('startup', 'system').catch((err: unknown) => {
          if (!isStopped(err))
            logger.error({ err }, 'first training failed; classifying with the keyword rules');
        });
      }
      if (options.schedule !== false && !task) {
        task = cron.schedule(
          options.schedule ?? DEFAULT_RETRAIN_SCHEDULE,
          () => {
            scheduledRun().catch((err: unknown) => logger.error({ err }, 'scheduled retraining failed'));
          },
          { name: 'text-retrain', noOverlap: true },
        );
      }
    },
    async stop(): Promise<void> {
      stopping.abort();
      await task?.stop();
      task = undefined;
      await training?.catch(() => undefined);
    },
    classify(text: string): ServerClassification {
      refreshInBackground();
      return { ...classified(text), modelVersion: active?.version ?? null, threshold };
    },
    /**
     * The duplicate check for intake (server/text/repeat.ts) with the model in use: `candidates` are the same
     * enterprise's open issues of the last 30 days, `category` the new message's. Without a model yet only a
     * near-identical text merges (character-bigram Dice), and nothing is flagged.
     */
    checkRepeat(input: {
      text: string;
      /** The new message's category; the model's guess when absent. */
      category?: CategoryId;
      now: Date;
      candidates: readonly RepeatCandidate[];
    }): RepeatVerdict {
      if (!model) return repeatByDice(input);
      return findRepeat(model, compileKeywords(keywords, cues, synonyms), input, {}, repeatCache);
    },
    /**
     * How alike `text` is to each candidate, 0..1, by `measure` (repeat.ts similarities: the duplicate
     * check's repeat probability, or the words' cosine; without a model yet, the character-bigram Dice of
     * the two texts). Candidates' fingerprints share the check's cache.
     */
    similarity(
      text: string,
      candidates: readonly { id: string; text: string }[],
      measure: SimilarityMeasure = 'repeat',
    ): number[] {
      if (!model) return candidates.map((c) => textSimilarity(text, c.text));
      const compiled = compileKeywords(keywords, cues, synonyms);
      return similarities(model, compiled, text, candidates, repeatCache, measure);
    },
    retrain,
    activate,
    versions,
    reload,
    /** The model in use and whether a training is running. */
    status() {
      return { active, training: training !== null, threshold };
    },
    refresh,
  };
}

export type ClassifierService = ReturnType<typeof createClassifierService>;
