// The writes of class problems (issue 7 §3), one command each: promote a cluster, add or remove members by
// hand, 政策性解决 (the shared answer to every open member) and the centre's verification of that answer.
// Authorisation lives in the router's policies; these check the records (existence, state, membership).
import { Types } from 'mongoose';
import { chinaDateKey } from '../../shared/calendar.ts';
import type { Actor } from '../../shared/roles.ts';
import {
  CLASS_LINKABLE_STATES,
  MIN_CLASS_MEMBERS,
  STATE_LABELS,
  type IssueState,
} from '../../shared/states.ts';
import { noteEvent } from '../commands/issue-store.ts';
import { changeOf, notifyChange, type IssueCommandDeps } from '../commands/issue-deps.ts';
import { AppError, conflict, forbidden, notFound } from '../errors.ts';
import { nextSequence } from '../models/counter.model.ts';
import type { ClassProblemDoc } from '../models/class-problem.model.ts';
import type { IssueDoc } from '../models/issue.model.ts';
import { applyToMembers, type MemberOutcome } from './class-member.runner.ts';
import { policyReply, verifyClassReply } from './class-resolve.ts';
import { canVerifyClassReplies } from './class-problem.policy.ts';
import { clusterGone } from './class-candidate.query.ts';

const isLinkable = (state: IssueState) => CLASS_LINKABLE_STATES.includes(state);
const oid = (id: string) => new Types.ObjectId(id);

export interface PromoteInput {
  clusterId: string;
  title: string;
  leadUnitId: string;
  coUnitIds: string[];
  workingDays: number;
  rootCause: string;
  measure: string;
  /** Members to take from the cluster (default: all of them). */
  memberIds?: string[];
}

async function unitsOf(deps: IssueCommandDeps, ids: string[]) {
  const units = await deps.models.Unit.find({ _id: { $in: ids.map(oid) } }, { name: 1 }).lean();
  const byId = new Map(units.map((u) => [String(u._id), u.name]));
  const missing = ids.find((id) => !byId.has(id));
  if (missing) throw new AppError('unknown_unit', 400, `单位不存在：${missing}`);
  return byId;
}

type MemberFacts = Pick<IssueDoc, '_id' | 'number' | 'state' | 'enterpriseId' | 'classProblemId'>;

async function loadMembers(deps: IssueCommandDeps, ids: readonly string[]): Promise<MemberFacts[]> {
  return deps.models.Issue.find(
    { _id: { $in: ids.map(oid) } },
    { number: 1, state: 1, enterpriseId: 1, classProblemId: 1 },
  ).lean<MemberFacts[]>();
}

/** The member's timeline note (public: the enterprise sees its issue is handled with others). */
const linkEvent = (actor: Actor, state: IssueState, now: Date, note: string, data: Record<string, unknown>) =>
  noteEvent(actor, state, now, note, { public: true, data });

/**
 * Links members to the class: a link, not a lifecycle change, so no version bump (a handler's edit in flight
 * still goes through); only members not yet in a class are taken.
 */
async function linkMembers(
  deps: IssueCommandDeps,
  actor: Actor,
  cls: Pick<ClassProblemDoc, '_id' | 'number' | 'title' | 'leadUnitName'>,
  members: readonly MemberFacts[],
  otherEnterprises: number,
): Promise<Types.ObjectId[]> {
  const now = deps.clock.now();
  const linked: Types.ObjectId[] = [];
  for (const m of members) {
    const note =
      `本问题已纳入类问题 ${cls.number}「${cls.title}」，与其他 ${otherEnterprises} 家企业的同类问题合并办理，` +
      `牵头单位：${cls.leadUnitName}`;
    // The class's number and title ride along, so the issue page names the class to those who cannot open it.
    const event = linkEvent(actor, m.state, now, note, {
      classProblemId: String(cls._id),
      classLink: 'add',
      classNumber: cls.number,
      classTitle: cls.title,
      // What the owner's QR page says instead of the class's staff number and title.
      otherEnterprises,
      leadUnitName: cls.leadUnitName,
    });
    const updated = await deps.models.Issue.findOneAndUpdate(
      { _id: m._id, classProblemId: null, state: { $in: CLASS_LINKABLE_STATES } },
      { $set: { classProblemId: cls._id }, $push: { timeline: event } },
      { returnDocument: 'after', lean: true },
    );
    if (!updated) continue;
    linked.push(m._id);
    notifyChange(deps, changeOf(updated as IssueDoc, 'note', m.state, actor.id, now));
  }
  return linked;
}

const enterprisesOf = (members: readonly MemberFacts[], linked: readonly Types.ObjectId[]) => {
  const ids = new Set(linked.map(String));
  return new Set(members.filter((m) => ids.has(String(m._id))).map((m) => String(m.enterpriseId))).size;
};

const otherCount = (members: readonly MemberFacts[]) =>
  Math.max(0, new Set(members.map((m) => String(m.enterpriseId))).size - 1);

