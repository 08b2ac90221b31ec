/**
 * What the app exposes before anyone logs in: the TCP ports the process listens on (the database must not be
 * one), the database socket's and DATA_DIR's modes, HSTS over plain http, and every staff route without a token.
 */
import { lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import { listeningTcpPorts } from '../../test/db/listening-ports.ts';
import { call, finding, ok, type App } from './harness.ts';
import { OID, PUBLIC, ROUTES } from './routes.ts';

export async function probeInfrastructure(app: App): Promise<void> {
  console.log('\n== the process, the database socket, headers');
  const ports = await listeningTcpPorts(app.child.pid!);
  const http = Number(new URL(app.base).port);
  if (ports.length === 1 && ports[0] === http) ok(`the app listens on its HTTP port only (${http})`);
  else
    finding(
      `the app listens on TCP ports ${ports.join(', ')} (HTTP is ${http}): the database may be reachable`,
    );
  const sock = await lstat(path.join(app.dataDir, 'db.sock')).catch(() => undefined);
  if (sock?.isSocket() && (sock.mode & 0o777) === 0o600) ok('DATA_DIR/db.sock is a socket, mode 0600');
  else finding(`DATA_DIR/db.sock: ${sock ? (sock.mode & 0o777).toString(8) : 'missing'}`);
  const dirMode = (await stat(app.dataDir)).mode & 0o077;
  if (dirMode === 0) ok('DATA_DIR is closed to group and others');
  else finding(`DATA_DIR mode lets group/others in (${dirMode.toString(8)})`);
  const health = await call(app.base, 'GET', '/healthz');
  if (health.headers.get('strict-transport-security')) finding('HSTS sent over plain http');
  else ok('no HSTS over plain http');
}

export async function probeAnonymous(app: App): Promise<void> {
  console.log('\n== every staff route without a token');
  let closed = 0;
  for (const [method, route] of ROUTES) {
    if (PUBLIC.has(route)) continue;
    const res = await call(app.base, method, route.replaceAll(':id', OID), {
      body: method === 'GET' ? undefined : {},
    });
    if (res.status === 401) closed++;
    else finding(`${method} ${route} without a token answered ${res.status}`);
  }
  ok(`${closed} staff routes answered 401 without a token`);
}
