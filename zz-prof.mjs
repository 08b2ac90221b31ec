// usage: node zz-prof.mjs <seconds> <out.cpuprofile> [worker]
import WebSocket from 'ws';
const [secs, out, worker] = process.argv.slice(2);
const list = await (await fetch('http://127.0.0.1:9229/json/list')).json();
const ws = new WebSocket(list[0].webSocketDebuggerUrl);
let id = 0; const pending = new Map(); const events = [];
const send = (method, params = {}, sessionId) => new Promise((res) => { const i = ++id; pending.set(i, res); ws.send(JSON.stringify({ id: i, method, params, ...(sessionId ? { sessionId } : {}) })); });
ws.on('message', (m) => { const d = JSON.parse(m); if (d.id && pending.has(d.id)) { pending.get(d.id)(d); pending.delete(d.id); } else events.push(d); });
await new Promise((r) => ws.on('open', r));
let session;
if (worker) {
  await send('NodeWorker.enable', { waitForDebuggerOnStart: false });
  await new Promise((r) => setTimeout(r, 500));
  const att = events.filter((e) => e.method === 'NodeWorker.attachedToWorker');
  const w = att.find((e) => /thread-boot/.test(e.params.workerInfo.url)) ?? att[0];
  session = w.params.sessionId;
  // worker messages are wrapped
  const wsend = (method, params = {}) => new Promise((res) => { const i = ++id; pending.set('w' + i, res);
    send('NodeWorker.sendMessageToWorker', { sessionId: session, message: JSON.stringify({ id: i, method, params }) }); });
  const wres = new Map();
  ws.on('message', (m) => { const d = JSON.parse(m); if (d.method === 'NodeWorker.receivedMessageFromWorker') { const x = JSON.parse(d.params.message); if (x.id && pending.has('w' + x.id)) { pending.get('w' + x.id)(x); pending.delete('w' + x.id); } } });
  await wsend('Profiler.enable'); await wsend('Profiler.setSamplingInterval', { interval: 1000 }); await wsend('Profiler.start');
  await new Promise((r) => setTimeout(r, secs * 1000));
  const r = await wsend('Profiler.stop');
  (await import('node:fs')).writeFileSync(out, JSON.stringify(r.result.profile));
} else {
  await send('Profiler.enable'); await send('Profiler.setSamplingInterval', { interval: 1000 }); await send('Profiler.start');
  await new Promise((r) => setTimeout(r, secs * 1000));
  const r = await send('Profiler.stop');
  (await import('node:fs')).writeFileSync(out, JSON.stringify(r.result.profile));
}
ws.close(); process.exit(0);
