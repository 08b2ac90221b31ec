// The enterprise directory: search, detail, registration with credit-code validation, and the enterprise
// code (企业码) image and rotation.
import { expect } from 'chai';
import request from 'supertest';
import { isValidCreditCode, makeCreditCode } from '../../shared/credit-code.ts';
import { expectError, unitOf, useTestApp } from './helpers.ts';

describe('api: enterprises', () => {
  const t = useTestApp();
  const first = () => t.seed!.enterprises[0];

  describe('GET /api/enterprises', () => {
    it('401 without a token', async () => {
      expectError(await request(t.app).get('/api/enterprises'), 401, 'unauthorized');
    });

    it('seeds ≥200 enterprises, all with valid credit codes', () => {
      expect(t.seed!.enterprises.length).to.be.at.least(200);
      expect(t.seed!.enterprises.every((e) => isValidCreditCode(e.creditCode))).to.equal(true);
    });

    it('searches by part of the name, with a masked mobile in the list', async () => {
      const res = await request(t.app)
        .get('/api/enterprises')
        .query({ q: first().name.slice(2, 6) })
        .set(await t.auth('clerk'))
        .expect(200);
      const hit = res.body.items.find((e: { id: string }) => e.id === String(first()._id));
      expect(hit).to.include({ name: first().name, creditCode: first().creditCode });
      expect(hit.mobileMasked).to.match(/^\d{3}\*{4}\d{4}$/);
      expect(hit).to.not.have.any.keys('mobile', 'qrToken', 'qrUrl', 'pinHash');
    });

    it('searches by credit code (any case) and by its prefix', async () => {
      const auth = await t.auth(`handler-${unitOf(t, 'city').code}`);
      const exact = await request(t.app)
        .get('/api/enterprises')
        .query({ q: first().creditCode.toLowerCase() })
        .set(auth)
        .expect(200);
      expect(exact.body.items.map((e: { id: string }) => e.id)).to.deep.equal([String(first()._id)]);
      const prefix = await request(t.app).get('/api/enterprises?q=91330521&limit=100').set(auth).expect(200);
      expect(prefix.body.items.length).to.be.greaterThan(10);
      expect(
        prefix.body.items.every((e: { creditCode: string }) => e.creditCode.startsWith('91330521')),
      ).to.equal(true);
    });

    it('treats regex characters in q literally and honours limit and region', async () => {
      const auth = await t.auth('clerk');
      const weird = await request(t.app).get('/api/enterprises').query({ q: '.*(' }).set(auth).expect(200);
      expect(weird.body.items).to.deep.equal([]);
      const some = await request(t.app).get('/api/enterprises?limit=5&region=anji').set(auth).expect(200);
      expect(some.body.items).to.have.length(5);
      expect(some.body.items.every((e: { region: string }) => e.region === 'anji')).to.equal(true);
      expectError(
        await request(t.app).get('/api/enterprises?limit=1000').set(auth),
        400,
        'validation_failed',
      );
      expectError(await request(t.app).get('/api/enterprises?limit=abc').set(auth), 400, 'validation_failed');
    });
  });

  describe('GET /api/enterprises/:id', () => {
    it('returns the detail with the full mobile and the enterprise-code URL', async () => {
      const res = await request(t.app)
        .get(`/api/enterprises/${String(first()._id)}`)
        .set(await t.auth('dispatcher'))
        .expect(200);
      expect(res.body).to.include({ creditCode: first().creditCode, mobile: first().mobile });
      expect(res.body.qrUrl).to.equal(`https://qy.example.test/e/${first().qrToken}`);
      expect(res.body).to.not.have.any.keys('pinHash', 'qrToken');
    });

    it('404 for unknown and malformed ids; 401 without a token', async () => {
      const auth = await t.auth('clerk');
      expectError(
        await request(t.app).get('/api/enterprises/0123456789abcdef01234567').set(auth),
        404,
        'not_found',
      );
      expectError(await request(t.app).get('/api/enterprises/zzz').set(auth), 404, 'not_found');
      expectError(await request(t.app).get(`/api/enterprises/${String(first()._id)}`), 401, 'unauthorized');
    });
  });

  describe('POST /api/enterprises', () => {
    const body = {
      creditCode: makeCreditCode('91330523MA2B3C4D5'),
      name: '安吉竹语新材料有限公司',
      region: 'anji',
      industry: '竹木制品',
      address: '浙江省湖州市安吉县递铺街道竹海路8号',
      ownerName: '叶青',
      mobile: '13905720000',
    };

    it('registers an enterprise with a fresh, unguessable QR token (201)', async () => {
      const res = await request(t.app)
        .post('/api/enterprises')
        .set(await t.auth('clerk'))
        .send({ ...body, creditCode: body.creditCode.toLowerCase() });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ creditCode: body.creditCode, name: body.name, region: 'anji' });
      const token = res.body.qrUrl.split('/e/')[1] as string;
      expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(token).to.not.contain(body.creditCode);
    });

    it('409 duplicate for a credit code already registered', async () => {
      const res = await request(t.app)
        .post('/api/enterprises')
        .set(await t.auth('dispatcher'))
        .send(body);
      expectError(res, 409, 'duplicate');
    });

    it('400 validation_failed for a wrong check character, a bad mobile or a missing name', async () => {
      const auth = await t.auth('clerk');
      const bad = body.creditCode.slice(0, 17) + (body.creditCode[17] === '0' ? '1' : '0');
      for (const change of [
        { creditCode: bad },
        { creditCode: 'I'.repeat(18) },
        { mobile: '12345' },
        { name: '' },
      ]) {
        const res = await request(t.app)
          .post('/api/enterprises')
          .set(auth)
          .send({ ...body, ...change });
        expectError(res, 400, 'validation_failed');
      }
    });

    it('403 for roles that do not register enterprises', async () => {
      for (const username of ['leader', 'supervisor', `handler-${unitOf(t, 'city').code}`]) {
        const res = await request(t.app)
          .post('/api/enterprises')
          .set(await t.auth(username))
          .send(body);
        expectError(res, 403, 'forbidden');
      }
    });
  });

  describe('PATCH /api/enterprises/:id and PUT /api/enterprises/:id/pin', () => {
    const target = () => t.seed!.enterprises[3];

    it('corrects the registered mobile and address; the credit code cannot change', async () => {
      const id = String(target()._id);
      const auth = await t.auth('dispatcher');
      const res = await request(t.app)
        .patch(`/api/enterprises/${id}`)
        .set(auth)
        .send({ mobile: '13905721234', address: '浙江省湖州市长兴县太湖街道新址路1号' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ mobile: '13905721234', creditCode: target().creditCode });
      // Written as people write it, stored as 11 digits.
      for (const typed of ['+86 139-0572-4321', '86 13905724321', '139 0572 4321']) {
        const again = await request(t.app).patch(`/api/enterprises/${id}`).set(auth).send({ mobile: typed });
        expect(again.status, typed).to.equal(200);
        expect(again.body.mobile, typed).to.equal('13905724321');
      }
      expectError(
        await request(t.app)
          .patch(`/api/enterprises/${id}`)
          .set(auth)
          .send({ creditCode: makeCreditCode('91330523MA2B3C4D6') }),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app).patch(`/api/enterprises/${id}`).set(auth).send({ mobile: '110' }),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app).patch(`/api/enterprises/${id}`).set(auth).send({ region: 'mars' }),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app).patch(`/api/enterprises/${id}`).set(auth).send({}),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app)
          .patch(`/api/enterprises/${id}`)
          .set(await t.auth('leader'))
          .send({ name: '改名' }),
        403,
        'forbidden',
      );
      expectError(
        await request(t.app)
          .patch('/api/enterprises/0123456789abcdef01234567')
          .set(auth)
          .send({ name: '改名企业' }),
        404,
        'not_found',
      );
    });

    it('sets the owner PIN as a hash only (answering the enterprise by name); 400 for a non-6-digit PIN; clerk and admin only', async () => {
      const id = String(target()._id);
      const set = await request(t.app)
        .put(`/api/enterprises/${id}/pin`)
        .set(await t.auth('clerk'))
        .send({ pin: '246810' })
        .expect(200);
      expect(set.body).to.deep.equal({ id, name: target().name });
      const stored = await t.models.Enterprise.findById(id, { pinHash: 1 }).lean();
      expect(stored!.pinHash).to.match(/^scrypt\$/);
      const detail = await request(t.app)
        .get(`/api/enterprises/${id}`)
        .set(await t.auth('clerk'))
        .expect(200);
      expect(JSON.stringify(detail.body)).to.not.contain('scrypt');
      expectError(
        await request(t.app)
          .put(`/api/enterprises/${id}/pin`)
          .set(await t.auth('clerk'))
          .send({ pin: '12ab56' }),
        400,
        'validation_failed',
      );
      // The PINs a stranger holding the code tries first, within the ten tries before the lock.
      for (const pin of ['000000', '111111', '121212', '123456', '654321', '890123', '123123', '520520']) {
        const res = await request(t.app)
          .put(`/api/enterprises/${id}/pin`)
          .set(await t.auth('clerk'))
          .send({ pin });
        expectError(res, 400, 'validation_failed');
        expect(JSON.stringify(res.body), pin).to.include('PIN 过于简单');
      }
      expectError(
        await request(t.app)
          .put(`/api/enterprises/${id}/pin`)
          .set(await t.auth('dispatcher'))
          .send({ pin: '123456' }),
        403,
        'forbidden',
      );
      expectError(
        await request(t.app)
          .put('/api/enterprises/0123456789abcdef01234567/pin')
          .set(await t.auth('admin'))
          .send({ pin: '246810' }),
        404,
        'not_found',
      );
    });
  });

  describe('enterprise code images and rotation', () => {
    it('GET qr.svg returns an SVG image, not cached', async () => {
      const res = await request(t.app)
        .get(`/api/enterprises/${String(first()._id)}/qr.svg`)
        .set(await t.auth('clerk'))
        .buffer(true)
        .parse((r, cb) => {
          let data = '';
          r.on('data', (c: Buffer) => (data += c.toString('utf8')));
          r.on('end', () => cb(null, data));
        });
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^image\/svg\+xml/);
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(res.body as string).to.match(/^<svg[\s\S]*<\/svg>\s*$/);
    });

    it('GET qr.png returns a PNG image', async () => {
      const res = await request(t.app)
        .get(`/api/enterprises/${String(first()._id)}/qr.png`)
        .set(await t.auth('director'))
        .expect(200);
      expect(res.headers['content-type']).to.equal('image/png');
      expect((res.body as Buffer).subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a');
    });

    it('401 without a token, 404 for an unknown enterprise', async () => {
      expectError(
        await request(t.app).get(`/api/enterprises/${String(first()._id)}/qr.svg`),
        401,
        'unauthorized',
      );
      const res = await request(t.app)
        .get('/api/enterprises/0123456789abcdef01234567/qr.png')
        .set(await t.auth('clerk'));
      expectError(res, 404, 'not_found');
    });

    it('POST qr/rotate replaces the token (revoking the printed code); admin and clerk only', async () => {
      const id = String(first()._id);
      const before = (await t.models.Enterprise.findById(id).lean())!.qrToken;
      expectError(
        await request(t.app)
          .post(`/api/enterprises/${id}/qr/rotate`)
          .set(await t.auth('dispatcher')),
        403,
        'forbidden',
      );
      expectError(await request(t.app).post(`/api/enterprises/${id}/qr/rotate`), 401, 'unauthorized');
      const res = await request(t.app)
        .post(`/api/enterprises/${id}/qr/rotate`)
        .set(await t.auth('clerk'))
        .expect(200);
      const after = (await t.models.Enterprise.findById(id).lean())!.qrToken;
      expect(after).to.not.equal(before);
      expect(res.body.qrUrl).to.equal(`https://qy.example.test/e/${after}`);
      expect(await t.models.Enterprise.exists({ qrToken: before })).to.equal(null);
      await request(t.app)
        .post(`/api/enterprises/${id}/qr/rotate`)
        .set(await t.auth('admin'))
        .expect(200);
      const missing = await request(t.app)
        .post('/api/enterprises/0123456789abcdef01234567/qr/rotate')
        .set(await t.auth('admin'));
      expectError(missing, 404, 'not_found');
    });
  });
});
