// One kind of enterprise complaint in the demo data (problems-*.seed.ts): its title, the enterprise's words and
// the unit's answer. Twenty per category, so in the demo's four months a complaint comes back about once at most:
// with three per category the same titles filled the issue list, and their copies made the clustering offer
// every repeated complaint as a class problem. `{a-b}` in the words is a number drawn per issue.
// None of them touch the demo classes' topics (停电, 出口退税, 货车限行: class-issues.seed.ts).

export interface Problem {
  title: string;
  text: string;
  reply: string;
}

type Rows = ReadonlyArray<readonly [title: string, text: string, reply: string]>;

export const problems = (rows: Rows): Problem[] =>
  rows.map(([title, text, reply]) => ({ title, text, reply }));
