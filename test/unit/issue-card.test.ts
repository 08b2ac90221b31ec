// What a desk card says from the timeline's last steps (shared/issue-card.ts): the unit's files beside a reply and
// who asked for a pending request. The 退单 steps are test/unit/web/returns.test.ts's.
import { expect } from 'chai';
import { requesterNameOf, staffFilesOf, tailFacts, type CardTimelineStep } from '../../shared/issue-card.ts';

const step = (over: Partial<CardTimelineStep>): CardTimelineStep => ({
  at: '2026-03-02T01:00:00.000Z',
  action: 'note',
  actorId: 'u1',
  actorName: '王敏',
  public: false,
  data: null,
  ...over,
});

describe('desk card facts (shared/issue-card)', () => {
  it('lists the files staff attached, each with whether the enterprise sees it', () => {
    const upload = (isPublic: boolean, ...names: string[]) => ({
      public: isPublic,
      data: {
        kind: 'attachments_added',
        attachments: names.map((filename, i) => ({ id: String(i), filename })),
      },
    });
    expect(
      staffFilesOf([
        upload(false, '工作记录.pdf'),
        { public: true, data: { kind: 'source_merged' } },
        upload(true, '整改照片.jpg'),
      ]),
    ).to.deep.equal([
      { id: '0', filename: '工作记录.pdf', shown: false },
      { id: '0', filename: '整改照片.jpg', shown: true },
    ]);
    expect(staffFilesOf([{ public: false, data: null }])).to.deep.equal([]);
  });

  it('names who asked for the pending request: the latest step of its kind by the requester', () => {
    const timeline = [
      step({ action: 'request_extension', actorId: 'u1', actorName: '王敏' }),
      step({ action: 'deny_request', actorId: 'd1', actorName: '陈主任' }),
      step({ action: 'suspend', actorId: 'u2', actorName: '李强' }),
      step({ action: 'request_extension', actorId: 'u2', actorName: '李强' }),
    ];
    expect(requesterNameOf(timeline, { kind: 'extension', requestedBy: 'u2' })).to.equal('李强');
    expect(requesterNameOf(timeline, { kind: 'extension', requestedBy: 'u1' })).to.equal('王敏');
    expect(requesterNameOf(timeline, { kind: 'resume', requestedBy: 'u2' })).to.equal(null);
    expect(requesterNameOf(timeline, null)).to.equal(null);
  });

  it('gives stored dates as ISO strings, as the detail sends them', () => {
    const at = new Date('2026-03-03T02:00:00.000Z');
    const facts = tailFacts(
      [step({ action: 'return', at, note: '非本单位职责', data: { fromUnitId: 'x' } })],
      null,
    );
    expect(facts.returns).to.deep.equal([
      { fromUnitId: 'x', reason: '非本单位职责', legalBasis: null, at: '2026-03-03T02:00:00.000Z' },
    ]);
  });
});
