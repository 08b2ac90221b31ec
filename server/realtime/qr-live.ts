// The QR page's live room (issue 8): a read-only, summary-level stream per enterprise. The page opens
// GET /e/:token/live (Server-Sent Events, no client library: a few lines of framework-free JS) and hears a
// `changed` event with only the issue number and public stage whenever a public step of one of the enterprise's
// issues commits; the page then re-fetches itself, so what it shows always comes through the page's own
// presenters. Without JavaScript the page keeps its reload link. Rooms are in-process, like the staff sockets.
import type { Response } from 'express';
import type { IssueChange } from '../commands/issue-deps.ts';
import { PUBLIC_STAGE_LABELS } from '../presenters/issue-public.presenter.ts';

export interface QrLiveHub {
  /** Holds the response open as an event stream for this enterprise until the client goes. */
  subscribe(enterpriseId: string, res: Response): void;
  /** After-commit listener: public steps reach the enterprise's open pages. */
  onChange(change: IssueChange): void;
  /** Open streams (tests, shutdown). */
  size(): number;
  close(): void;
}

const HEARTBEAT_MS = 25_000;

export function createQrLiveHub(): QrLiveHub {
  const rooms = new Map<string, Set<Response>>();
  const heartbeat = setInterval(() => {
    for (const set of rooms.values()) for (const res of set) res.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

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
      if (!set) rooms.set(enterpriseId, (set = new Set()));
      set.add(res);
      res.on('close', () => {
        set.delete(res);
        if (!set.size) rooms.delete(enterpriseId);
      });
    },
    onChange(change) {
      if (!change.public) return;
      const set = rooms.get(change.enterpriseId);
      if (!set) return;
      const data = JSON.stringify({ number: change.number, stage: PUBLIC_STAGE_LABELS[change.state] });
      for (const res of set) res.write(`event: changed\ndata: ${data}\n\n`);
    },
    size: () => [...rooms.values()].reduce((n, s) => n + s.size, 0),
    close() {
      clearInterval(heartbeat);
      for (const set of rooms.values()) for (const res of set) res.end();
      rooms.clear();
    },
  };
}
