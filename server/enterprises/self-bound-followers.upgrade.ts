// One-time upgrade (models/issue-upgrades.ts runs it once per database): before 236f447, a WeChat follower that
// sent an enterprise's credit code, which anyone can, became one of the enterprise's accepted followers when
// the provisional enterprise its earlier messages were filed under was merged into that enterprise on binding
// (routes/enterprises/provisional.commands.ts), so it got the QR link and, when the owner chose WeChat, the
// owner's notices. The stored data tells such a follower apart: its issues moved with the channel's own merge
// event (actor `system`, note 微信用户发送统一社会信用代码完成绑定…, data.into the enterprise), while one the
// centre accepted moved with a staff member's merge (data.kind enterprise_merged too). A follower with the
// channel's event and no staff merge of its issues into the enterprise is taken off `wechatOpenids`, as the
// fix would have left it: still bound, hearing of its own messages, without the link. Each enterprise changed
// gets a row in 操作日志 naming the followers by their openids' last 4 characters. Not told apart: a follower
// bound into an enterprise that was itself provisional then and confirmed later (confirming kept every sender
// before acceptSenders; no merge event says more); the centre's list (已核实的来信人) and 移除 cover those.
import type { Document } from 'mongodb';
import type { Models } from '../models/index.ts';

/** How the channel's merge on binding wrote its timeline note (wechat.router.ts adoptFollowerIssues). */
const BINDING_NOTE = '微信用户发送统一社会信用代码完成绑定';

interface MergeEvent {
  actorId?: string;
  note?: string;
  data?: { kind?: string; into?: string };
}

/** The enterprise's followers whose issues only the channel's binding merged in (pure). */
interface MovedIssue {
  contact?: { openid?: string } | null;
  timeline?: readonly MergeEvent[];
}

export function selfBoundFollowers(
  enterpriseId: string,
  accepted: readonly string[],
  issues: readonly MovedIssue[],
): string[] {
  const bySelf = new Set<string>();
  const byStaff = new Set<string>();
  for (const issue of issues) {
    const openid = issue.contact?.openid;
    if (!openid) continue;
    for (const event of issue.timeline ?? []) {
      if (event.data?.kind !== 'enterprise_merged' || String(event.data.into) !== enterpriseId) continue;
      const channel = event.actorId === 'system' && !!event.note?.startsWith(BINDING_NOTE);
      (channel ? bySelf : byStaff).add(openid);
    }
  }
  return accepted.filter((o) => bySelf.has(o) && !byStaff.has(o));
}

/** Takes the self-bound followers off every registered enterprise; returns how many enterprises changed. */
export async function dropSelfBoundFollowers(models: Models, now: Date): Promise<number> {
  const enterprises = await models.Enterprise.collection
    .find(
      { wechatOpenids: { $exists: true }, provisional: { $ne: true } },
      {
        projection: { name: 1, wechatOpenids: 1 },
      },
    )
    .toArray();
  let changed = 0;
  for (const e of enterprises) {
    const accepted = (e.wechatOpenids ?? []) as string[];
    if (!accepted.length) continue;
    const issues = (await models.Issue.collection
      .find(
        {
          enterpriseId: e._id,
          'contact.openid': { $in: accepted },
          'timeline.data.kind': 'enterprise_merged',
        } as Document,
        { projection: { contact: 1, timeline: 1 } },
      )
      .toArray()) as MovedIssue[];
    const drop = selfBoundFollowers(String(e._id), accepted, issues);
    if (!drop.length) continue;
    await models.Enterprise.collection.updateOne({ _id: e._id }, {
      $pull: { wechatOpenids: { $in: drop } },
    } as Document);
    await models.Enterprise.collection.updateOne(
      { _id: e._id, wechatOpenids: { $size: 0 } },
      { $unset: { wechatOpenids: 1 } },
    );
    await models.Audit.collection.insertOne({
      createdAt: now,
      actor: { id: 'system', name: '系统升级', role: 'system' },
      action: '移除自行绑定的微信用户（发送信用代码即被认可，已修复）',
      method: 'UPGRADE',
      path: `/enterprises/${String(e._id)}/senders`,
      target: { id: String(e._id), name: String(e.name) },
      details: JSON.stringify({ wechat: drop.map((o) => `尾号 ${o.slice(-4)}`) }),
    } as never);
    changed++;
  }
  return changed;
}
