// zod's own English issue messages in Chinese (server/http/zod-messages.ts), as the error middleware shows them.
import { expect } from 'chai';
import { z } from 'zod';
import { zodIssueMessage } from '../../../server/http/zod-messages.ts';

/** The Chinese message of the first issue `schema` raises for `input`. */
function said(schema: z.ZodType, input: unknown): string {
  const r = schema.safeParse(input);
  if (r.success) throw new Error('expected a validation failure');
  return zodIssueMessage(r.error.issues[0]!);
}

describe('zod issue messages in Chinese (server/http/zod-messages)', () => {
  it('says which type was expected, and that a missing field is required', () => {
    expect(said(z.object({}), 'abc')).to.equal('类型不正确，应为对象');
    expect(said(z.string(), 5)).to.equal('类型不正确，应为文本');
    expect(said(z.number(), '5')).to.equal('类型不正确，应为数字');
    expect(said(z.int(), 1.5)).to.equal('类型不正确，应为整数');
    expect(said(z.array(z.string()), {})).to.equal('类型不正确，应为数组');
    expect(said(z.object({ a: z.string() }), {})).to.equal('必填项，不能缺少');
  });

  it('says how long, how many or how big, and which values are allowed', () => {
    expect(said(z.string().max(3), 'abcd')).to.equal('超出长度，最多3个字符');
    expect(said(z.string().min(1), '')).to.equal('不能为空');
    expect(said(z.string().min(6), 'abc')).to.equal('长度不足，至少6个字符');
    expect(said(z.array(z.string()).max(2), ['a', 'b', 'c'])).to.equal('超出数量，最多2项');
    expect(said(z.number().max(10), 11)).to.equal('不能大于10');
    expect(said(z.number().positive(), 0)).to.equal('应大于0');
    expect(said(z.enum(['a', 'b']), 'c')).to.equal('取值无效，应为 a、b 之一');
    expect(said(z.email(), 'no')).to.equal('邮箱格式不正确');
    expect(said(z.object({}).strict(), { zz: 1 })).to.equal('不支持的字段：zz');
  });

  it('keeps a schema’s own Chinese message, and never answers in English', () => {
    expect(said(z.string({ error: '标题必须是文本' }), 5)).to.equal('标题必须是文本');
    const any = [
      said(z.union([z.string(), z.number()]), true),
      said(
        z.string().refine(() => false),
        'x',
      ),
    ];
    for (const m of any) expect(m).to.match(/^[^A-Za-z]+$/);
  });
});
