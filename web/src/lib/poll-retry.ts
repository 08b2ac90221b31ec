// A job's progress (an import, a batch of plaques) is polled until it stops. A failed check (a network blip, a
// server restart) is tried again, later each time, instead of leaving the screen at 正在… for good; a 4xx other
// than 429 means the job is gone or not this user's, which no retry mends.

/** Milliseconds until the next check after `failures` failed ones in a row, or null to stop. */
export function retryDelay(err: unknown, failures: number): number | null {
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && status !== 429) return null;
  return Math.min(10_000, 1_000 * 2 ** Math.min(failures - 1, 4));
}

/** The message shown while retrying: the failure, and when the next check comes. */
export function retryingMessage(message: string, delayMs: number): string {
  return `${message}（${Math.round(delayMs / 1000)} 秒后重新查询进度）`;
}
