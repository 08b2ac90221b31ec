// Security headers: helmet's CSP asks browsers to upgrade to https only when the public address is https, so a
// demo opened over plain HTTP on a LAN address still loads its own assets.
import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from './helpers.ts';

function csp(res: request.Response): string {
  return String(res.headers['content-security-policy'] ?? '');
}

describe('api: security headers', () => {
  describe('over plain http', () => {
    const t = useTestApp({ env: { PUBLIC_BASE_URL: 'http://192.168.1.20:3000' } });
    it('sends a CSP without upgrade-insecure-requests', async () => {
      const res = await request(t.app).get('/healthz');
      expect(csp(res)).to.include("default-src 'self'");
      expect(csp(res)).not.to.include('upgrade-insecure-requests');
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
    });
  });

  describe('behind https', () => {
    const t = useTestApp({ env: { PUBLIC_BASE_URL: 'https://qy.huzhou.example' } });
    it('asks browsers to upgrade insecure requests', async () => {
      const res = await request(t.app).get('/healthz');
      expect(csp(res)).to.include('upgrade-insecure-requests');
    });
  });
});

// Finding 13: HSTS pins a browser to https for a year; over plain http it would lock a LAN demo out.
describe('api: HSTS only when the public address is https', () => {
  describe('plain http', () => {
    const t = useTestApp({ env: { PUBLIC_BASE_URL: 'http://192.168.1.20:3000' } });
    it('sends no Strict-Transport-Security', async () => {
      const res = await request(t.app).get('/healthz');
      expect(res.headers).not.to.have.property('strict-transport-security');
    });
  });
  describe('https', () => {
    const t = useTestApp({ env: { PUBLIC_BASE_URL: 'https://qy.huzhou.example' } });
    it('sends Strict-Transport-Security', async () => {
      const res = await request(t.app).get('/healthz');
      expect(res.headers['strict-transport-security']).to.match(/max-age=\d+/);
    });
  });
});

// Staff answers carry personal data: no browser or proxy keeps them, and no ETag is computed for them.
describe('api: answers are never cached', () => {
  const t = useTestApp();
  it('sends no-store and no ETag on reads, lists and errors', async () => {
    const token = await t.login('clerk');
    const auth = { Authorization: `Bearer ${token}` };
    const answers: [string, request.Response][] = [
      ['/api/me', await request(t.app).get('/api/me').set(auth).expect(200)],
      ['/api/issues', await request(t.app).get('/api/issues?limit=5').set(auth).expect(200)],
      ['401', await request(t.app).get('/api/issues').expect(401)],
      ['404', await request(t.app).get('/api/no-such-thing').set(auth).expect(404)],
    ];
    for (const [what, res] of answers) {
      expect(res.headers['cache-control'], what).to.equal('no-store');
      expect(res.headers, what).not.to.have.property('etag');
    }
  });
});
