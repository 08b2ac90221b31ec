// The QR page's new-issue form with the owner's photos and PDFs (multipart/form-data, DESIGN §2, issue 6),
// read through the shared multipart reader. The issue must never be lost over a file, so a file breaking a
// rule is named with its reason (超过10MB, 超过5个上限, 类型不支持, 空文件) and the form goes on:
//  - no file is read before the form's CSRF token has been seen and matched (the page sends it first; a file
//    ahead of it, or after a wrong one, is drained unread and the form is refused);
//  - at most MAX_ATTACHMENTS_PER_ISSUE files whose first bytes are an image or a PDF are held in memory, each
//    cut at 10 MB; every other file is drained unread;
//  - the store checks the kept ones again when it writes them (attachment.store.ts).
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import {
  attachmentErrors,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_ISSUE,
  refusalOf,
  sniffAttachmentType,
  type RefusedAttachment,
} from '../../attachments/attachment.rules.ts';
import type { InboundAttachment } from '../../channels/types.ts';
import { isAppError, type AppError } from '../../errors.ts';
import { readMultipart, type FilePart } from '../../http/multipart.ts';

/** The form's file input. */
export const FILES_FIELD = 'files';
/** File parts looked at in one form; more fail the form (a phone's picker never sends this many). */
export const MAX_FILE_PARTS = 20;
/**
 * Forms an enterprise may send with files per submission allowed (qrLimits.submitPerEnterprise): every read
 * counts, refused or not, since each may hold 50 MB while it is read.
 */
export const UPLOADS_PER_SUBMISSION = 3;
/** A refused file's name as recorded and shown back (the store keeps its files' names as short). */
const MAX_REFUSED_NAME = 80;
/** Bytes that tell a file's type (sniffAttachmentType). */
const HEAD_BYTES = 16;

export type IssueUpload =
  | { ok: true; fields: Record<string, string>; files: InboundAttachment[]; refused: RefusedAttachment[] }
  /** The form could not be read whole: what was typed before the failure, and why. */
  | { ok: false; status: number; error: string; fields: Record<string, string> }
  /** A file came before a matching CSRF token. */
  | { ok: false; status: 403; csrf: true; fields: Record<string, string> };

interface Read {
  /** The first bytes (the type), kept whatever else is. */
  head: Buffer;
  /** The whole file when it was held, else empty. */
  data: Buffer;
  size: number;
}

/** Reads one file to its end, holding its bytes only if `hold(head)` says so on its first bytes. */
async function readFile(stream: Readable, hold: (head: Buffer) => boolean): Promise<Read> {
  const chunks: Buffer[] = [];
  let size = 0;
  let head: Buffer | undefined;
  let holding = true;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (!holding) continue;
    chunks.push(buf);
    if (!head && size >= HEAD_BYTES) {
      head = Buffer.concat(chunks).subarray(0, HEAD_BYTES);
      holding = hold(head);
      if (!holding) chunks.length = 0;
    }
  }
  if (!head) {
    // Shorter than a type's signature: judged whole.
    head = Buffer.concat(chunks);
    holding = size > 0 && hold(head);
  }
  return { head, data: holding ? Buffer.concat(chunks) : Buffer.alloc(0), size };
}

export async function readIssueUpload(
  req: Request,
  csrfMatches: (sent: string | undefined) => boolean,
): Promise<IssueUpload> {
  const files: InboundAttachment[] = [];
  const refused: RefusedAttachment[] = [];
  let held = 0;
  let csrfFailed = false;
  let typed: Record<string, string> = {};

  const onFile = async (part: FilePart) => {
    typed = { ...part.fieldsBefore };
    if (part.field !== FILES_FIELD) return void part.stream.resume();
    if (csrfFailed || !csrfMatches(part.fieldsBefore._csrf)) {
      csrfFailed = true;
      return void part.stream.resume();
    }
    // A slot is taken as soon as a file's first bytes show an accepted type, and given back the moment the
    // file passes 10 MB: the next part may start before this handler has finished.
    let holding = false;
    let cut = false;
    part.stream.once('limit', () => {
      cut = true;
      if (holding) held -= 1;
      holding = false;
    });
    const read = await readFile(part.stream, (head) => {
      holding = !cut && !!sniffAttachmentType(head) && held < MAX_ATTACHMENTS_PER_ISSUE;
      if (holding) held += 1;
      return holding;
    });
    const name = part.filename;
    const refuse = (err: AppError) => {
      if (holding) held -= 1;
      refused.push(refusalOf((name || '未命名文件').slice(0, MAX_REFUSED_NAME), err));
    };
    // An empty file input still sends one part: no name, no bytes.
    if (read.size === 0) return name ? refuse(attachmentErrors.empty()) : undefined;
    // The store's order of checks: size, then type, then room.
    if (part.truncated()) return refuse(attachmentErrors.tooLarge());
    if (!sniffAttachmentType(read.head)) return refuse(attachmentErrors.type());
    if (!holding) return refuse(attachmentErrors.limit());
    files.push({ filename: name, contentType: part.mimeType, data: read.data });
  };

  try {
    const fields = await readMultipart(
      req,
      {
        fileSize: MAX_ATTACHMENT_BYTES,
        files: MAX_FILE_PARTS,
        fields: 10,
        // 2,000 Chinese characters are 6,000 bytes of UTF-8.
        fieldSize: 16 * 1024,
        oversize: 'cut',
      },
      onFile,
    );
    if (csrfFailed) return { ok: false, status: 403, csrf: true, fields };
    return { ok: true, fields: { ...fields }, files, refused };
  } catch (err) {
    if (!isAppError(err) || err.status >= 500) throw err;
    if (csrfFailed) return { ok: false, status: 403, csrf: true, fields: typed };
    const error =
      err.code === 'too_many_files'
        ? `一次最多选择${MAX_FILE_PARTS}个文件，请减少后重新选择。`
        : '上传的表单不完整，请重新选择文件后提交。';
    return { ok: false, status: err.status, error, fields: typed };
  }
}
