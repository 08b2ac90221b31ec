// What 人工登记 prefills the staff form with: whatever a dead letter still says, from a parsed message, a JSON
// body (whole, cut short, or with a NUL in it), a WeChat push's XML, or plain text; never more than the form
// takes, never a control character, and the credit code a sender typed into the text.
import { expect } from 'chai';
import { makeCreditCode } from '../../../shared/credit-code.ts';
import { deadLetterDraft, deadLetterRaisedAt } from '../../../server/intake/dead-letter-draft.ts';
import type { InboxEntryDoc } from '../../../server/models/inbox.model.ts';

const CODE = makeCreditCode('91330502MA2B3C4D5');

function raw(channel: InboxEntryDoc['channel'], text: string, externalId?: string) {
  return deadLetterDraft({
    channel,
    externalId,
    message: null,
    raw: { contentType: 'application/json', size: Buffer.byteLength(text), text },
  });
}

describe('dead-letter draft (人工登记 prefill)', () => {
  it('reads a refused 12345 order field by field, the urgency in Chinese, a bad code left out', () => {
    const order = {
      orderId: 'WO-1',
      creditCode: CODE.toLowerCase(),
      enterpriseName: '湖州某某机械有限公司',
      contactName: ' 王经理 ',
      contactPhone: '13905721234',
      contactEmail: 'not-an-email',
      title: '用电扩容',
      content: '厂区用电扩容申请一直没有批复。',
      urgency: '紧急',
      $where: 'x',
    };
    expect(raw('hotline12345', JSON.stringify(order), 'WO-1')).to.deep.equal({
      channel: 'hotline12345',
      externalId: 'WO-1',
      title: '用电扩容',
      content: '厂区用电扩容申请一直没有批复。',
      urgency: 'urgent',
      contact: { name: '王经理', phone: '13905721234', email: 'not-an-email' },
      enterprise: { creditCode: CODE, name: '湖州某某机械有限公司' },
    });
    const badCode = raw(
      'hotline12345',
      JSON.stringify({ ...order, creditCode: '91330521MA2B3C4D5X', urgency: 9 }),
    );
    expect(badCode.enterprise).to.deep.equal({ name: '湖州某某机械有限公司' });
    expect(badCode.urgency).to.equal(null);
  });

  it('takes what a body cut short still holds whole, and strips the NUL a platform sent', () => {
    const cut = raw(
      'hotline12345',
      '{"orderId":"WO-CUT","contactName":"李四","title":"厂区积水","content":"厂区',
    );
    expect(cut).to.include({ title: '厂区积水', content: '' });
    expect(cut.contact).to.deep.equal({ name: '李四' });
    const nul = raw('hotline12345', '{"orderId":"WO-NUL","content":"园区门口\\u0000积水\\n请处理"}');
    expect(nul.content).to.equal('园区门口积水\n请处理');
  });

  it('reads the SMS gateway and 好差评 pushes by their own field names, and a code typed into the text', () => {
    const sms = raw('sms', JSON.stringify({ msgId: 'm1', from: '13800001111', text: `${CODE} 停电三天了` }));
    expect(sms).to.deep.include({
      content: `${CODE} 停电三天了`,
      contact: { phone: '13800001111' },
      enterprise: { creditCode: CODE },
    });
    const review = raw(
      'review',
      JSON.stringify({
        reviewId: 'r1',
        departmentName: '市场监管局',
        serviceName: '食品经营许可',
        comment: '办了三次',
      }),
    );
    expect(review).to.include({ title: '好差评：市场监管局·食品经营许可', content: '办了三次' });
  });

  it('reads a WeChat push: the text and the follower, CDATA or not', () => {
    const xml =
      '<xml><FromUserName><![CDATA[oWx-1]]></FromUserName><MsgType>text</MsgType>' +
      '<Content><![CDATA[我司门口道路<施工>三个月]]></Content><CreateTime>x</CreateTime></xml>';
    const d = raw('wechat', xml);
    expect(d).to.deep.include({ content: '我司门口道路<施工>三个月', contact: { openid: 'oWx-1' } });
    expect(raw('wechat', '<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>').content).to.equal('');
  });

  it('keeps the follower the signed URL named when the push itself does not (no FromUserName)', () => {
    const xml = '<xml><MsgType>text</MsgType><Content>厂区停电</Content></xml>';
    const entry = (sender?: { openid: string }) =>
      deadLetterDraft({
        channel: 'wechat',
        externalId: undefined,
        message: null,
        raw: { contentType: 'text/xml', size: xml.length, text: xml, ...(sender ? { sender } : {}) },
      });
    expect(entry({ openid: 'oQB2' }).contact).to.deep.equal({ openid: 'oQB2' });
    expect(entry().contact).to.deep.equal({});
    // The body's own sender wins over the URL's.
    const named = deadLetterDraft({
      channel: 'wechat',
      externalId: undefined,
      message: null,
      raw: {
        contentType: 'text/xml',
        size: 1,
        text: '<xml><FromUserName>oBody</FromUserName></xml>',
        sender: { openid: 'oUrl' },
      },
    });
    expect(named.contact).to.deep.equal({ openid: 'oBody' });
  });

  it("falls back to the text itself, cut to the form's limits", () => {
    const d = raw('email', `  ${'很长的来信'.repeat(3000)}  `);
    expect(d.content).to.have.length(10_000);
    expect(d.title).to.equal('');
  });

  it('prefers the parsed message when there is one (it failed later: matching, routing, an unreadable mail)', () => {
    const d = deadLetterDraft({
      channel: 'email',
      externalId: '<m1@example.cn>',
      message: {
        channel: 'email',
        externalId: '<m1@example.cn>',
        title: '关于融资担保',
        content: '贷款迟迟不能提款。',
        enterprise: { name: '某公司' },
        contact: { name: '赵六', email: 'zhao@example.cn' },
      },
      raw: null,
    });
    expect(d).to.deep.equal({
      channel: 'email',
      externalId: '<m1@example.cn>',
      title: '关于融资担保',
      content: '贷款迟迟不能提款。',
      urgency: null,
      contact: { name: '赵六', email: 'zhao@example.cn' },
      enterprise: { name: '某公司' },
    });
  });

  it('dates it as its channel would: a refused order’s receivedAt, WeChat’s CreateTime, in range of the arrival', () => {
    const arrived = new Date('2026-03-02T01:00:00Z');
    const at = (channel: InboxEntryDoc['channel'], text: string) =>
      deadLetterRaisedAt({
        channel,
        message: null,
        receivedAt: arrived,
        raw: { contentType: 'text/plain', size: Buffer.byteLength(text), text },
      }).toISOString();
    const order = (receivedAt: unknown) => JSON.stringify({ orderId: 'WO-9', content: 12, receivedAt });
    expect(at('hotline12345', order('2026-03-01T22:30:00Z'))).to.equal('2026-03-01T22:30:00.000Z');
    expect(at('zheliban', order(Date.parse('2026-03-01T22:30:00Z') / 1000))).to.equal(
      '2026-03-01T22:30:00.000Z',
    );
    // Cut short: the stamp still whole is read.
    expect(at('sms', '{"msgId":"S1","receivedAt":"2026-03-02T00:59:00Z","text":"停')).to.equal(
      '2026-03-02T00:59:00.000Z',
    );
    // Ahead of the arrival, more than a year back, not a time, or absent: when it arrived.
    for (const stamp of ['2026-03-02T02:00:00Z', '2025-01-01T00:00:00Z', '昨天', undefined])
      expect(at('hotline12345', order(stamp)), String(stamp)).to.equal(arrived.toISOString());
    const push = (createTime: string) =>
      `<xml><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType>bad</MsgType></xml>`;
    const sent = Date.parse('2026-03-02T00:58:00Z') / 1000;
    expect(at('wechat', push(String(sent)))).to.equal('2026-03-02T00:58:00.000Z');
    expect(at('wechat', push(String(sent + 7200)))).to.equal(arrived.toISOString());
    expect(at('wechat', push('x'))).to.equal(arrived.toISOString());
    // A parsed message (it failed later) says it itself, or nothing: when it arrived.
    const message = {
      channel: 'sms',
      externalId: 'S2',
      content: '停电',
      enterprise: {},
      contact: {},
    } as const;
    const raised = new Date('2026-03-01T23:00:00Z');
    expect(
      deadLetterRaisedAt({
        channel: 'sms',
        message: { ...message, raisedAt: raised },
        raw: null,
        receivedAt: arrived,
      }),
    ).to.equal(raised);
    expect(deadLetterRaisedAt({ channel: 'sms', message, raw: null, receivedAt: arrived })).to.equal(arrived);
  });
});
