// Multinomial logistic regression (softmax) over sparse vectors, trained with AdaGrad and L2 regularisation.
// Pure TypeScript, deterministic for a given seed, serialisable as plain numbers. Chosen over naive Bayes for
// its probabilities: the confidence it gives is what decides whether an issue skips triage.

import { createRng } from '../seed/prng.ts';
import type { SparseVector } from './features.ts';

export interface LinearModel<C extends string = string> {
  classes: C[];
  features: number;
  /** Row-major: weights[c * (features + 1) + f]; the last column of each row is the bias. */
  weights: Float32Array;
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  seed?: number;
}

export interface Sample<C extends string> {
  x: SparseVector;
  y: C;
  weight?: number;
}

function scores(model: LinearModel, x: SparseVector, out: Float64Array): void {
  const row = model.features + 1;
  for (let c = 0; c < model.classes.length; c++) {
    const base = c * row;
    let s = model.weights[base + model.features];
    for (let k = 0; k < x.ids.length; k++) s += model.weights[base + x.ids[k]] * x.values[k];
    out[c] = s;
  }
}

function softmaxInPlace(v: Float64Array): void {
  let max = -Infinity;
  for (const s of v) if (s > max) max = s;
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] = Math.exp(v[i] - max);
  for (let i = 0; i < v.length; i++) v[i] /= sum;
}

/** Class probabilities, in the order of model.classes. */
export function predictProba(model: LinearModel, x: SparseVector): Float64Array {
  const p = new Float64Array(model.classes.length);
  scores(model, x, p);
  softmaxInPlace(p);
  return p;
}

export function trainLinear<C extends string>(
  classes: readonly C[],
  features: number,
  samples: readonly Sample<C>[],
  opts: TrainOptions = {},
): LinearModel<C> {
  const { epochs = 30, learningRate = 0.5, l2 = 1e-5, seed = 7 } = opts;
  const k = classes.length;
  const row = features + 1;
  const model: LinearModel<C> = { classes: [...classes], features, weights: new Float32Array(k * row) };
  const w = model.weights;
  const g2 = new Float64Array(k * row).fill(1e-8);
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const order = samples.map((_, i) => i);
  const rand = createRng(seed).next;
  const p = new Float64Array(k);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order) {
      const { x, y, weight = 1 } = samples[i];
      const target = classIndex.get(y);
      if (target === undefined) continue;
      scores(model, x, p);
      softmaxInPlace(p);
      for (let c = 0; c < k; c++) {
        const err = (p[c] - (c === target ? 1 : 0)) * weight;
        const base = c * row;
        for (let n = 0; n < x.ids.length; n++) {
          const at = base + x.ids[n];
          const g = err * x.values[n] + l2 * w[at];
          g2[at] += g * g;
          w[at] -= (learningRate * g) / Math.sqrt(g2[at]);
        }
        const at = base + features;
        g2[at] += err * err;
        w[at] -= (learningRate * err) / Math.sqrt(g2[at]);
      }
    }
  }
  return model;
}

/** Each feature's contribution to class `c` for `x`, largest first. */
export function contributions(
  model: LinearModel,
  c: number,
  x: SparseVector,
): { id: number; value: number }[] {
  const base = c * (model.features + 1);
  return x.ids
    .map((id, k) => ({ id, value: model.weights[base + id] * x.values[k] }))
    .sort((a, b) => b.value - a.value);
}
