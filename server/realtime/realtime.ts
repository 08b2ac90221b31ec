// Realtime (DESIGN §8): socket.io for the staff workbench. Sockets authenticate with the staff JWT (same
// checks as requireStaff: signature, expiry, tokenVersion, disabled), join rooms for their audience, and may
// subscribe to one issue's room only when canViewIssue allows. After every committed issue change this module
// decides the recipient rooms and sends a small `issue:changed` summary — never content or notes: clients
// refetch through the REST API, which enforces policy.
//
// Realtime follows permissions (issue 8):
//  - each socket remembers the tokenVersion it authenticated with. Logout, disabling, a password reset and a
//    role or unit change all bump the user's tokenVersion in the database; revokeUser() disconnects that
//    user's sockets in this process at once, and every process re-reads the tokenVersion (and disabled flag)
//    of its connected users every `revocationCheckMs` (one indexed read for all of them), so a change made
//    through another process disconnects within that interval. The embedded server has no change streams,
//    hence the short poll on the database rather than a watch;
//  - before an issue event goes out, the sockets subscribed to that issue are re-checked against the issue as
//    it now is: one that may no longer see it (transferred away, merged) leaves the room and hears nothing;
//  - each user also joins `user:<id>`, where in-app notifications are pushed (`notification:new`).
import type { Server as HttpServer } from 'node:http';
import { Types } from 'mongoose';
import { Server, type Socket } from 'socket.io';
import type { Actor } from '../../shared/roles.ts';
import { authenticateStaffToken } from '../auth/staff.middleware.ts';
import type { TokenSigner } from '../auth/token.ts';
import type { IssueChange, IssueChangeListener } from '../commands/issue-deps.ts';
import { scopeOf } from '../commands/issue-store.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import type { InAppNotice } from '../notify/outbox-worker.ts';
import { CITY_REGION } from '../../shared/roles.ts';
import { canViewIssue } from '../policies/issue.policy.ts';

/** The whole payload of an `issue:changed` event. */
export interface IssueChangedEvent {
  id: string;
  number: string;
  state: string;
  warning: string;
  unitId: string | null;
  version: number;
}

export interface Realtime {
  /** Attaches socket.io to the HTTP server (path /socket.io). */
  attach(server: HttpServer): void;
  /** The after-commit listener to pass to the issues router and the sweep. */
  onChange: IssueChangeListener;
  /** Pushes an in-app notification to the user's sockets. */
  notifyUser(notice: InAppNotice): void;
  /** The user's account changed here: re-check their sockets now (disconnected if the session was revoked). */
  revokeUser(userId: string): Promise<number>;
  /** One revocation check of every connected user (runs on the interval; tests call it). */
  checkRevocations(): Promise<number>;
  close(): Promise<void>;
}

export interface RealtimeDeps {
  models: Models;
  tokens: TokenSigner;
  logger: Logger;
  /** How often connected users' tokenVersion is re-read (cross-process revocation); 2 s by default. */
  revocationCheckMs?: number;
}

const CITY_WIDE_ROLES = new Set(['clerk', 'dispatcher', 'director', 'supervisor']);
const ISSUE_FIELDS = {
  number: 1,
  state: 1,
  warning: 1,
  tier: 1,
  region: 1,
  unitId: 1,
  coUnitIds: 1,
  consultUnitIds: 1,
  version: 1,
} as const;

/** The rooms an actor joins on connect. */
export function roomsOf(actor: Actor): string[] {
  if (CITY_WIDE_ROLES.has(actor.role)) return ['centre'];
  if ((actor.role === 'handler' || actor.role === 'unit_head') && actor.unitId)
    return [`unit:${actor.unitId}`];
  if (actor.role === 'leader' && actor.region) return [`leader:${actor.region}`];
  return [];
}

type Ack = (reply: { ok: boolean; error?: string }) => void;

interface SocketData {
  actor: Actor;
  tokenVersion: number;
}

