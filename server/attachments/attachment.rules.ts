// What may be attached to an issue (DESIGN §2, issue 6): images and PDF, recognised by their magic bytes rather
// than by the name or type the sender declared, at most 10 MB each and 5 per issue. Pure, so every edge (staff
// upload, email, WeChat, the pipeline) applies the same rules; the limits and types are shared/attachment-limits.ts
// (the staff app checks a choice by them too).
import type { AttachmentType } from '../../shared/attachment-limits.ts';

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
