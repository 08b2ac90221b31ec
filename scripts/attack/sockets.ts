/**
 * The realtime channel and the connection cap: socket.io without or with a bogus token, a handler subscribing to
 * another unit's issue, and 80 idle connections from one address against the per-address cap.
 */
import net from 'node:net';
import { io } from 'socket.io-client';
import { finding, ok, tally, type App } from './harness.ts';

export async function probeSockets(
  app: App,
  tokens: Record<string, string>,
  foreignIssue: string | undefined,
): Promise<void> {
  console.log('\n== socket.io and connection limits');
  const connectWith = (auth: Record<string, string>) =>
    new Promise<string>((resolve) => {
      const s = io(app.base, { auth, transports: ['websocket'], reconnection: false, timeout: 4000 });
      s.on('connect', () => {
        if (foreignIssue)
          s.emit('subscribe', foreignIssue, (ack: unknown) => {
            s.close();
            resolve(`connected ack=${JSON.stringify(ack)}`);
          });
        else {
          s.close();
          resolve('connected');
        }
        setTimeout(() => {
          s.close();
          resolve('connected (no ack)');
        }, 3000);
      });
      s.on('connect_error', (err) => resolve(`refused: ${err.message}`));
    });
  tally.requests += 2;
  const anon = await connectWith({});
  if (!anon.startsWith('refused')) finding(`socket.io without a token: ${anon}`);
  else ok(`socket.io without a token ${anon}`);
  const bogus = await connectWith({ token: 'x.y.z' });
  if (!bogus.startsWith('refused')) finding(`socket.io with a bogus token: ${bogus}`);
  if (foreignIssue) {
    const handler = await connectWith({ token: tokens['handler-anji-dipu'] });
    if (/ok":true|joined/.test(handler)) finding(`a handler subscribed to another unit's issue: ${handler}`);
    else ok(`a handler subscribing to another unit's issue: ${handler}`);
  }
  // Idle connections from one address: the cap (64 by default) must hold and the server keep answering.
  const sockets: net.Socket[] = [];
  let closedEarly = 0;
  for (let i = 0; i < 80; i++) {
    const s = net.connect(Number(new URL(app.base).port), '127.0.0.1');
    s.on('error', () => undefined);
    s.on('close', () => closedEarly++);
    sockets.push(s);
  }
  await new Promise((r) => setTimeout(r, 1500));
  const health = await fetch(`${app.base}/healthz`, { signal: AbortSignal.timeout(5000) }).catch(
    () => undefined,
  );
  tally.requests++;
  if (closedEarly < 16) finding(`80 idle connections from one address: only ${closedEarly} closed (cap 64)`);
  else ok(`80 idle connections: ${closedEarly} closed by the cap`);
  if (!health?.ok)
    ok('while 64 idle connections are held the same address is refused (the cap), as designed');
  for (const s of sockets) s.destroy();
}