export function createRealtime(deps: RealtimeDeps): Realtime {
  const { models, tokens, logger } = deps;
  let io: Server | undefined;
  let revocationTimer: NodeJS.Timeout | undefined;

  /** Disconnects the sockets whose user is gone, disabled or holds a moved tokenVersion. */
  async function checkRevocations(onlyUserId?: string): Promise<number> {
    if (!io) return 0;
    const sockets = [...io.sockets.sockets.values()].filter(
      (s) => !onlyUserId || (s.data as SocketData).actor?.id === onlyUserId,
    );
    const ids = [...new Set(sockets.map((s) => (s.data as SocketData).actor?.id).filter(Boolean))];
    if (!ids.length) return 0;
    const users = await models.User.collection
      .find(
        { _id: { $in: ids.map((id) => new Types.ObjectId(id)) } },
        { projection: { tokenVersion: 1, disabled: 1 } },
      )
      .toArray();
    const live = new Map(
      users.filter((u) => !u.disabled).map((u) => [String(u._id), u.tokenVersion as number]),
    );
    let dropped = 0;
    for (const socket of sockets) {
      const data = socket.data as SocketData;
      if (live.get(data.actor.id) === data.tokenVersion) continue;
      socket.emit('session:revoked', { reason: 'revoked' });
      socket.disconnect(true);
      dropped += 1;
    }
    return dropped;
  }

  /** The sockets subscribed to the issue that may no longer see it leave its room. */
  async function dropInvisible(issueId: string, scope: Parameters<typeof canViewIssue>[1], merged: boolean) {
    if (!io) return;
    const room = `issue:${issueId}`;
    for (const socket of await io.in(room).fetchSockets()) {
      const actor = (socket.data as SocketData).actor;
      if (merged || !canViewIssue(actor, scope)) socket.leave(room);
    }
  }

  const loadIssue = (id: string) =>
    Types.ObjectId.isValid(id) ? models.Issue.findById(id, ISSUE_FIELDS).lean() : Promise.resolve(null);

  async function onSubscribe(socket: Socket, actor: Actor, id: unknown, ack: unknown): Promise<void> {
    const reply: Ack = typeof ack === 'function' ? (ack as Ack) : () => undefined;
    const issue = typeof id === 'string' ? await loadIssue(id) : null;
    const scope = issue && scopeOf(issue);
    if (!scope || !canViewIssue(actor, scope)) return reply({ ok: false, error: 'not_found' });
    await socket.join(`issue:${String(id)}`);
    reply({ ok: true });
  }

  async function broadcast(change: IssueChange): Promise<void> {
    if (!io) return;
    // Intake's change carries the issue it inserted: no read back.
    const issue = change.issue ?? (await loadIssue(change.issueId));
    if (!issue) return;
    const scope = scopeOf(issue);
    // A merged issue is followed at its master: subscribers hear this last event, then leave.
    const merged = issue.state === 'merged';
    if (!merged) await dropInvisible(change.issueId, scope, false);
    const rooms = new Set<string>(['centre', `issue:${change.issueId}`]);
    for (const unit of [issue.unitId, ...issue.coUnitIds, ...issue.consultUnitIds]) {
      if (unit) rooms.add(`unit:${String(unit)}`);
    }
    // A leader's domain: the leader tier and the red lights, the city's and the issue's county's.
    if (issue.tier === 'leader' || issue.warning === 'red' || issue.warning === 'overdue') {
      rooms.add(`leader:${CITY_REGION}`);
      if (issue.region) rooms.add(`leader:${issue.region}`);
    }
    const event: IssueChangedEvent = {
      id: change.issueId,
      number: issue.number,
      state: issue.state,
      warning: issue.warning,
      unitId: issue.unitId ? String(issue.unitId) : null,
      version: issue.version,
    };
    io.to([...rooms]).emit('issue:changed', event);
    if (merged) await dropInvisible(change.issueId, scope, true);
  }

  return {
    attach(server) {
      io = new Server(server, { serveClient: false });
      revocationTimer = setInterval(() => {
        checkRevocations().catch((err: unknown) => logger.warn({ err }, 'revocation check failed'));
      }, deps.revocationCheckMs ?? 2_000);
      revocationTimer.unref();
      io.use((socket, next) => {
        const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
        authenticateStaffToken(models, tokens, token).then(
          (actor) => {
            const claims = actor && typeof token === 'string' ? tokens.verify(token) : undefined;
            if (!actor || !claims) return next(new Error('invalid_token'));
            socket.data = { actor, tokenVersion: claims.tv } satisfies SocketData;
            next();
          },
          (err: unknown) => next(err instanceof Error ? err : new Error('auth_failed')),
        );
      });
      io.on('connection', (socket) => {
        const actor = socket.data.actor as Actor;
        void socket.join([...roomsOf(actor), `user:${actor.id}`]);
        socket.on('subscribe', (id: unknown, ack: unknown) => {
          onSubscribe(socket, actor, id, ack).catch((err: unknown) =>
            logger.warn({ err }, 'subscribe failed'),
          );
        });
        socket.on('unsubscribe', (id: unknown) => {
          if (typeof id === 'string') void socket.leave(`issue:${id}`);
        });
      });
    },
    onChange(change) {
      broadcast(change).catch((err: unknown) => logger.warn({ err }, 'realtime broadcast failed'));
    },
    notifyUser(notice) {
      io?.to(`user:${notice.userId}`).emit('notification:new', notice);
    },
    revokeUser: (userId) => checkRevocations(userId),
    checkRevocations: () => checkRevocations(),
    async close() {
      clearInterval(revocationTimer);
      if (!io) return;
      io.disconnectSockets(true);
      await io.close();
    },
  };
}
