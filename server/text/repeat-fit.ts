// How the duplicate check's weights and thresholds (server/text/repeat.ts) are chosen, so anyone can refit them
// after changing a feature: an L2-regularised logistic regression over the pair features, fitted by Newton's
// method, and a merge threshold read off out-of-sample probabilities (scripts/fit-repeat.ts: each pair file
// scored by a fit on the others) as the lowest one that keeps precision at the bar. Only ever run on the
// development pairs (every pair file but the blind ones); the blind pairs are for the quality test alone. Pure.
import type { MergeVeto } from './repeat-features.ts';

export interface FitRow {
  x: readonly number[];
  /** 1: a repeat. */
  y: 0 | 1;
  /** The pair may merge at all (same category, not a one-template slot swap); otherwise flag at most. */
  mergeable: boolean;
  /** The pair's categories allow a merge (mayMerge without the vetoes). */
  byCategory?: boolean;
  /** The vetoes of neverMerge that hold: mergeable is byCategory and none of them. */
  vetoes?: readonly MergeVeto[];
}

/** Solves A·x = b in place (Gaussian elimination with partial pivoting); A is small and positive definite. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    [b[c], b[p]] = [b[p], b[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k < n; k++) a[r][k] -= f * a[c][k];
      b[r] -= f * b[c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x;
}

export const logit = (w: readonly number[], x: readonly number[]) => {
  let z = w[x.length];
  for (let k = 0; k < x.length; k++) z += w[k] * x[k];
  return z;
};
export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Weights (one per feature, then the bias) minimising log loss + l2/2·|w|² (the bias unpenalised). */
export function fitLogistic(rows: readonly FitRow[], l2 = 1, iterations = 30): number[] {
  const d = rows[0]?.x.length ?? 0;
  const w = new Array<number>(d + 1).fill(0);
  for (let it = 0; it < iterations; it++) {
    const grad = w.map((v, k) => (k < d ? l2 * v : 0));
    const hess = Array.from({ length: d + 1 }, (_, r) =>
      Array.from({ length: d + 1 }, (_, c) => (r === c && r < d ? l2 : 0)),
    );
    for (const { x, y } of rows) {
      const p = sigmoid(logit(w, x));
      const xb = [...x, 1];
      const s = p * (1 - p);
      for (let r = 0; r <= d; r++) {
        grad[r] += (p - y) * xb[r];
        for (let c = 0; c <= d; c++) hess[r][c] += s * xb[r] * xb[c];
      }
    }
    const step = solve(hess, grad);
    let moved = 0;
    for (let k = 0; k <= d; k++) {
      w[k] -= step[k];
      moved = Math.max(moved, Math.abs(step[k]));
    }
    if (moved < 1e-9) break;
  }
  return w;
}

export interface MergeScores {
  threshold: number;
  precision: number;
  recall: number;
  merges: number;
}

/** Precision and recall of merging every mergeable pair at or above `threshold`. */
export function mergeScores(
  rows: readonly FitRow[],
  probs: readonly number[],
  threshold: number,
): MergeScores {
  let merges = 0;
  let right = 0;
  let repeats = 0;
  rows.forEach((r, i) => {
    repeats += r.y;
    if (r.mergeable && probs[i] >= threshold) {
      merges++;
      right += r.y;
    }
  });
  return { threshold, precision: merges ? right / merges : 1, recall: repeats ? right / repeats : 0, merges };
}

/** The lowest threshold (0.01 steps) whose merges keep `minPrecision`, with its scores. */
export function chooseMergeThreshold(
  rows: readonly FitRow[],
  probs: readonly number[],
  minPrecision: number,
): MergeScores {
  for (let t = 0.05; t < 1; t += 0.01) {
    const s = mergeScores(rows, probs, Math.round(t * 100) / 100);
    if (s.precision >= minPrecision) return s;
  }
  return mergeScores(rows, probs, 1);
}
