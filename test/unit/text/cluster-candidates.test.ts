// The clustering's candidate index (server/text/cluster-candidates.ts): a probe finds the earlier texts that
// share its strongest terms, ranked by the weight they share, reads only the newest postings of each term
// (bounded work at any scale), and never crosses categories.
import { expect } from 'chai';
import { CandidateIndex, strongestTerms } from '../../../server/text/cluster-candidates.ts';
import type { SparseVector } from '../../../server/text/features.ts';

const vec = (terms: Record<number, number>): SparseVector => {
  const ids = Object.keys(terms)
    .map(Number)
    .sort((a, b) => a - b);
  return { ids, values: ids.map((id) => terms[id]) };
};

describe('text: clustering candidate index', () => {
  it('keeps the heaviest terms of a vector, ties to the lower id', () => {
    expect(strongestTerms(vec({ 1: 0.1, 2: 0.5, 3: 0.3, 4: 0.5 }), 3)).to.deep.equal({
      ids: [2, 4, 3],
      values: [0.5, 0.5, 0.3],
    });
    const short = vec({ 7: 1 });
    expect(strongestTerms(short, 3)).to.equal(short);
  });

  it('ranks earlier texts by the weight they share with the probe, within one category', () => {
    const index = new CandidateIndex({ terms: 8, depth: 10 });
    const outage = index.post('utilities', vec({ 1: 0.8, 2: 0.5 }));
    const price = index.post('utilities', vec({ 2: 0.5, 3: 0.7 }));
    index.post('tax', vec({ 1: 0.9, 2: 0.4 }));
    const probe = vec({ 1: 0.6, 2: 0.3 });
    // outage shares 0.6·0.8 + 0.3·0.5, price only 0.3·0.5.
    expect(index.candidates('utilities', probe, 5)).to.deep.equal([outage, price]);
    expect(index.candidates('utilities', probe, 1)).to.deep.equal([outage]);
    expect(index.candidates('land', probe, 5)).to.deep.equal([]);
  });

  it('reads only the newest postings of a term, so a common term costs the same at any size', () => {
    const index = new CandidateIndex({ terms: 4, depth: 3 });
    for (let k = 0; k < 5000; k++) index.post('logistics', vec({ 9: 0.5, [100 + k]: 0.5 }));
    expect(index.candidates('logistics', vec({ 9: 1 }), 100)).to.deep.equal([4997, 4998, 4999]);
    // A rare term still leads to its one old text, ahead of the newest texts sharing only the common term.
    expect(index.candidates('logistics', vec({ 9: 0.2, 117: 0.9 }), 1)).to.deep.equal([17]);
  });

  it('posts and probes only the strongest terms of a text', () => {
    const index = new CandidateIndex({ terms: 1, depth: 10 });
    index.post('tax', vec({ 1: 0.9, 2: 0.1 }));
    expect(index.candidates('tax', vec({ 2: 1 }), 5)).to.deep.equal([]);
    expect(index.candidates('tax', vec({ 1: 0.2, 2: 0.9 }), 5)).to.deep.equal([]);
    expect(index.candidates('tax', vec({ 1: 0.9, 2: 0.2 }), 5)).to.deep.equal([0]);
  });
});
