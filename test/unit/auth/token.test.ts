// The token signer remembers tokens it has verified: a remembered token still expires on the clock, and
// only the exact text it verified is remembered (a changed signature or payload is verified afresh and fails).
import { expect } from 'chai';
import { createSimulatedClock, HOUR_MS } from '../../../shared/clock.ts';
import { createTokenSigner } from '../../../server/auth/token.ts';

const SECRET = 'unit-test-secret-0123456789-0123456789';
const START = new Date('2026-12-01T01:00:00Z');

describe('auth: token signer', () => {
  it('verifies a token again after the first time, until its expiry on the clock', () => {
    const clock = createSimulatedClock(START);
    const tokens = createTokenSigner(SECRET, '12h', clock);
    const token = tokens.sign('64b000000000000000000001', 3);
    expect(tokens.verify(token)).to.deep.equal({ sub: '64b000000000000000000001', tv: 3 });
    clock.advance(12 * HOUR_MS - 1000);
    expect(tokens.verify(token)).to.deep.equal({ sub: '64b000000000000000000001', tv: 3 });
    clock.advance(1000);
    expect(tokens.verify(token)).to.equal(undefined);
  });

  it('refuses a token whose signature or payload was changed after the original was verified', () => {
    const tokens = createTokenSigner(SECRET, '12h', createSimulatedClock(START));
    const token = tokens.sign('64b000000000000000000001', 0);
    expect(tokens.verify(token)).to.not.equal(undefined);
    const [head, body, sig] = token.split('.');
    const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
    expect(tokens.verify(`${head}.${body}.${flipped}`)).to.equal(undefined);
    const raised = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), tv: 9 }),
    ).toString('base64url');
    expect(tokens.verify(`${head}.${raised}.${sig}`)).to.equal(undefined);
  });

  // The app holds two signers (access and refresh tokens, two secrets): what one remembers must not pass the other.
  it('refuses a token another signer (another secret) has verified and remembers', () => {
    const clock = createSimulatedClock(START);
    const ours = createTokenSigner(SECRET, '12h', clock);
    const theirs = createTokenSigner('another-secret-0123456789-0123456789', '12h', clock);
    const token = theirs.sign('64b000000000000000000001', 0);
    expect(theirs.verify(token)).to.not.equal(undefined);
    expect(ours.verify(token)).to.equal(undefined);
  });
});
