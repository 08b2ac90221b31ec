// An issue's attachments as the staff API lists them (GET /api/issues/:id/attachments) and their Chinese
// labels: where a file came from, what it is, how big, and whether its bytes are here (a WeChat picture waits
// for its download: 待下载, then 已保存 or 下载失败 with the reason).
import {
  ACCEPTED_TYPES,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_ISSUE,
} from '../../../shared/attachment-limits.ts';
import { api, call, download } from './api.ts';

export type AttachmentStatus = 'stored' | 'pending' | 'failed';

export interface IssueAttachment {
  id: string;
  filename: string;
  contentType: string | null;
  size: number;
  source: 'staff' | 'email' | 'wechat' | 'qr';
  status: AttachmentStatus;
  uploadedAt: string;
  /** A staff file the enterprise may open on its QR page (企业可见). */
  public?: boolean;
  reason?: string;
}

/** What the upload input takes (the server checks the bytes): pictures and PDF, as the store does. */
export const UPLOAD_ACCEPT = ACCEPTED_TYPES.join(',');
const MAX_MB = MAX_ATTACHMENT_BYTES / 1024 / 1024;
/** The limits as a form states them under its file field. */
export const UPLOAD_LIMITS = `图片或 PDF，最多 ${MAX_ATTACHMENTS_PER_ISSUE} 个，每个不超过${MAX_MB}MB`;

/** Why these files cannot go with an issue (the store's limits, checked before anything is sent), or null. */
export function uploadRefusal(files: readonly File[]): string | null {
  if (files.length > MAX_ATTACHMENTS_PER_ISSUE) return `附件最多 ${MAX_ATTACHMENTS_PER_ISSUE} 个`;
  const big = files.find((f) => f.size > MAX_ATTACHMENT_BYTES);
  return big ? `附件「${big.name}」超过 ${MAX_MB}MB` : null;
}

/** The chosen files onto an issue, staff-only unless `shown` (企业可见): one multipart request. */
export function uploadFiles(issueId: string, files: readonly File[], shown = false) {
  const form = new FormData();
  for (const f of files) form.append('file', f, f.name);
  return api.upload(`/issues/${issueId}/attachments${shown ? '?public=true' : ''}`, form);
}

export const ATTACHMENT_SOURCE_LABELS: Readonly<Record<IssueAttachment['source'], string>> = {
  staff: '工作人员上传',
  email: '电子邮件',
  wechat: '微信公众号',
  qr: '企业码页面',
};

export const ATTACHMENT_STATUS_LABELS: Readonly<Record<AttachmentStatus, string>> = {
  stored: '已保存',
  pending: '待下载',
  failed: '下载失败',
};

const TYPE_LABELS: Readonly<Record<string, string>> = {
  'image/jpeg': 'JPEG 图片',
  'image/png': 'PNG 图片',
  'image/gif': 'GIF 图片',
  'image/webp': 'WebP 图片',
  'application/pdf': 'PDF 文档',
};

export const typeLabel = (a: IssueAttachment) =>
  a.contentType ? (TYPE_LABELS[a.contentType] ?? a.contentType) : a.source === 'wechat' ? '图片' : '—';

export const isImage = (a: IssueAttachment) => a.status === 'stored' && !!a.contentType?.startsWith('image/');

/** `1.2 MB`, `35 KB`, `512 B`; `—` while nothing is stored. */
export function sizeLabel(bytes: number): string {
  if (!bytes) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const attachmentPath = (issueId: string, fileId: string) => `/issues/${issueId}/attachments/${fileId}`;

/** A stored file, saved under its name by the browser. */
export const downloadAttachment = (issueId: string, a: { id: string; filename: string }) =>
  download(attachmentPath(issueId, a.id), undefined, a.filename);

/**
 * A stored file's bytes as an object URL (the API wants the bearer token, which an `<img src>` cannot send);
 * the caller revokes it.
 */
export async function attachmentUrl(issueId: string, a: IssueAttachment): Promise<string> {
  const res = await call('GET', attachmentPath(issueId, a.id));
  return URL.createObjectURL(await res.blob());
}
