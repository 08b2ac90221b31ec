// Live updates: one socket.io connection while a session exists (connected on sign-in, closed on sign-out; the
// client's code loads apart from the first screen's).
// The server sends `issue:changed` summaries (views refetch through the API) and, once notifications exist,
// `notification:new` events; the alerts store turns both into toasts and the unread count.
import type { Socket } from 'socket.io-client';
import { onBeforeUnmount, watch } from 'vue';
import { useSession } from '../stores/session.ts';
import { afterFirstPaint } from './idle.ts';

/** The whole payload of a server `issue:changed` event. */
export interface IssueChanged {
  id: string;
  number: string;
  state: string;
  warning: string;
  unitId: string | null;
  version: number;
}

type Listener = (change: IssueChanged) => void;
type NotificationListener = (payload: unknown) => void;

let socket: Socket | null = null;
const listeners = new Set<Listener>();
const notificationListeners = new Set<NotificationListener>();
/** Issue rooms to (re)join on every connect: the server forgets them when a connection drops. */
const subscribed = new Map<string, number>();

/** Counts connects and disconnects: a connect overtaken while its code loaded gives up. */
let generation = 0;

async function connect(token: string): Promise<void> {
  disconnect();
  const mine = ++generation;
  const { io } = await import('socket.io-client');
  if (mine !== generation) return;
  socket = io({ auth: { token }, transports: ['websocket', 'polling'] });
  // The server refuses a token that has expired (12 h by default; a reconnect after a night, a sleep or a
  // restart): trade the cookie for a new one, and the session's watch connects again with it. socket.io does
  // not retry a refused handshake by itself.
  socket.on('connect_error', (err: Error) => {
    if (err.message === 'invalid_token' && mine === generation) void useSession().refresh();
  });
  socket.on('connect', () => {
    for (const id of subscribed.keys()) socket?.emit('subscribe', id);
  });
  socket.on('issue:changed', (change: IssueChanged) => {
    for (const listener of listeners) listener(change);
  });
  socket.on('notification:new', (payload: unknown) => {
    for (const listener of notificationListeners) listener(payload);
  });
}

function disconnect(): void {
  generation++;
  socket?.disconnect();
  socket = null;
}

/** Keeps the connection in step with the session; call once at start-up. */
export function startLive(): void {
  const session = useSession();
  watch(
    () => session.token,
    // Connecting waits until the first screen has painted; signing out disconnects at once.
    (token) => {
      if (!token) return disconnect();
      afterFirstPaint(() => {
        if (session.token === token) void connect(token);
      });
    },
    { immediate: true },
  );
}

/** Hears every `issue:changed`; returns the unsubscribe function. */
export function onIssueChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Hears every in-app `notification`; returns the unsubscribe function. */
export function onNotification(listener: NotificationListener): () => void {
  notificationListeners.add(listener);
  return () => notificationListeners.delete(listener);
}

/** Joins the room of one issue (the server checks that this user may see it); returns the leave function. */
export function watchIssue(id: string): () => void {
  subscribed.set(id, (subscribed.get(id) ?? 0) + 1);
  socket?.emit('subscribe', id);
  return () => {
    const left = (subscribed.get(id) ?? 1) - 1;
    if (left > 0) return void subscribed.set(id, left);
    subscribed.delete(id);
    socket?.emit('unsubscribe', id);
  };
}

/** Versions this tab's own actions will produce, per issue: their push must not read as someone else's change. */
const ownVersions = new Map<string, number>();

/** Called before sending an action with `If-Match: version`: the write it makes will carry `version + 1`. */
export function expectOwnChange(id: string, version: number): void {
  ownVersions.set(id, version + 1);
}

/** Whether a pushed change is the one this tab's own action made (its HTTP answer carries the update; the push
 *  may arrive before that answer, and must not also show as 已更新 by someone else). */
export function isOwnChange(change: IssueChanged): boolean {
  return ownVersions.get(change.id) === change.version;
}

/** Calls `reload` at most once per `delayMs` however many changes arrive in a burst (a sweep). */
export function debounced(reload: () => void, delayMs = 400): { trigger: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    trigger: () => {
      clearTimeout(timer);
      timer = setTimeout(reload, delayMs);
    },
    cancel: () => clearTimeout(timer),
  };
}

/**
 * In a component: reloads (debounced) on every pushed change `relevant` accepts, until the component unmounts.
 */
export function useLiveRefresh(
  reload: () => void,
  options: { delayMs?: number; relevant?: (change: IssueChanged) => boolean } = {},
): void {
  const refresh = debounced(reload, options.delayMs);
  const stop = onIssueChanged((change) => {
    if (!options.relevant || options.relevant(change)) refresh.trigger();
  });
  onBeforeUnmount(() => {
    stop();
    refresh.cancel();
  });
}
