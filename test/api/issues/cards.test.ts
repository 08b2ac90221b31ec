// The desk's cards (GET /api/issues?queue=…&view=cards): each card is the issue's list row and the fields its
// queue shows (shared/issue-card.ts), presented exactly as the detail presents them to the same reader, and no
// more: no timeline, no messages. What a card says from the timeline comes as facts: who returned an issue
// waiting in 待分办 and why, who asked for a pending request, the unit's files beside a reply.
import { expect } from 'chai';
import request from 'supertest';
import { ISSUE_CARD_KEYS } from '../../../shared/issue-card.ts';
import { PNG } from '../channels/files.fixtures.ts';
import {
  getIssue,
  handlerOf,
  inProgressIssue,
  must,
  receivedIssue,
  unitByCode,
  useIssueApp,
  type IssueTestApp,
} from './fixtures.ts';

const UNIT = 'city-drc';
const FACT_KEYS = ['returns', 'requestedByName', 'staffFiles'];
/** The detail's fields a card leaves out: the timeline and the messages most of all. */
const ABSENT = ['timeline', 'sources', 'externalId', 'raisedAt', 'ratingHistory', 'extension', 'triage'];

async function cards(t: IssueTestApp, as: string, queue: string) {
  const res = await request(t.app)
    .get(`/api/issues?queue=${queue}&view=cards`)
    .set(await t.auth(as));
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body.items as Record<string, unknown>[];
}

async function cardOf(t: IssueTestApp, as: string, queue: string, id: string) {
  const card = (await cards(t, as, queue)).find((c) => c.id === id);
  expect(card, `${id} in ${queue}`).to.not.equal(undefined);
  return card!;
}

/** A card is the detail as the same reader gets it, narrowed to the list row and the card's keys. */
async function expectDetailNarrowed(t: IssueTestApp, as: string, card: Record<string, unknown>) {
  const detail = (await getIssue(t, as, String(card.id))).body as Record<string, unknown>;
  const row = (
    await request(t.app)
      .get(`/api/issues?limit=1&q=${String(detail.number)}`)
      .set(await t.auth(as))
  ).body.items[0] as Record<string, unknown>;
  const keys = [...Object.keys(row), ...ISSUE_CARD_KEYS];
  expect(Object.keys(card)).to.have.members([...new Set([...keys, ...FACT_KEYS])]);
  const { enterprise, ...rest } = Object.fromEntries(keys.map((k) => [k, detail[k]]));
  const { enterprise: cardEnterprise, ...cardRest } = card;
  expect(cardRest).to.deep.include(rest);
  const { id, name } = enterprise as { id: string; name: string };
  expect(cardEnterprise).to.deep.equal({ id, name });
  for (const k of ABSENT) expect(card, k).to.not.have.property(k);
}

describe('desk cards: GET /api/issues?queue=…&view=cards', function () {
  this.timeout(60_000);
  const t = useIssueApp();
  const h = handlerOf(UNIT);

  it('a card is the detail narrowed to the card, with the contact in full for the centre', async () => {
    const id = await receivedIssue(t, { contact: { name: '王建国', phone: '13912345678' } });
    const card = await cardOf(t, 'dispatcher', 'triage', id);
    await expectDetailNarrowed(t, 'dispatcher', card);
    expect(card.contact).to.deep.equal({ name: '王建国', phone: '13912345678' });
    expect(card).to.deep.include({ returns: [], requestedByName: null, staffFiles: [] });
    expect(card.version).to.be.a('number');
  });

  it('a reader who sees contacts masked gets them masked on the card, as on the detail', async () => {
    const id = await inProgressIssue(t, UNIT, { contact: { name: '李秀英', phone: '13812345678' } });
    await must(t, 'supervisor', id, 'supervise', { note: '群众反映强烈，督办' });
    const card = await cardOf(t, 'supervisor', 'supervised', id);
    await expectDetailNarrowed(t, 'supervisor', card);
    expect(card.contact).to.deep.include({ masked: true });
    expect(JSON.stringify(card)).to.not.include('13812345678').and.not.include('秀英');
  });

  it('a returned issue in 待分办 says which unit returned it and why', async () => {
    const id = await receivedIssue(t);
    await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, UNIT)._id) });
    await must(t, h, id, 'return', { reason: '不属于本单位职责', legalBasis: '三定方案第五条' });
    const card = await cardOf(t, 'dispatcher', 'triage', id);
    expect(card.returns).to.deep.equal([
      {
        fromUnitId: String(unitByCode(t, UNIT)._id),
        reason: '不属于本单位职责',
        legalBasis: '三定方案第五条',
        at: (card.returns as { at: string }[])[0].at,
      },
    ]);
    await expectDetailNarrowed(t, 'dispatcher', card);
  });

  it('a pending request in 待审批 names who asked', async () => {
    const id = await inProgressIssue(t, UNIT);
    await must(t, h, id, 'request_extension', { workingDays: 3, reason: '需协调县发改局核实' });
    const card = await cardOf(t, 'dispatcher', 'approval', id);
    const asked = (await getIssue(t, 'dispatcher', id)).body.timeline.at(-1);
    expect(asked.action).to.equal('request_extension');
    expect(card.requestedByName).to.equal(asked.actorName).and.be.a('string').and.not.equal('');
    expect(card.pendingApproval).to.deep.include({ kind: 'extension', workingDays: 3 });
  });

  it('a reply in 待审核 comes with the files the unit attached, and whether the enterprise sees them', async () => {
    const id = await inProgressIssue(t, UNIT);
    for (const [name, shown] of [
      ['现场照片.png', false],
      ['整改报告.png', true],
    ] as const) {
      const upload = await request(t.app)
        .post(`/api/issues/${id}/attachments${shown ? '?public=true' : ''}`)
        .set(await t.auth(h))
        .attach('file', PNG, name);
      expect(upload.status, JSON.stringify(upload.body)).to.equal(201);
    }
    await must(t, h, id, 'reply', { text: '已协调办理，补贴已拨付。' });
    const card = await cardOf(t, 'dispatcher', 'verify', id);
    expect(
      (card.staffFiles as { filename: string; shown: boolean }[]).map((f) => [f.filename, f.shown]),
    ).to.deep.equal([
      ['现场照片.png', false],
      ['整改报告.png', true],
    ]);
    expect(card.reply).to.deep.include({ text: '已协调办理，补贴已拨付。' });
    await expectDetailNarrowed(t, 'dispatcher', card);
  });
});
