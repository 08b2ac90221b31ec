// The demo's class problems as the clustering offers them (issue 7 §3), checked the same way on the demo
// classes alone and on the whole demo seed: each class's own complaints make one candidate, all but one at
// least, and most of it (other texts may join as real repeats of the topic, not as copies of another story).
import { expect } from 'chai';
import request from 'supertest';
import { DEMO_CLASSES } from '../../../server/seed/class-issues.seed.ts';
import type { TestApp } from '../helpers.ts';

export interface Candidate {
  id: string;
  category: string;
  regions: unknown[];
}

/** Runs the clustering as a leader and lists the candidates. */
export async function clusterCandidates(t: TestApp): Promise<Candidate[]> {
  const auth = await t.auth('leader');
  await request(t.app).post('/api/class-problems/cluster').set(auth).expect(200);
  return (await request(t.app).get('/api/class-problems/candidates').set(auth).expect(200)).body.items;
}

/** The issue numbers of one candidate's members. */
export async function candidateNumbers(t: TestApp, id: string): Promise<string[]> {
  const res = await request(t.app)
    .get(`/api/class-problems/candidates/${id}`)
    .set(await t.auth('leader'))
    .expect(200);
  return (res.body.members as { number: string }[]).map((m) => m.number);
}

/** `numbersOf(key)`: the issue numbers of a demo class's complaints. */
export async function expectDemoClassCandidates(
  t: TestApp,
  candidates: readonly Candidate[],
  numbersOf: (key: string) => Promise<Set<string>>,
): Promise<void> {
  for (const cls of DEMO_CLASSES) {
    const ours = await numbersOf(cls.key);
    expect(ours.size, cls.key).to.equal(cls.texts.length);
    let best = { hits: 0, members: 0 };
    for (const c of candidates.filter((x) => x.category === cls.category)) {
      const members = await candidateNumbers(t, c.id);
      const hits = members.filter((n) => ours.has(n)).length;
      if (hits > best.hits) best = { hits, members: members.length };
    }
    expect(best.hits, `${cls.key}: ${JSON.stringify(best)}`).to.be.at.least(cls.texts.length - 1);
    expect(best.hits, `${cls.key}: ${JSON.stringify(best)}`).to.be.at.least(best.members / 2);
  }
}
