// The real entry point, as `npm start` runs it on a fresh clone: embedded database under DATA_DIR (reached
// through its owner-only socket, no TCP port of its own), demo seed, demo banner, a JWT secret that survives
// restarts, and a clean exit on SIGTERM with the data kept.
import { expect } from 'chai';
import nodemailer from 'nodemailer';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listeningTcpPorts } from '../db/listening-ports.ts';
import { login, start, stop, waitFor } from './main.harness.ts';

describe('server/main.ts (npm start)', function () {
  this.timeout(180_000);
  let dataDir = '';
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'eil-main-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts on a fresh data directory, seeds, serves, and stops cleanly; a restart keeps data and sessions', async () => {
    const first = await start(dataDir);
    expect(first.output()).to.contain('empty database: seeding demo data');
    await waitFor(first, '演示账号（密码均为 demo1234）');
    await waitFor(first, 'handler-deqing-xinshi');
    const health = await fetch(`${first.url}/healthz`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.deep.equal({ status: 'ok' });
    const token = await login(first.url, 'dispatcher');
    // The database answers on DATA_DIR/db.sock (0600) only: the process listens on HTTP and SMTP, nothing else.
    const smtpPort = Number(/"port":(\d+)[^\n]*"msg":"smtp intake listening"/.exec(first.output())?.[1]);
    expect(await listeningTcpPorts(first.child.pid!)).to.deep.equal(
      [Number(new URL(first.url).port), smtpPort].sort((a, b) => a - b),
    );
    const socket = await lstat(path.join(dataDir, 'db.sock'));
    expect(socket.isSocket() && (socket.mode & 0o777).toString(8)).to.equal('600');
    expect(await stop(first)).to.equal(0);
    expect(first.output()).to.contain('"msg":"stopped"');

    const second = await start(dataDir);
    try {
      expect(second.output()).to.not.contain('seeding demo data');
      const me = await fetch(`${second.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).to.equal(200);
      await login(second.url, 'handler-anji-dipu');
    } finally {
      expect(await stop(second)).to.equal(0);
    }
  });

  it('a mail to the SMTP listener is acknowledged by mail and notified like any other issue', async () => {
    // No SMTP_URL: demo mode logs outgoing mail, so the reply is written and reads as delivered.
    const running = await start(dataDir);
    try {
      await waitFor(running, '"msg":"smtp intake listening"');
      const smtpPort = Number(/"port":(\d+)[^\n]*"msg":"smtp intake listening"/.exec(running.output())?.[1]);
      // The dispatcher finds the issue; the admin reads the outbox.
      const tokens = {
        dispatcher: await login(running.url, 'dispatcher'),
        admin: await login(running.url, 'admin'),
      };
      const get = async <T>(path: string, as: keyof typeof tokens = 'dispatcher'): Promise<T> => {
        const headers = { authorization: `Bearer ${tokens[as]}` };
        const res = await fetch(`${running.url}${path}`, { headers });
        expect(res.status, path).to.equal(200);
        return (await res.json()) as T;
      };
      const { items } = await get<{ items: { creditCode: string }[] }>('/api/enterprises?limit=1');
      const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true });
      const info = await mailer.sendMail({
        from: '"王会计" <wang@example-mill.cn>',
        to: 'complaints@example.gov.cn',
        subject: `【${items[0].creditCode}】出口退税申报三个月未到账`,
        text: '我司三个月前申报的出口退税至今未到账，资金周转困难，请帮助协调。',
      });
      mailer.close();
      const number = /as issue (HZ-\d{4}-\d+)/.exec(info.response)?.[1];
      expect(number, info.response).to.be.a('string');
      const found = await get<{ items: { id: string; number: string }[] }>(`/api/issues?q=${number}`);
      const issue = found.items.find((i) => i.number === number)!;
      // The notifier writes the outbox after the issue's write: wait for it (a few hundred ms at most).
      type Row = { event: string; channel: string; status: string; recipient: { kind: string } };
      let rows: Row[] = [];
      for (let i = 0; i < 50 && !rows.some((r) => r.channel === 'email' && r.status === 'sent'); i++) {
        await new Promise((ok) => setTimeout(ok, 100));
        rows = (await get<{ items: Row[] }>(`/api/outbox?issueId=${issue.id}`, 'admin')).items;
      }
      // The sender's 受理回执 goes back by mail; the centre or the unit hears of the new issue in the app.
      const mail = rows.filter((r) => r.channel === 'email');
      expect(mail.map((r) => [r.event, r.status])).to.deep.include(['enterprise_received', 'sent']);
      expect(running.output()).to.contain('email (demo: not delivered, logged only)');
      expect(rows.some((r) => r.recipient.kind === 'user')).to.equal(true);
    } finally {
      expect(await stop(running)).to.equal(0);
    }
  });

  it('DEMO_CLOCK_AT: the clock starts at that instant and runs (a benchmark runs the app as if live then)', async () => {
    const at = Date.parse('2026-01-05T02:00:00.000Z');
    const running = await start(dataDir, { DEMO_CLOCK_AT: new Date(at).toISOString() });
    try {
      const token = await login(running.url, 'admin');
      const now = async () => {
        const res = await fetch(`${running.url}/api/dev/clock`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return Date.parse(((await res.json()) as { now: string }).now);
      };
      const first = await now();
      expect(first - at).to.be.within(0, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await now()) - first).to.be.at.least(1_000);
    } finally {
      expect(await stop(running)).to.equal(0);
    }
  });
});
