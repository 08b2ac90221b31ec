// The SMTP listener hands the parser a mail only as far as its size limit (upToLimit): past it the rest is
// read and dropped, so a mail over the limit (answered 552) never costs more memory than one at it.
import { expect } from 'chai';
import { Readable } from 'node:stream';
import { upToLimit } from '../../../server/channels/email/smtp.listener.ts';

async function through(limit: number, chunks: Buffer[]): Promise<{ out: Buffer; ended: boolean }> {
  const parts: Buffer[] = [];
  const cut = Readable.from(chunks).pipe(upToLimit(limit));
  for await (const part of cut) parts.push(part as Buffer);
  return { out: Buffer.concat(parts), ended: cut.readableEnded };
}

describe('smtp listener: a mail past its size limit is cut there (upToLimit)', () => {
  it('passes a mail within the limit whole', async () => {
    const mail = Buffer.from('Subject: 用电增容\r\n\r\n厂房验收迟迟未办理');
    const { out } = await through(1024, [mail.subarray(0, 10), mail.subarray(10)]);
    expect(out.equals(mail)).to.equal(true);
  });

  it('keeps the first maxBytes of a larger one, across and within chunks, and reads the rest to its end', async () => {
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1000, i));
    const { out, ended } = await through(2500, chunks);
    expect(out.length).to.equal(2500);
    expect(out.equals(Buffer.concat(chunks).subarray(0, 2500))).to.equal(true);
    expect(ended).to.equal(true);
  });
});
