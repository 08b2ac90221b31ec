// The duplicate check on corpus/duplicate-pairs.jsonl: `b` arrives after `a`; the intake pipeline passes only
// the same enterprise's open issues of the last 30 days, so pairs across enterprises or after `a` closed get no
// candidate. The weights and thresholds of server/text/repeat.ts were fitted on the even lines (tuning); the
// odd lines are held out. Prints precision and recall of automatic merges on both halves against issue 7's
// targets (P ≥ 0.95, R ≥ 0.90) and asserts the floor the held-out half reaches, so a regression fails.
import { expect } from 'chai';
import { CATEGORIES } from '../../config/categories.ts';
import { DAY_MS } from '../../shared/clock.ts';
import { classifyText } from '../../server/text/classify-text.ts';
import { loadDuplicatePairs, type DuplicatePair } from '../../server/text/corpus.ts';
import { findRepeat } from '../../server/text/repeat.ts';
import { compileKeywords } from '../../server/text/text-features.ts';
import { corpusModel } from './corpus-model.ts';

const NOW = new Date('2026-06-01T02:00:00Z');
const f3 = (x: number) => x.toFixed(3);

interface Scores {
  pairs: number;
  repeats: number;
  merges: number;
  flags: number;
  precision: number;
  recall: number;
  /** Share of the repeats merged or flagged 可能重复. */
  caught: number;
}

function evaluate(pairs: readonly DuplicatePair[]): Scores {
  const { model } = corpusModel();
  const keywords = compileKeywords(CATEGORIES);
  const category = (text: string) => classifyText(model, CATEGORIES, text).category;
  const c = { merge: 0, mergeRight: 0, flags: 0, repeats: 0, caught: 0 };
  for (const p of pairs) {
    const candidate = p.sameEnterprise && !p.aClosed && p.daysApart <= 30;
    const createdAt = new Date(NOW.getTime() - p.daysApart * DAY_MS);
    const candidates = candidate ? [{ id: 'a', text: p.a, category: category(p.a), createdAt }] : [];
    const v = findRepeat(model, keywords, { text: p.b, category: category(p.b), now: NOW, candidates });
    const repeat = p.label === 'repeat';
    if (repeat) c.repeats++;
    if (v.verdict === 'merge') c.merge++;
    if (v.verdict === 'merge' && repeat) c.mergeRight++;
    if (v.verdict === 'flag') c.flags++;
    if (repeat && v.verdict !== 'none') c.caught++;
  }
  return {
    pairs: pairs.length,
    repeats: c.repeats,
    merges: c.merge,
    flags: c.flags,
    precision: c.merge ? c.mergeRight / c.merge : 1,
    recall: c.repeats ? c.mergeRight / c.repeats : 0,
    caught: c.repeats ? c.caught / c.repeats : 0,
  };
}

const line = (name: string, s: Scores) =>
  `      ${name}: ${s.pairs} pairs (${s.repeats} repeats): merges ${s.merges}, precision ${f3(s.precision)} ` +
  `(target 0.95), recall ${f3(s.recall)} (target 0.90); merged or flagged 可能重复 ${f3(s.caught)} ` +
  `of the repeats, ${s.flags} flags`;

describe('text: duplicate check on the labelled pairs', function () {
  this.timeout(120_000);

  it('merges with high precision and merges or flags nearly every repeat on the held-out half', () => {
    const pairs = loadDuplicatePairs();
    expect(pairs.length, 'server/text/corpus/duplicate-pairs.jsonl: at least 300 pairs').to.be.at.least(300);
    const tuning = evaluate(pairs.filter((_, i) => i % 2 === 0));
    const heldout = evaluate(pairs.filter((_, i) => i % 2 === 1));
    console.log(line('tuning (even lines)', tuning));
    console.log(line('held out (odd lines)', heldout));
    expect(heldout.pairs).to.be.at.least(100);
    // The floor reached, below issue 7's targets (P 0.95, R 0.90): see the README's 重复检测 section.
    expect(heldout.precision).to.be.at.least(0.9);
    expect(heldout.recall).to.be.at.least(0.75);
    expect(heldout.caught).to.be.at.least(0.95);
  });
});
