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
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { required?: string[]; properties?: object } }> };
};

describe('api: the OpenAPI document', () => {
  const t = useIssueApp();
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>> };

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

  it('says what the server enforces: a hotline order the document calls incomplete is refused', async () => {
    const body = JSON.stringify({ orderId: 'OA-1' }); // no content, which the document requires
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await request(t.app)
      .post('/api/intake/hotline12345')
      .set('Content-Type', 'application/json')
      .set('X-Timestamp', ts)
      .set('X-Signature', signBody('demo-hotline12345-secret', ts, body))
      .send(body);
    expectError(res, 400, 'missing_field');
  });
});