export async function promoteCluster(
  deps: IssueCommandDeps,
  actor: Actor,
  input: PromoteInput,
): Promise<ClassProblemDoc> {
  const { models } = deps;
  const cluster = Types.ObjectId.isValid(input.clusterId)
    ? await models.ClassCluster.findById(input.clusterId).lean()
    : null;
  if (!cluster) throw clusterGone();
  if (cluster.classProblemId) throw conflict('该候选类问题已立项', 'already_promoted');
  const inCluster = new Set(cluster.memberIds.map(String));
  const wanted = input.memberIds ?? [...inCluster];
  const stranger = wanted.find((id) => !inCluster.has(id));
  if (stranger) throw new AppError('not_in_cluster', 400, `问题 ${stranger} 不在该候选类问题中`);
  // As a dispatch does: the lead unit is not also a co-unit, and no co-unit is named twice.
  const coUnitIds = [...new Set(input.coUnitIds)].filter((id) => id !== input.leadUnitId);
  const units = await unitsOf(deps, [input.leadUnitId, ...coUnitIds]);
  const members = (await loadMembers(deps, wanted)).filter((m) => !m.classProblemId && isLinkable(m.state));
  if (members.length < MIN_CLASS_MEMBERS)
    throw conflict(
      '可立项的成员问题不足两个（其余已办结、尚未分办、已合并或已属于其他类问题）',
      'too_few_members',
    );
  const now = deps.clock.now();
  const { calendar } = await deps.settings();
  const seq = await nextSequence(models.Counter, `class-problem:${chinaDateKey(now).slice(0, 4)}`);
  const number = `LW-${chinaDateKey(now).slice(0, 4)}-${String(seq).padStart(3, '0')}`;
  let cls: ClassProblemDoc;
  try {
    const [doc] = await models.ClassProblem.create([
      {
        number,
        title: input.title,
        category: cluster.category,
        clusterId: cluster._id,
        leadUnitId: oid(input.leadUnitId),
        leadUnitName: units.get(input.leadUnitId)!,
        coUnitIds: coUnitIds.map(oid),
        coUnitNames: coUnitIds.map((id) => units.get(id)!),
        workingDays: input.workingDays,
        deadline: calendar.addWorkingDays(now, input.workingDays),
        rootCause: input.rootCause,
        measure: input.measure,
        memberIds: [],
        promotedBy: actor.id,
        promotedByName: actor.name ?? actor.username,
      },
    ]);
    cls = doc.toObject();
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw conflict('该候选类问题已立项', 'already_promoted');
    throw err;
  }
  await models.ClassCluster.updateOne({ _id: cluster._id }, { $set: { classProblemId: cls._id } });
  const linked = await linkMembers(deps, actor, cls, members, otherCount(members));
  return (await models.ClassProblem.findByIdAndUpdate(
    cls._id,
    {
      $addToSet: { memberIds: { $each: linked } },
      $set: { enterpriseCount: enterprisesOf(members, linked) },
      $inc: { version: 1 },
    },
    { returnDocument: 'after', lean: true },
  ))!;
}

export async function loadClassProblem(deps: IssueCommandDeps, id: string): Promise<ClassProblemDoc> {
  const doc = Types.ObjectId.isValid(id) ? await deps.models.ClassProblem.findById(id).lean() : null;
  if (!doc) throw notFound('类问题不存在', 'class_problem_not_found');
  return doc;
}

export async function addMembers(
  deps: IssueCommandDeps,
  actor: Actor,
  id: string,
  issueIds: string[],
): Promise<ClassProblemDoc> {
  const cls = await loadClassProblem(deps, id);
  // A member joining after the shared answer would sit in a resolved class without it.
  if (cls.state !== 'handling')
    throw conflict(
      '该类问题已政策性解决，不能再纳入新成员；新问题请单独办理或立项新的类问题',
      'already_resolved',
    );
  const members = await loadMembers(deps, issueIds);
  const missing = issueIds.find((i) => !members.some((m) => String(m._id) === i));
  if (missing) throw new AppError('unknown_issue', 400, `问题不存在：${missing}`);
  for (const m of members) {
    if (m.classProblemId && String(m.classProblemId) !== id)
      throw conflict(`问题 ${m.number} 已属于另一个类问题`, 'in_other_class');
    if (!isLinkable(m.state))
      throw conflict(
        m.state === 'received'
          ? `问题 ${m.number} 尚未分办，请先分办到承办单位`
          : `问题 ${m.number} 状态为「${STATE_LABELS[m.state]}」，不能纳入类问题`,
        'illegal_member',
      );
  }
  const all = await loadMembers(deps, [...cls.memberIds.map(String), ...issueIds]);
  const linked = await linkMembers(deps, actor, cls, members, otherCount(all));
  const kept = new Set([...cls.memberIds, ...linked].map(String));
  return (await deps.models.ClassProblem.findByIdAndUpdate(
    cls._id,
    {
      $addToSet: { memberIds: { $each: linked } },
      $set: {
        enterpriseCount: new Set(
          all.filter((m) => kept.has(String(m._id))).map((m) => String(m.enterpriseId)),
        ).size,
      },
      $inc: { version: 1 },
    },
    { returnDocument: 'after', lean: true },
  ))!;
}

