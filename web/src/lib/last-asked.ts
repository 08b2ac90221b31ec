// Loads of one screen run one after another, and one asked for while another runs replaces any still waiting:
// the last one asked for (本月 after 本年, the tile clicked last) always runs last, so a slower earlier answer
// cannot land over it. Pure, for useLoad (use-load.ts) and its unit test.

/** `run` wrapped so; a call replaced before it started resolves true without running. */
export function lastAskedRunsLast<A extends unknown[]>(
  run: (...args: A) => Promise<boolean>,
): (...args: A) => Promise<boolean> {
  let queue: Promise<unknown> = Promise.resolve();
  let latest = 0;
  return (...args: A) => {
    const turn = ++latest;
    const done = queue.then(() => (turn === latest ? run(...args) : true));
    queue = done;
    return done;
  };
}
