// Every staff endpoint refuses anonymous and forged callers the same way, and every admin-only endpoint
// refuses each non-admin role — checked over the whole route table rather than endpoint by endpoint.
import request from 'supertest';
import { ROLES } from '../../shared/roles.ts';
import { expectError, useTestApp } from './helpers.ts';

const ID = '0123456789abcdef01234567';

const STAFF_ENDPOINTS: Array<[method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string]> = [
  ['get', '/api/me'],
  ['post', '/api/auth/logout'],
  ['get', '/api/units'],
  ['get', `/api/units/${ID}`],
  ['post', '/api/units'],
  ['patch', `/api/units/${ID}`],
  ['get', '/api/users'],
  ['post', '/api/users'],
  ['patch', `/api/users/${ID}`],
  ['get', '/api/enterprises'],
  ['post', '/api/enterprises'],
  ['get', `/api/enterprises/${ID}`],
  ['patch', `/api/enterprises/${ID}`],
  ['put', `/api/enterprises/${ID}/pin`],
  ['get', `/api/enterprises/${ID}/qr.svg`],
  ['get', `/api/enterprises/${ID}/qr.png`],
  ['post', `/api/enterprises/${ID}/qr/rotate`],
  ['get', `/api/enterprises/${ID}/senders`],
  ['post', `/api/enterprises/${ID}/senders/remove`],
  ['post', '/api/classify'],
  ['get', '/api/routing-rules'],
  ['post', '/api/routing-rules'],
  ['patch', `/api/routing-rules/${ID}`],
  ['delete', `/api/routing-rules/${ID}`],
  ['get', '/api/calendar/overrides'],
  ['put', '/api/calendar/overrides/2026-05-01'],
  ['delete', '/api/calendar/overrides/2026-05-01'],
  ['get', '/api/calendar/days?from=2026-05-01&to=2026-05-02'],
  ['get', '/api/calendar/years/2026'],
  ['get', '/api/settings'],
  ['put', '/api/settings/x'],
];

const ADMIN_ONLY: Array<[method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string]> = [
  ['get', '/api/users'],
  ['post', '/api/users'],
  ['patch', `/api/users/${ID}`],
  ['post', '/api/units'],
  ['patch', `/api/units/${ID}`],
  ['post', '/api/routing-rules'],
  ['patch', `/api/routing-rules/${ID}`],
  ['delete', `/api/routing-rules/${ID}`],
  ['put', '/api/calendar/overrides/2026-05-01'],
  ['delete', '/api/calendar/overrides/2026-05-01'],
  ['get', '/api/settings'],
  ['put', '/api/settings/x'],
];

describe('api: authentication and admin gates over every endpoint', () => {
  const t = useTestApp();

  it('401 unauthorized without a token, 401 invalid_token with a forged one', async () => {
    for (const [method, path] of STAFF_ENDPOINTS) {
      const call = () => request(t.app)[method](path);
      expectError(await call().send({}), 401, 'unauthorized');
      const forged = await call().set('Authorization', 'Bearer eyJhbGciOiJub25lIn0.e30.').send({});
      expectError(forged, 401, 'invalid_token');
    }
  });

  for (const role of ROLES.filter((r) => r !== 'admin' && r !== 'handler' && r !== 'unit_head')) {
    it(`403 forbidden for ${role} on admin-only endpoints`, async () => {
      const auth = await t.auth(role);
      for (const [method, path] of ADMIN_ONLY) {
        expectError(await request(t.app)[method](path).set(auth).send({}), 403, 'forbidden');
      }
    });
  }

  it('403 forbidden for unit roles on admin-only endpoints', async () => {
    for (const username of ['handler-city-tax', 'unithead-deqing-xinshi']) {
      const auth = await t.auth(username);
      for (const [method, path] of ADMIN_ONLY) {
        expectError(await request(t.app)[method](path).set(auth).send({}), 403, 'forbidden');
      }
    }
  });
});
