// Triage at intake: category and urgency from what staff entered, else from the text classifier, the lead
// unit from routing, and the starting coordination tier. The result says whether the issue can skip `received`
// and go straight to `dispatched` (DESIGN §3: only when classification and routing are both confident).
// Pure: the configuration comes in as a snapshot (intake-config.ts).
import { CATEGORIES } from '../../config/categories.ts';
import { coordinationTier, defaultRouting } from '../../config/routing.ts';
import { classify as classifyText } from '../../shared/classify.ts';
import type { CategoryId, Tier, Urgency } from '../../shared/states.ts';
import type { ClassificationSource, StoredClassification } from '../models/issue.model.ts';
import { issueText } from '../text/issue-text.ts';
import type { IntakeConfig } from './intake-config.ts';
import { routeIssue, type DefaultRouting, type RoutingDecision } from '../../shared/route-issue.ts';

export interface Classification {
  category: CategoryId;
  urgency: Urgency;
  /** 0..1 */
  confidence: number;
  /** The most likely categories, best first (stored on the issue for the clerk). */
  alternatives?: { category: CategoryId; probability: number }[];
  /** The trained model that answered (server/text), null for the keyword rules. */
  modelVersion?: number | null;
  /** The confidence this classifier's owner requires to skip triage (admin setting); default 0.6. */
  threshold?: number;
}

/** The text classifier (server/text, or shared/classify's rules), injected so intake does not depend on its scoring. */
export type Classifier = (text: string) => Classification;

export interface TriageInput {
  title?: string;
  content: string;
  category?: CategoryId;
  urgency?: Urgency;
  region: string;
  /** The enterprise's township unit code (routing tries it first for local matters). */
  township?: string | null;
}

export interface Triage {
  category: CategoryId;
  urgency: Urgency;
  classification: StoredClassification;
  route: RoutingDecision | null;
  /** Complex issues start at the director tier (DESIGN §4). */
  tier: Tier;
  /** Dispatch at once to `route`. */
  autoDispatch: boolean;
}

/** Below this the classifier's category is a guess a dispatcher should confirm. */
export const CONFIDENT_CLASSIFICATION = 0.6;

/** The configured categories' keywords (admins' edits arrive through an injected classifier). */
export const defaultClassifier: Classifier = (text) => classifyText(text, CATEGORIES);

export interface TriageDeps {
  config: IntakeConfig;
  /** Defaults to the keyword classifier over config/categories. */
  classify?: Classifier;
  /** Defaults to config/routing; admin rules in the database always come first. */
  defaultRouting?: DefaultRouting;
}

interface ClassifiedInput {
  category: CategoryId;
  urgency: Urgency;
  classification: StoredClassification;
  threshold: number;
}

/** `text` is the issue's title and content as stored (issueText). */
function classifyInput(input: TriageInput, text: string, classify: Classifier): ClassifiedInput {
  if (input.category && input.urgency) {
    const classification = { source: 'input' as const, confidence: 1, alternatives: [], modelVersion: null };
    return {
      category: input.category,
      urgency: input.urgency,
      classification: { ...classification, human: true },
      threshold: 1,
    };
  }
  const guess = classify(text);
  // Staff input beats the classifier field by field; a category given by staff is confident.
  const source: ClassificationSource = input.category
    ? 'input'
    : guess.confidence > 0
      ? 'classifier'
      : 'default';
  return {
    category: input.category ?? guess.category,
    urgency: input.urgency ?? guess.urgency,
    classification: {
      source,
      confidence: input.category ? 1 : guess.confidence,
      alternatives: input.category ? [] : (guess.alternatives ?? []),
      modelVersion: guess.modelVersion ?? null,
      // A category staff gave is a person's classification: it joins the training data.
      human: source === 'input',
    },
    threshold: guess.threshold ?? CONFIDENT_CLASSIFICATION,
  };
}

export function triage(deps: TriageDeps, input: TriageInput): Triage {
  // What the classifier reads and keyword routing rules look for.
  const text = issueText({ title: input.title, content: input.content });
  const c = classifyInput(input, text, deps.classify ?? defaultClassifier);
  const query = { category: c.category, region: input.region, township: input.township, text };
  const route = routeIssue(deps.config, query, deps.defaultRouting ?? defaultRouting);
  const complex = c.urgency === 'complex';
  return {
    category: c.category,
    urgency: c.urgency,
    classification: c.classification,
    route,
    tier: coordinationTier({ categories: [c.category], regions: [input.region], complex }),
    autoDispatch: c.classification.confidence >= c.threshold && !!route?.confident,
  };
}
