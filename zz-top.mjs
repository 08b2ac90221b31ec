// usage: node zz-top.mjs profile.cpuprofile  -> self time by function and by file
import fs from 'node:fs';
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map(); const total = p.samples.length;
const counts = new Map(); for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const fileSelf = new Map();
for (const [id, c] of counts) { const n = byId.get(id); const cf = n.callFrame; const k = `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber}`; self.set(k, (self.get(k) ?? 0) + c); const f = cf.url.split('/').slice(-2).join('/') || cf.functionName; fileSelf.set(f, (fileSelf.get(f) ?? 0) + c); }
console.log('samples', total);
for (const [k, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((100 * c / total).toFixed(1).padStart(5), k);
console.log('--- by file');
for (const [k, c] of [...fileSelf].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log((100 * c / total).toFixed(1).padStart(5), k);
