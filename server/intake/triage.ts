// Triage at intake: category and urgency from what staff entered, else from the classifier, and the lead unit
// from routing. The result says whether the issue can skip `received` and go straight to `dispatched`
// (DESIGN §3: only when classification and routing are both confident).
import type { CategoryId, Urgency } from '../../shared/states.ts';
import type { ClassificationSource } from '../models/issue.model.ts';
import type { Models } from '../models/index.ts';
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
  /** Dispatch at once to `route`. */
  autoDispatch: boolean;
}

/** Below this the classifier's category is a guess a dispatcher should confirm. */
export const CONFIDENT_CLASSIFICATION = 0.6;
const FALLBACK: Classification = { category: 'policy', urgency: 'normal', confidence: 0 };

export interface TriageDeps {
  models: Models;
  classify?: Classifier;
  defaultRouting?: DefaultRouting;
}

function classifyInput(input: TriageInput, classify?: Classifier) {
  if (input.category && input.urgency) {
    return { category: input.category, urgency: input.urgency, source: 'input' as const, confidence: 1 };
  }
  const guess = classify ? classify([input.title, input.content].filter(Boolean).join('\n')) : FALLBACK;
  const source: ClassificationSource = classify ? 'classifier' : 'default';
  // Staff input beats the classifier field by field; a category given by staff is confident.
  return {
    category: input.category ?? guess.category,
    urgency: input.urgency ?? guess.urgency,
    source: input.category ? ('input' as const) : source,
    confidence: input.category ? 1 : guess.confidence,
  };
}

export async function triage(deps: TriageDeps, input: TriageInput): Promise<Triage> {
  const c = classifyInput(input, deps.classify);
  const route = await routeIssue(
    deps.models,
    { category: c.category, region: input.region },
    deps.defaultRouting,
  );
  return {
    category: c.category,
    urgency: c.urgency,
    classification: { source: c.source, confidence: c.confidence },
    route,
    autoDispatch: c.confidence >= CONFIDENT_CLASSIFICATION && !!route?.confident,
  };
}
