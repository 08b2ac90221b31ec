// Staff adding files to an issue (POST /api/issues/:id/attachments), one command: load the issue, authorise
// it like a progress note (whoever may add a note may add files; a reader only may not), refuse a finished
// issue, only then read the upload, store the files (type, size and the per-issue limit, as the store checks
// them) and append one internal timeline event naming them (who, when, which files). Intake stores the files
// a channel message brought through the store directly (intake-sink.ts); this is the staff path only.
import { Types } from 'mongoose';
import type { Actor } from '../../shared/roles.ts';
import { STATE_LABELS, type IssueState } from '../../shared/states.ts';
import { changeOf, notifyChange, type IssueCommandDeps } from '../commands/issue-deps.ts';
import { loadIssue, noteEvent, scopeOf } from '../commands/issue-store.ts';
import { AppError, badRequest, forbidden, notFound } from '../errors.ts';
import type { IssueDoc, StoredTimelineEvent } from '../models/issue.model.ts';
import { canAttachToIssue, issueTakesAttachments } from '../policies/issue.policy.ts';
import { canReadIssue } from '../policies/screens.policy.ts';
import { attachmentErrors, checkAttachment, MAX_ATTACHMENTS_PER_ISSUE } from './attachment.rules.ts';
import type { AttachmentInfo, AttachmentStore } from './attachment.store.ts';

export interface UploadedFile {
  filename: string;
  data: Buffer;
}

export const uploadErrors = {
  forbidden: () => forbidden('您无权为该问题上传附件'),
  finished: (state: IssueState) =>
    new AppError('issue_finished', 409, `问题处于「${STATE_LABELS[state]}」状态，不能再上传附件`),
  noFile: () => badRequest('请选择要上传的文件', 'file_required'),
};

/** The event's `data.kind`: a note-like entry beside the lifecycle (as intake's source_merged). */
export const ATTACHMENTS_ADDED = 'attachments_added';

function uploadEvent(actor: Actor, state: IssueState, now: Date, saved: readonly AttachmentInfo[]) {
  const shown = saved.some((a) => a.public);
  const names = saved.map((a) => a.filename).join('、');
  return noteEvent(actor, state, now, shown ? `提供材料（企业可查看）：${names}` : `上传附件：${names}`, {
    // The enterprise reads of files only those it may open (企业可见); the unit's working papers stay internal.
    public: shown,
    data: { kind: ATTACHMENTS_ADDED, attachments: saved.map((a) => ({ id: a.id, filename: a.filename })) },
  });
}

/**
 * Appends a note-like event in the state the issue is in when it lands (a lifecycle action may have moved it
 * since it was read): pushed only if the state is still the one named, read again otherwise. What it records
 * (stored files) has happened already, so the record must land: after a few moves it is written with the last
 * state read. Shared with the owner's 补充材料 (issue-supplement.command.ts) and the files intake could not keep
 * (intake/attachment-refusals.ts).
 */
export async function appendNote(
  deps: Pick<IssueCommandDeps, 'models' | 'clock' | 'onChange'>,
  doc: Pick<IssueDoc, '_id' | 'state'>,
  actorId: string,
  build: (state: IssueState, now: Date) => StoredTimelineEvent,
): Promise<void> {
  const issues = deps.models.Issue.collection;
  const now = deps.clock.now();
  let state = doc.state;
  for (let tries = 0; tries < 4; tries++) {
    const event = build(state, now);
    const updated = (await issues.findOneAndUpdate(
      tries < 3 ? { _id: doc._id, state } : { _id: doc._id },
      { $push: { timeline: event }, $inc: { version: 1 }, $set: { updatedAt: now } } as never,
      { returnDocument: 'after', projection: { timeline: 0, sources: 0, content: 0 } },
    )) as IssueDoc | null;
    if (updated) {
      const change = changeOf(updated, 'note', updated.state, actorId, now);
      const { actorRole, note, data } = event;
      notifyChange(deps, { ...change, actorRole, note, data, public: event.public });
      return;
    }
    const current = await issues.findOne<Pick<IssueDoc, 'state'>>(
      { _id: doc._id },
      { projection: { state: 1 } },
    );
    if (!current) return;
    state = current.state;
  }
}

const recordUpload = (
  deps: IssueCommandDeps,
  doc: IssueDoc,
  actor: Actor,
  saved: readonly AttachmentInfo[],
) => appendNote(deps, doc, actor.id, (state, now) => uploadEvent(actor, state, now, saved));

export async function attachmentUploadCommand(
  deps: IssueCommandDeps,
  store: AttachmentStore,
  actor: Actor,
  issueId: string,
  /** Reads the request's files; called only once the actor may upload here. */
  readFiles: () => Promise<UploadedFile[]>,
  /** Whether the enterprise may open these files on its QR page (企业可见). */
  shown = false,
): Promise<AttachmentInfo[]> {
  const doc = await loadIssue(deps.models, issueId);
  const scope = scopeOf(doc);
  // Invisible issues are "not found", as for every other read and action.
  if (!canReadIssue(actor, scope)) throw notFound('问题不存在');
  if (!canAttachToIssue(actor, scope)) throw uploadErrors.forbidden();
  if (!issueTakesAttachments(doc.state)) throw uploadErrors.finished(doc.state);
  const files = await readFiles();
  if (files.length === 0) throw uploadErrors.noFile();
  // All or nothing where it can be known beforehand: every file's type and size, and room for all of them.
  for (const f of files) checkAttachment(f.data);
  const taken = (doc as IssueDoc & { staffAttachmentCount?: number }).staffAttachmentCount ?? 0;
  if (taken + files.length > MAX_ATTACHMENTS_PER_ISSUE) throw attachmentErrors.limit();
  const id = new Types.ObjectId(issueId);
  const saved: AttachmentInfo[] = [];
  try {
    for (const f of files)
      saved.push(await store.save(id, { ...f, source: 'staff', uploadedBy: actor.id, public: shown }));
  } catch (err) {
    // A concurrent upload took the last slots: what was stored is still recorded.
    if (saved.length) await recordUpload(deps, doc, actor, saved);
    throw err;
  }
  await recordUpload(deps, doc, actor, saved);
  return saved;
}
