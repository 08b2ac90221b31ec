// The synonym groups as an admin setting (`classify.synonyms`): only the admin stores them, checked with the
// schema the admin screen uses (shared/schemas synonymsSettingSchema); a group the admin adds makes the
// duplicate check and "similar issues" read its words as one at once (the classifier service reloads), and
// storing the defaults again takes it back.
import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { DEFAULT_SYNONYMS } from '../../../config/synonyms.ts';
import type { ClassifierService } from '../../../server/text/classifier.service.ts';
import { FingerprintCache } from '../../../server/text/repeat.ts';
import { appWithCorpusModel, corpusService } from '../corpus-app.ts';
import { expectError } from '../helpers.ts';
import { useIssueApp } from '../issues/fixtures.ts';

const KEY = '/api/settings/classify.synonyms';
/** A forklift by its two everyday names; the default list has no such group. */
const EARLIER = '厂里的叉车年检证过期了，特种设备检验所排期要一个多月，叉车不能上路';
const LATER = '我们的铲车检验证到期了 检验所说排队要一个月 铲车现在都不敢开';

describe('api: synonyms as an admin setting', function () {
  this.timeout(120_000);
  const t = useIssueApp();
  let service: ClassifierService;
  let app: Express;

  before(async () => {
    ({ app, service } = await appWithCorpusModel(t));
  });

  const put = async (as: string, value: unknown) =>
    request(app)
      .put(KEY)
      .set(await t.auth(as))
      .send({ value });
  const similarity = () => service.similarity(LATER, [{ id: 'earlier', text: EARLIER }])[0];

  it('a group the admin adds makes two wordings of one complaint alike at once; the defaults take it back', async () => {
    const before = similarity();
    const saved = await put('admin', [...DEFAULT_SYNONYMS, ['叉车', '铲车']]);
    expect(saved.status).to.equal(200);
    expect(saved.body.value.at(-1)).to.deep.equal(['叉车', '铲车']);
    const after = similarity();
    expect(after, `repeat probability ${before} → ${after}`).to.be.greaterThan(before + 0.05);

    expect((await put('admin', DEFAULT_SYNONYMS)).status).to.equal(200);
    expect(similarity()).to.equal(before);
  });

  it('400 validation_failed for a lone word, punctuation, a word in two groups or a value that is not a list', async () => {
    const cases: [unknown, string][] = [
      [[['叉车']], '每组至少两个词'],
      [[['叉车', '铲 车']], '同义词不能包含空格或标点'],
      [[['叉', '铲车']], '每个同义词至少2个字'],
      [
        [
          ['停电', '断电'],
          ['断电', '没电了'],
        ],
        '“断电”已在第1组，一个词只能属于一组',
      ],
      [{ 停电: ['断电'] }, '同义词表必须是列表'],
    ];
    for (const [value, message] of cases) {
      const res = await put('admin', value);
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.message, JSON.stringify(value)).to.contain(message);
    }
  });

  it('403 forbidden for every role but admin; 401 without a token', async () => {
    for (const who of ['clerk', 'dispatcher', 'director', 'leader', 'handler-city-econ']) {
      expectError(await put(who, [['叉车', '铲车']]), 403, 'forbidden');
    }
    expectError(await request(app).put(KEY).send({ value: [] }), 401, 'unauthorized');
  });

  it('keeps the duplicate check’s fingerprints while the settings stay as they were; a change empties them', async () => {
    const cache = new FingerprintCache();
    const other = corpusService(t, { repeatCache: cache });
    await other.refresh(); // the model the suite trained, and the settings
    const now = t.clock.now();
    const earlier = [{ id: 'earlier', text: EARLIER, category: 'approval' as const, createdAt: now }];
    other.checkRepeat({ text: LATER, now, candidates: earlier });
    expect(cache.size).to.equal(2);
    await other.refresh(); // nothing changed (it reads the settings every few seconds)
    other.checkRepeat({ text: '特种设备检验排期太长', now, candidates: earlier });
    expect(cache.size, 'kept across the refresh').to.equal(3);

    expect((await put('admin', [...DEFAULT_SYNONYMS, ['叉车', '铲车']])).status).to.equal(200);
    await other.refresh();
    other.checkRepeat({ text: LATER, now, candidates: earlier });
    expect(cache.size, 'new synonyms: fingerprints made afresh').to.equal(2);
    expect((await put('admin', DEFAULT_SYNONYMS)).status).to.equal(200);
  });
});
