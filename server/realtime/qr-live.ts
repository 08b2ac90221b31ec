// The QR page's live room (issue 8): a read-only, summary-level stream per enterprise. The page opens
// GET /e/:token/live (Server-Sent Events, no client library: a few lines of framework-free JS) and hears a
// `changed` event with only the issue number and public stage whenever a public step of one of the enterprise's
// issues commits; the page then re-fetches itself, so what it shows always comes through the page's own
// presenters. Without JavaScript the page keeps its reload link. Rooms are per process; given the models and
// started, the hub also hears changes made by other app processes on the same database through a polled ticker
// (qr-live-ticker.ts), within one poll interval. Replacing the enterprise's printed code closes the streams
// opened with the old one, here at once and elsewhere at the next poll.
import type { Response } from 'express';
import type { IssueChange } from '../commands/issue-deps.ts';
import type { Models } from '../models/index.ts';
import { PUBLIC_STAGE_LABELS } from '../presenters/issue-public.presenter.ts';
import { createQrLiveTicker, type QrLiveTicker } from './qr-live-ticker.ts';

export interface QrLiveHub {
  /** Holds the response open as an event stream for this enterprise until the client goes. */
  subscribe(enterpriseId: string, res: Response): void;
  /** After-commit listener: public steps reach the enterprise's open pages. */
  onChange(change: IssueChange): void;
  /**
   * The enterprise's printed code was replaced: the streams opened with the old one close, here at once and in
   * the other processes at their next poll (the page's reconnect then meets the old code's 404).
   */
  revoke(enterpriseId: string): Promise<void>;
  /** Open streams (tests, shutdown). */
  size(): number;
  /** Polls other processes' changes every `pollMs` (needs `models`); main.ts starts it. */
  start(pollMs?: number): void;
  /** One poll now (tests); resolves to how many streams heard a change from elsewhere. */
  pollNow(): Promise<number>;
  close(): void;
}

export interface QrLiveHubOptions {
  /** The shared database: without it the hub is in-process only. */
  models?: Models;
  logger?: { warn(obj: object, msg: string): void };
}

const HEARTBEAT_MS = 25_000;
export const QR_LIVE_POLL_MS = 2_000;

export function createQrLiveHub(opts: QrLiveHubOptions = {}): QrLiveHub {
  /** Each enterprise's open streams, with when each opened (real time, ms). */
  const rooms = new Map<string, Map<Response, number>>();
  const ticker: QrLiveTicker | null = opts.models ? createQrLiveTicker({ models: opts.models }) : null;
  const heartbeat = setInterval(() => {
    for (const set of rooms.values()) for (const res of set.keys()) res.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let poller: NodeJS.Timeout | undefined;
  let polling: Promise<number> | null = null;

  function emit(enterpriseId: string, data: object): number {
    const set = rooms.get(enterpriseId);
    if (!set) return 0;
    const line = `event: changed\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of set.keys()) res.write(line);
    return set.size;
  }

  /** Ends the enterprise's streams opened at or before `at` (their close handlers leave the room). */
  function endOpenedBy(enterpriseId: string, at: number): void {
    for (const [res, openedAt] of rooms.get(enterpriseId) ?? []) if (openedAt <= at) res.end();
  }

  function pollNow(): Promise<number> {
    if (!ticker) return Promise.resolve(0);
    polling ??= ticker
      .poll([...rooms.keys()])
      .then(({ moved, revoked }) => {
        for (const [id, at] of revoked) endOpenedBy(id, at);
        return moved.reduce((n, id) => n + emit(id, {}), 0);
      })
      .finally(() => (polling = null));
    return polling;
  }

  return {
    subscribe(enterpriseId, res) {
      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      res.write('retry: 5000\n\n');
      let set = rooms.get(enterpriseId);
      if (!set) rooms.set(enterpriseId, (set = new Map()));
      set.set(res, Date.now());
      ticker
        ?.watch(enterpriseId)
        .catch((err: unknown) => opts.logger?.warn({ err }, 'qr live watch not recorded'));
      res.on('close', () => {
        set.delete(res);
        if (!set.size) rooms.delete(enterpriseId);
      });
    },
    onChange(change) {
      if (!change.public) return;
      ticker?.changed(change.enterpriseId);
      emit(change.enterpriseId, { number: change.number, stage: PUBLIC_STAGE_LABELS[change.state] });
    },
    async revoke(enterpriseId) {
      endOpenedBy(enterpriseId, Date.now());
      await ticker?.revoked(enterpriseId);
    },
    size: () => [...rooms.values()].reduce((n, s) => n + s.size, 0),
    start(pollMs = QR_LIVE_POLL_MS) {
      if (!ticker || poller) return;
      poller = setInterval(() => {
        pollNow().catch((err: unknown) => opts.logger?.warn({ err }, 'qr live poll failed'));
      }, pollMs);
      poller.unref();
    },
    pollNow,
    close() {
      clearInterval(heartbeat);
      if (poller) clearInterval(poller);
      poller = undefined;
      for (const set of rooms.values()) for (const res of set.keys()) res.end();
      rooms.clear();
    },
  };
}
