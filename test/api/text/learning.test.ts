// The classifier learns from people: the first start trains a model in a worker thread, intake records the
// model version and the top guesses, a dispatcher's correction joins the training data, an admin retrains, and
// the same text is then classified as corrected; the active model survives a restart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Types } from 'mongoose';
import { pino } from 'pino';
import request from 'supertest';
import { createClassifierService, type ClassifierService } from '../../../server/text/classifier.service.ts';
import { issueText } from '../../../server/text/issue-text.ts';
import { trainInWorker } from '../../../server/text/trainer.ts';
import type { TrainingInput } from '../../../server/text/training.ts';
import { anotherApp, expectError } from '../helpers.ts';
import { enterpriseIn, must, useIssueApp } from '../issues/fixtures.ts';
import { FIXTURE_TEXTS } from '../../unit/text/texts.fixture.ts';

const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('api: the classifier learns from corrections', function () {
  this.timeout(60_000);
  const t = useIssueApp();
  const corpusDir = mkdtempSync(join(tmpdir(), 'eil-corpus-'));
  const logger = pino({ level: 'silent' });
  const services: ClassifierService[] = [];
  const service = () => {
    const s = createClassifierService({
      models: t.models,
      clock: t.clock,
      logger,
      corpusDir,
      schedule: false,
    });
    services.push(s);
    return s;
  };
  const TEXT = '门口那条路的事情还是没有解决，耽误我们发货';

  before(() => {
    writeFileSync(join(corpusDir, 'train.jsonl'), jsonl(FIXTURE_TEXTS.slice(0, 30)));
    writeFileSync(join(corpusDir, 'heldout.jsonl'), jsonl(FIXTURE_TEXTS.slice(30)));
  });
  after(async () => {
    for (const s of services) await s.stop();
    rmSync(corpusDir, { recursive: true, force: true });
  });

  it('trains at first start, corrects, retrains and then answers as corrected', async () => {
    const classifier = service();
    await classifier.start();
    expect(classifier.status().training).to.equal(true);
    const first = await classifier.retrain('startup', 'system'); // joins the run start() began
    expect(first).to.include({ version: 1, trigger: 'startup' });
    expect(first.examples).to.deep.equal({ corpus: 30, people: 0 });
    const app = anotherApp(t, { classifier });

    const created = await request(app)
      .post('/api/issues')
      .set(await t.auth('clerk'))
      .send({
        enterprise: { creditCode: enterpriseIn(t, 'deqing').creditCode },
        channel: 'window',
        content: TEXT,
      });
    expect(created.status).to.equal(201);
    const stored = (
      await request(app)
        .get(`/api/issues/${created.body.id}`)
        .set(await t.auth('clerk'))
    ).body;
    expect(stored.classification.modelVersion).to.equal(1);
    expect(stored.classification.alternatives).to.have.length(3);
    // Whatever the first model said, a person decides otherwise.
    const corrected = stored.category === 'innovation' ? 'market' : 'innovation';

    await must(t, 'dispatcher', created.body.id, 'reclassify', {
      category: corrected,
      urgency: 'complex',
      reason: '核实后重新分类',
    });
    const retrained = await request(app)
      .post('/api/classify/retrain')
      .set(await t.auth('admin'));
    expect(retrained.status).to.equal(201);
    expect(retrained.body.active).to.include({ version: 2, trigger: 'manual' });
    expect(retrained.body.active.examples.people).to.be.at.least(1);

    const after = await request(app)
      .post('/api/classify')
      .set(await t.auth('dispatcher'))
      .send({ text: TEXT });
    expect(after.body).to.include({ category: corrected, urgency: 'complex', modelVersion: 2 });
  });

  it('admins see the model in use with its held-out scores and confusion matrix', async () => {
    const app = anotherApp(t, { classifier: services[0] });
    const res = await request(app)
      .get('/api/classify/model')
      .set(await t.auth('admin'));
    expect(res.status).to.equal(200);
    expect(res.body.active.version).to.equal(2);
    expect(res.body.active.scores.n).to.equal(FIXTURE_TEXTS.length - 30);
    expect(res.body.active.scores.confusion.policy).to.have.property('land');
    expect(res.body.threshold).to.be.within(0, 1);
  });

  it('a restarted server loads the active model instead of training', async () => {
    const restarted = service();
    await restarted.start();
    expect(restarted.status()).to.deep.include({ training: false });
    expect(restarted.status().active?.version).to.equal(2);
    expect(restarted.classify(TEXT)).to.include({ urgency: 'complex', modelVersion: 2 });
  });

  it('trains on the newest people’s labels only, so a city’s history does not make training slow', async () => {
    let people: TrainingInput['people'] = [];
    const capped = createClassifierService({
      models: t.models,
      clock: t.clock,
      logger,
      corpusDir,
      schedule: false,
      maxPeopleExamples: 2,
      trainer: (input, signal) => {
        people = input.people;
        return trainInWorker(input, signal);
      },
    });
    services.push(capped);
    const labelled = { 'classification.human': true };
    // Three more issues filed by people, a day apart, after the one the first test corrected.
    const [one] = await t.models.Issue.collection.find(labelled).toArray();
    for (let k = 1; k <= 3; k++) {
      await t.models.Issue.collection.insertOne({
        ...one,
        _id: new Types.ObjectId(),
        number: `${one.number}-${k}`,
        content: `${one.content}（第${k}次反映）`,
        createdAt: new Date(one.createdAt.getTime() + k * 86_400_000),
      });
    }
    const newest = await t.models.Issue.find(labelled, { content: 1 })
      .sort({ createdAt: -1, _id: -1 })
      .limit(2)
      .lean();
    expect(await t.models.Issue.countDocuments(labelled)).to.be.greaterThan(2);
    await capped.retrain('manual', 'admin');
    expect(people.map((p) => p.text)).to.deep.equal(newest.map((i) => issueText(i)));
  });

  it('stop ends a training under way instead of waiting for it', async () => {
    let seen: AbortSignal | undefined;
    let started: () => void = () => undefined;
    const trainerCalled = new Promise<void>((resolve) => (started = resolve));
    const stoppable = createClassifierService({
      models: t.models,
      clock: t.clock,
      logger,
      corpusDir,
      schedule: false,
      trainer: (_input, signal) =>
        new Promise((_resolve, reject) => {
          seen = signal;
          started();
          signal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('stopped'), { name: 'AbortError' })),
          );
        }),
    });
    const training = stoppable.retrain('manual', 'admin');
    const failed = training.then(
      () => null,
      (err: unknown) => err,
    );
    await trainerCalled;
    await stoppable.stop();
    expect(seen?.aborted).to.equal(true);
    expect(await failed).to.have.property('name', 'AbortError');
  });

  it('403 for staff other than admins; 401 without a token', async () => {
    const app = anotherApp(t, { classifier: services[0] });
    expectError(
      await request(app)
        .post('/api/classify/retrain')
        .set(await t.auth('dispatcher')),
      403,
      'forbidden',
    );
    expectError(
      await request(app)
        .get('/api/classify/model')
        .set(await t.auth('director')),
      403,
      'forbidden',
    );
    expectError(await request(app).post('/api/classify/retrain'), 401, 'unauthorized');
  });

  it('lists the stored versions, and an admin puts an earlier one back in use in every process', async () => {
    const app = anotherApp(t, { classifier: services[0] });
    const admin = await t.auth('admin');
    const listed = (await request(app).get('/api/classify/models').set(admin).expect(200)).body.items;
    const versions = listed.map((m: { version: number }) => m.version);
    expect(versions).to.deep.equal([...versions].sort((a, b) => b - a));
    expect(versions).to.include(1);
    expect(listed[0]).to.not.have.property('model');
    expect(
      listed.filter((m: { active: boolean }) => m.active).map((m: { version: number }) => m.version),
    ).to.deep.equal([versions[0]]);

    const back = await request(app).post('/api/classify/models/1/activate').set(admin).expect(200);
    expect(back.body.active).to.include({ version: 1 });
    expect(services[0]!.classify(TEXT).modelVersion).to.equal(1);
    const again = (await request(app).get('/api/classify/models').set(admin)).body.items;
    expect(again.find((m: { active: boolean }) => m.active).version).to.equal(1);
    // Another process loads the version put back, not the newest.
    const other = service();
    await other.start();
    expect(other.status().active?.version).to.equal(1);

    expectError(
      await request(app).post('/api/classify/models/999/activate').set(admin),
      404,
      'model_not_found',
    );
    expectError(
      await request(app)
        .post('/api/classify/models/1/activate')
        .set(await t.auth('dispatcher')),
      403,
      'forbidden',
    );
  });
});
