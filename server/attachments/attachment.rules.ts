// What may be attached to an issue (DESIGN §2, issue 6): images and PDF, recognised by their magic bytes rather
// than by the name or type the sender declared, at most 10 MB each and 5 per issue. Pure, so every edge (staff
// upload, email, WeChat, the pipeline) applies the same rules; the limits and types are shared/attachment-limits.ts
// (the staff app checks a choice by them too). A file that breaks a rule is refused with a stable 4xx, and named
// in a channel's answer with a short reason (refusalOf).
import {
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_ISSUE,
  type AttachmentType,
} from '../../shared/attachment-limits.ts';
import { AppError } from '../errors.ts';

export {
  ACCEPTED_TYPES,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_ISSUE,
  type AttachmentType,
} from '../../shared/attachment-limits.ts';

const EXTENSIONS: Readonly<Record<AttachmentType, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
};

const startsWith = (data: Uint8Array, bytes: readonly number[], at = 0) =>
  data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The real type of a file from its first bytes (16 are enough), or null when it is none we accept. */
export function sniffAttachmentType(head: Uint8Array): AttachmentType | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(head, ascii('%PDF-'))) return 'application/pdf';
  return null;
}

/**
 * A file name safe to store and to put in Content-Disposition: no path, no control characters, bounded, and
 * with the extension of the sniffed type.
 */
export function safeFilename(declared: string | undefined, type: AttachmentType): string {
  const base = (declared ?? '')
    .replace(/^.*[\\/]/, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .trim()
    .slice(0, 80);
  return `${base || '附件'}.${EXTENSIONS[type]}`;
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export const attachmentErrors = {
  type: () => new AppError('attachment_type', 415, '只接受图片（JPEG、PNG、GIF、WebP）或 PDF 文件'),
  tooLarge: () => new AppError('attachment_too_large', 413, '单个附件不能超过10MB'),
  limit: () => new AppError('attachment_limit', 409, `每个问题最多${MAX_ATTACHMENTS_PER_ISSUE}个附件`),
  empty: () => new AppError('attachment_empty', 400, '附件为空'),
};

/** A channel's file that was not stored, and why in a few words (the issue's timeline and the inbox list it). */
export interface RefusedAttachment {
  filename: string;
  reason: string;
}

const REFUSAL_REASONS: Readonly<Record<string, string>> = {
  attachment_limit: `超过${MAX_ATTACHMENTS_PER_ISSUE}个上限`,
  attachment_too_large: `超过${MAX_ATTACHMENT_BYTES / 1024 / 1024}MB`,
  attachment_type: '类型不支持',
  attachment_empty: '空文件',
};

/** A refused file named with the short reason staff and senders read (超过5个上限, 超过10MB, 类型不支持). */
export function refusalOf(filename: string, err: AppError): RefusedAttachment {
  return { filename, reason: REFUSAL_REASONS[err.code] ?? err.message };
}

/** The checked type of a file about to be stored; throws the stable 4xx otherwise. */
export function checkAttachment(data: Buffer): AttachmentType {
  if (data.length === 0) throw attachmentErrors.empty();
  if (data.length > MAX_ATTACHMENT_BYTES) throw attachmentErrors.tooLarge();
  const type = sniffAttachmentType(data.subarray(0, 16));
  if (!type) throw attachmentErrors.type();
  return type;
}
