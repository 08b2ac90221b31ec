// The start-up banner's demo channel credentials: a new user reads them as a table, so each line's endpoint
// starts in the same terminal column (a CJK character takes two), whatever the kind and the length of the value.
import { expect } from 'chai';
import { demoCredentialLines } from '../../../server/channels/demo-credentials.ts';

/** Terminal columns before `text` within `line` (wide characters count two). */
function columnOf(line: string, text: string): number {
  const before = line.slice(0, line.indexOf(text));
  return [...before].reduce((n, ch) => n + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
}

describe('demo banner: channel credentials', () => {
  it('lines up the value and the endpoint of every credential', () => {
    const lines = demoCredentialLines();
    expect(lines.length).to.be.greaterThan(3);
    const values = lines.map((l) => columnOf(l, 'demo-'));
    const posts = lines.map((l) => columnOf(l, 'POST '));
    expect(new Set(values).size, lines.join('\n')).to.equal(1);
    expect(new Set(posts).size, lines.join('\n')).to.equal(1);
  });
});
