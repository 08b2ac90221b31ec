// The files of the enterprise's issues its verified owner may open, listed on the owner's page and served back
// to that owner only: what the enterprise itself sent (the QR page's form, email, WeChat), and what the unit
// attached for it (企业可见: a rectification photo, a written answer). Other staff files stay with staff: they
// may be the units' own working papers.
import type { Types } from 'mongoose';
import type { AttachmentInfo, AttachmentStore } from '../../attachments/attachment.store.ts';

export type OwnerFile = Pick<AttachmentInfo, 'id' | 'filename' | 'size' | 'status'> & {
  /** Attached by the unit for the enterprise, not sent by it. */
  fromUnit: boolean;
};

const ownerMayOpen = (a: AttachmentInfo) => a.source !== 'staff' || a.public === true;

/** The files the owner may open per issue id, read only for the issues that have any files. */
export async function ownerFilesOf(
  store: AttachmentStore,
  issues: readonly { _id: Types.ObjectId; attachmentCount?: number; staffAttachmentCount?: number }[],
): Promise<Map<string, OwnerFile[]>> {
  const withFiles = issues.filter((i) => (i.attachmentCount ?? 0) + (i.staffAttachmentCount ?? 0) > 0);
  const lists = await Promise.all(withFiles.map((i) => store.list(i._id)));
  const files = new Map<string, OwnerFile[]>();
  withFiles.forEach((i, n) => {
    const own = lists[n]!.filter(ownerMayOpen).map(({ id, filename, size, status, source }) => ({
      id,
      filename,
      size,
      status,
      fromUnit: source === 'staff',
    }));
    if (own.length) files.set(String(i._id), own);
  });
  return files;
}

/** One stored file of the issue the owner may open, with its bytes, or null. */
export async function openOwnerFile(store: AttachmentStore, issueId: Types.ObjectId, fileId: Types.ObjectId) {
  const found = await store.open(issueId, fileId);
  if (!found?.stream || found.info.status !== 'stored' || !ownerMayOpen(found.info)) return null;
  return { info: found.info, stream: found.stream };
}
