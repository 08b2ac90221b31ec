// Realtime (DESIGN §8): socket.io for the staff workbench. Sockets authenticate with the staff JWT (same
// checks as requireStaff: signature, expiry, tokenVersion, disabled), join rooms for their audience, and may
// subscribe to one issue's room only when canViewIssue allows. After every committed issue change this module
// decides the recipient rooms and sends a small `issue:changed` summary — never content or notes: clients
// refetch through the REST API, which enforces policy.
import type { Server as HttpServer } from 'node:http';
import { Types } from 'mongoose';
import { Server, type Socket } from 'socket.io';
import type { Actor } from '../../shared/roles.ts';
import { authenticateStaffToken } from '../auth/staff.middleware.ts';
import type { TokenSigner } from '../auth/token.ts';
import type { IssueChange, IssueChangeListener } from '../commands/issue-deps.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import { canViewIssue, CITY_REGION } from '../policies/issue.policy.ts';

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
  close(): Promise<void>;
}

export interface RealtimeDeps {
  models: Models;
  tokens: TokenSigner;
  logger: Logger;
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
  if (actor.role === 'leader' && actor.region) return ['leaders', `leader:${actor.region}`];
  return [];
}

type Ack = (reply: { ok: boolean; error?: string }) => void;

export function createRealtime(deps: RealtimeDeps): Realtime {
  const { models, tokens, logger } = deps;
  let io: Server | undefined;

  const loadIssue = (id: string) =>
    Types.ObjectId.isValid(id) ? models.Issue.findById(id, ISSUE_FIELDS).lean() : Promise.resolve(null);

  async function onSubscribe(socket: Socket, actor: Actor, id: unknown, ack: unknown): Promise<void> {
    const reply: Ack = typeof ack === 'function' ? (ack as Ack) : () => undefined;
    const issue = typeof id === 'string' ? await loadIssue(id) : null;
    const scope = issue && {
      unitId: issue.unitId ? String(issue.unitId) : null,
      coUnitIds: issue.coUnitIds.map(String),
      consultUnitIds: issue.consultUnitIds.map(String),
      tier: issue.tier,
      warning: issue.warning,
      region: issue.region,
    };
    if (!scope || !canViewIssue(actor, scope)) return reply({ ok: false, error: 'not_found' });
    await socket.join(`issue:${String(id)}`);
    reply({ ok: true });
  }

  async function broadcast(change: IssueChange): Promise<void> {
    if (!io) return;
    const issue = await loadIssue(change.issueId);
    if (!issue) return;
    const rooms = new Set<string>(['centre', `issue:${change.issueId}`]);
    for (const unit of [issue.unitId, ...issue.coUnitIds, ...issue.consultUnitIds]) {
      if (unit) rooms.add(`unit:${String(unit)}`);
    }
    if (issue.tier === 'leader') rooms.add('leaders');
    if (issue.warning === 'red' || issue.warning === 'overdue') {
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
  }

  return {
    attach(server) {
      io = new Server(server, { serveClient: false });
      io.use((socket, next) => {
        const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
        authenticateStaffToken(models, tokens, token).then(
          (actor) => {
            if (!actor) return next(new Error('invalid_token'));
            socket.data.actor = actor;
            next();
          },
          (err: unknown) => next(err instanceof Error ? err : new Error('auth_failed')),
        );
      });
      io.on('connection', (socket) => {
        const actor = socket.data.actor as Actor;
        void socket.join(roomsOf(actor));
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
    async close() {
      if (!io) return;
      io.disconnectSockets(true);
      await io.close();
    },
  };
}
