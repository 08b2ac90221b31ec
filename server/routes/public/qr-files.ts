// The files the enterprise itself sent with its issues (the QR page's form, email, WeChat), listed on the
// verified owner's page and served back to that owner only. Files staff attached stay with staff: they may be
// the units' own working papers.
import type { Types } from 'mongoose';
import type { AttachmentInfo, AttachmentStore } from '../../attachments/attachment.store.ts';

export type OwnerFile = Pick<AttachmentInfo, 'id' | 'filename' | 'size' | 'status'>;

const fromEnterprise = (a: AttachmentInfo) => a.source !== 'staff';

/** The enterprise's own files per issue id, read only for the issues that have any. */
export async function ownerFilesOf(
  store: AttachmentStore,
  issues: readonly { _id: Types.ObjectId; attachmentCount?: number }[],
): Promise<Map<string, OwnerFile[]>> {
  const withFiles = issues.filter((i) => (i.attachmentCount ?? 0) > 0);
  const lists = await Promise.all(withFiles.map((i) => store.list(i._id)));
  const files = new Map<string, OwnerFile[]>();
  withFiles.forEach((i, n) => {
    const own = lists[n]!.filter(fromEnterprise).map(({ id, filename, size, status }) => ({
      id,
      filename,
      size,
      status,
    }));
    if (own.length) files.set(String(i._id), own);
  });
  return files;
}

/** One of the enterprise's own stored files of the issue, with its bytes, or null. */
export async function openOwnerFile(store: AttachmentStore, issueId: Types.ObjectId, fileId: Types.ObjectId) {
  const found = await store.open(issueId, fileId);
  if (!found?.stream || found.info.status !== 'stored' || !fromEnterprise(found.info)) return null;
  return { info: found.info, stream: found.stream };
}