export async function removeMember(
  deps: IssueCommandDeps,
  actor: Actor,
  id: string,
  issueId: string,
  reason: string,
): Promise<ClassProblemDoc> {
  const cls = await loadClassProblem(deps, id);
  if (!cls.memberIds.some((m) => String(m) === issueId))
    throw notFound('该问题不是本类问题的成员', 'not_a_member');
  // The members hold the shared answer once it is given; and a class is two problems or more, as promoted.
  if (cls.state !== 'handling') throw conflict('该类问题已政策性解决，成员不能再移出', 'already_resolved');
  if (cls.memberIds.length <= MIN_CLASS_MEMBERS)
    throw conflict(`类问题至少保留${MIN_CLASS_MEMBERS}个成员问题`, 'too_few_members');
  const now = deps.clock.now();
  const issue = await deps.models.Issue.findById(issueId, { state: 1 }).lean();
  if (issue) {
    const note = `本问题已移出类问题 ${cls.number}，单独办理。移出理由：${reason}`;
    const event = linkEvent(actor, issue.state, now, note, {
      classProblemId: id,
      classLink: 'remove',
    });
    const updated = await deps.models.Issue.findOneAndUpdate(
      { _id: oid(issueId), classProblemId: cls._id },
      { $set: { classProblemId: null }, $push: { timeline: event } },
      { returnDocument: 'after', lean: true },
    );
    if (updated) notifyChange(deps, changeOf(updated as IssueDoc, 'note', issue.state, actor.id, now));
  }
  const rest = await loadMembers(
    deps,
    cls.memberIds.map(String).filter((m) => m !== issueId),
  );
  return (await deps.models.ClassProblem.findByIdAndUpdate(
    cls._id,
    {
      $pull: { memberIds: oid(issueId) },
      $set: { enterpriseCount: new Set(rest.map((m) => String(m.enterpriseId))).size },
      $inc: { version: 1 },
    },
    { returnDocument: 'after', lean: true },
  ))!;
}

export interface ResolveResult {
  classProblem: ClassProblemDoc;
  members: MemberOutcome[];
}

/** 政策性解决: every open member gets the shared answer; `verify` (centre roles) also verifies it at once. */
export async function resolveClass(
  deps: IssueCommandDeps,
  actor: Actor,
  id: string,
  input: { answer: string; verify: boolean },
): Promise<ResolveResult> {
  const cls = await loadClassProblem(deps, id);
  if (cls.state !== 'handling') throw conflict('该类问题已政策性解决', 'already_resolved');
  if (input.verify && !canVerifyClassReplies(actor))
    throw forbidden('您的角色无权审核答复，请由服务中心审核', 'forbidden');
  const mark = { classProblemId: id, classNumber: cls.number };
  const claimed = await deps.models.ClassProblem.findOneAndUpdate(
    { _id: cls._id, state: 'handling' },
    {
      $set: { state: 'replied', answer: input.answer, resolvedAt: deps.clock.now(), resolvedBy: actor.id },
      $inc: { version: 1 },
    },
    { returnDocument: 'after', lean: true },
  );
  if (!claimed) throw conflict('该类问题已政策性解决', 'already_resolved');
  const members = await applyToMembers(deps, actor, cls.memberIds, (core, ctx) => {
    const replied = policyReply(core, input.answer, mark, ctx);
    if (replied.kind === 'skip' || !input.verify) return replied;
    const verified = verifyClassReply(replied.issue, input.answer, mark, ctx);
    return verified.kind === 'skip'
      ? replied
      : { kind: 'apply', issue: verified.issue, events: [...replied.events, ...verified.events] };
  });
  return { classProblem: claimed, members };
}

/** The centre verifies the class answer on every member still waiting for it. */
export async function verifyClassReplies(
  deps: IssueCommandDeps,
  actor: Actor,
  id: string,
): Promise<ResolveResult> {
  const cls = await loadClassProblem(deps, id);
  if (!cls.answer) throw conflict('该类问题尚未政策性解决', 'not_resolved');
  const mark = { classProblemId: id, classNumber: cls.number };
  const answer = cls.answer;
  const members = await applyToMembers(deps, actor, cls.memberIds, (core, ctx) =>
    verifyClassReply(core, answer, mark, ctx),
  );
  // Every member skipped (a skip writes nothing): verified already, or none holds the class answer any more.
  if (members.every((m) => m.result === 'skipped'))
    throw conflict('没有待审核的统一答复：成员问题均已审核或不在待审核状态', 'nothing_to_verify');
  return { classProblem: cls, members };
}
