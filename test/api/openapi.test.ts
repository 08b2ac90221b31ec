// GET /api/openapi.json: the channel webhooks and the staff API's core as OpenAPI 3.1, public like the README.
// Its request schemas are the ones the server checks with, so a body the document calls incomplete is one the
// server refuses, and every action and JSON channel the server takes is in it.
import { expect } from 'chai';
import request from 'supertest';
import { JSON_CHANNELS } from '../../server/channels/json-channels.ts';
import { channelSecretKeyOf } from '../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../server/channels/demo-credentials.ts';
import { signBody } from '../../server/channels/signature.ts';
import { ACTION_SCHEMAS } from '../../shared/schemas.ts';
import { expectError } from './helpers.ts';
import { useIssueApp } from './issues/fixtures.ts';

type Operation = {
  security?: Record<string, unknown>[];
  responses?: Record<string, unknown>;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { required?: string[]; properties?: object } }> };
};

describe('api: the OpenAPI document', () => {
  const t = useIssueApp();
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>> };

  /** A JSON channel push signed with the demo secret, as the platform sends it. */
  function signedPush(channel: string, secret: string, payload: object) {
    const body = JSON.stringify(payload);
    const ts = String(Math.floor(Date.now() / 1000));
    return request(t.app)
      .post(`/api/intake/${channel}`)
      .set('Content-Type', 'application/json')
      .set('X-Timestamp', ts)
      .set('X-Signature', signBody(secret, ts, body))
      .send(body);
  }

  before(async () => {
    await seedDemoChannelCredentials(t.models, channelSecretKeyOf(t.config), t.clock);
    const res = await request(t.app).get('/api/openapi.json').expect(200);
    expect(res.headers['content-type']).to.match(/application\/json/);
    doc = res.body;
  });

  it('is OpenAPI 3.1 and lists every JSON channel with its own authentication', () => {
    expect(doc.openapi).to.equal('3.1.0');
    for (const adapter of JSON_CHANNELS) {
      const op = doc.paths[`/api/intake/${adapter.channel}`]?.post;
      expect(op, adapter.channel).to.not.equal(undefined);
      expect(op.security).to.deep.equal([
        adapter.auth === 'hmac' ? { channelSignature: [] } : { channelApiKey: [] },
      ]);
      const schema = op.requestBody!.content['application/json'].schema;
      expect(schema.required, adapter.channel).to.include(adapter.idField);
    }
    const hotline =
      doc.paths['/api/intake/hotline12345'].post.requestBody!.content['application/json'].schema;
    expect(hotline.required).to.have.members(['orderId', 'content']);
  });

  it('lists every lifecycle action with the body the server checks', () => {
    for (const action of Object.keys(ACTION_SCHEMAS)) {
      const op = doc.paths[`/api/issues/{id}/actions/${action}`]?.post;
      expect(op, action).to.not.equal(undefined);
      expect(op.security).to.deep.equal([{ staffBearer: [] }]);
      expect(op.parameters!.map((p) => p.name)).to.include.members(['id', 'If-Match']);
    }
    const decide = doc.paths['/api/issues/{id}/actions/decide'].post.requestBody!.content['application/json'];
    expect(decide.schema.required).to.have.members(['unitId', 'workingDays']);
  });

  it('lists a 422 only for the channels that answer one, and no 429: no webhook is rate-limited', async () => {
    const statuses = (channel: string) => Object.keys(doc.paths[`/api/intake/${channel}`].post.responses!);
    for (const channel of ['hotline12345', 'zheliban', 'discovery'])
      expect(statuses(channel), channel).to.not.include('422');
    for (const adapter of JSON_CHANNELS)
      expect(statuses(adapter.channel), adapter.channel).to.not.include('429');
    expect(statuses('sms')).to.include('422');
    expect(statuses('review')).to.include('422');
    // The review's 422 is real: a good rating pushed by the 好差评 platform is nothing to file.
    const body = { reviewId: 'OA-R1', enterpriseName: '湖州某某有限公司', level: '满意' };
    expectError(await signedPush('review', 'demo-review-secret', body), 422, 'not_bad_rating');
  });

  it('says what the server enforces: a hotline order the document calls incomplete is refused', async () => {
    const body = { orderId: 'OA-1' }; // no content, which the document requires
    expectError(await signedPush('hotline12345', 'demo-hotline12345-secret', body), 400, 'missing_field');
  });
});
