// Triage at intake: category and urgency from what staff entered, else from the keyword classifier, the lead
// unit from routing, and the starting coordination tier. The result says whether the issue can skip `received`
// and go straight to `dispatched` (DESIGN §3: only when classification and routing are both confident).
// Pure: the configuration comes in as a snapshot (intake-config.ts).
import { CATEGORIES } from '../../config/categories.ts';
import { coordinationTier, defaultRouting } from '../../config/routing.ts';
import { classify as classifyText } from '../../shared/classify.ts';
import type { CategoryId, Tier, Urgency } from '../../shared/states.ts';
import type { ClassificationSource } from '../models/issue.model.ts';
import type { IntakeConfig } from './intake-config.ts';
import { routeIssue, type DefaultRouting, type RoutingDecision } from './route-issue.ts';

export interface Classification {
  category: CategoryId;
  urgency: Urgency;
  /** 0..1 */
  confidence: number;
}

/** The text classifier (shared/classify), injected so intake does not depend on its scoring. */
export type Classifier = (text: string) => Classification;

export interface TriageInput {
  title?: string;
  content: string;
  category?: CategoryId;
  urgency?: Urgency;
  region: string;
}

export interface Triage {
  category: CategoryId;
  urgency: Urgency;
  classification: { source: ClassificationSource; confidence: number };
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

function classifyInput(input: TriageInput, classify: Classifier) {
  if (input.category && input.urgency) {
    return { category: input.category, urgency: input.urgency, source: 'input' as const, confidence: 1 };
  }
  const guess = classify([input.title, input.content].filter(Boolean).join('\n'));
  const source: ClassificationSource = guess.confidence > 0 ? 'classifier' : 'default';
  // Staff input beats the classifier field by field; a category given by staff is confident.
  return {
    category: input.category ?? guess.category,
    urgency: input.urgency ?? guess.urgency,
    source: input.category ? ('input' as const) : source,
    confidence: input.category ? 1 : guess.confidence,
  };
}

export function triage(deps: TriageDeps, input: TriageInput): Triage {
  const c = classifyInput(input, deps.classify ?? defaultClassifier);
  const query = { category: c.category, region: input.region };
  const route = routeIssue(deps.config, query, deps.defaultRouting ?? defaultRouting);
  const complex = c.urgency === 'complex';
  return {
    category: c.category,
    urgency: c.urgency,
    classification: { source: c.source, confidence: c.confidence },
    route,
    tier: coordinationTier({ categories: [c.category], regions: [input.region], complex }),
    autoDispatch: c.confidence >= CONFIDENT_CLASSIFICATION && !!route?.confident,
  };
}
