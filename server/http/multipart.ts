// multipart/form-data uploads through busboy, streamed: each file part is handed to the caller as a stream
// while it arrives, so nothing holds a whole upload unless the caller chooses to. Every way an upload can be
// wrong becomes a stable 4xx: not multipart (415), malformed (400), a file over the size limit or too many
// files (413). A form that must not be lost over one file (the QR page's new issue) asks for oversize files
// to be handed on cut short instead, and refuses them itself.
import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.ts';

export interface MultipartLimits {
  /** Bytes per file. */
  fileSize: number;
  files: number;
  fields?: number;
  fieldSize?: number;
  /**
   * What a file over `fileSize` does: fail the form (413, the default), or reach `onFile` cut at the limit
   * with `truncated()` true once its stream has ended (the caller refuses that one file).
   */
  oversize?: 'fail' | 'cut';
}

export interface FilePart {
  field: string;
  filename: string;
  mimeType: string;
  stream: Readable;
  /** The text fields sent before this file (a form's CSRF token is checked before its files are read). */
  fieldsBefore: Readonly<Record<string, string>>;
  /** True when the file was cut at the size limit (known once its stream has ended; `oversize: 'cut'`). */
  truncated: () => boolean;
}

export const multipartErrors = {
  notMultipart: () => new AppError('multipart_required', 415, '请以 multipart/form-data 方式上传文件'),
  malformed: () => new AppError('invalid_multipart', 400, '上传的表单格式有误'),
  tooLarge: (limit: number) =>
    new AppError('file_too_large', 413, `文件不能超过${Math.floor(limit / 1024 / 1024)}MB`),
  tooMany: (limit: number) => new AppError('too_many_files', 413, `一次最多上传${limit}个文件`),
};

/**
 * Reads the form: text fields are collected, and `onFile` consumes each file part's stream (it must read it to
 * the end or fail). Resolves with the fields once every file handler has finished; rejects with the first
 * error. A file over the limit rejects after its handler finished, so the caller can remove what it wrote.
 */
export function readMultipart(
  req: Request,
  limits: MultipartLimits,
  onFile: (part: FilePart) => Promise<void>,
): Promise<Record<string, string>> {
  if (!req.is('multipart/form-data')) return Promise.reject(multipartErrors.notMultipart());
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: {
          fileSize: limits.fileSize,
          files: limits.files,
          fields: limits.fields ?? 20,
          fieldSize: limits.fieldSize ?? 4096,
          parts: limits.files + (limits.fields ?? 20),
        },
        defParamCharset: 'utf8',
      });
    } catch {
      reject(multipartErrors.malformed());
      return;
    }
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    const handlers: Promise<void>[] = [];
    let failure: unknown;
    const fail = (err: unknown) => {
      failure ??= err;
    };
    bb.on('field', (name, value) => {
      if (!name.startsWith('$') && !name.includes('\0')) fields[name] = value;
    });
    const cut = limits.oversize === 'cut';
    bb.on('file', (field, stream, info) => {
      let truncated = false;
      stream.on('limit', () => {
        truncated = true;
        if (!cut) fail(multipartErrors.tooLarge(limits.fileSize));
      });
      const part: FilePart = {
        field,
        filename: info.filename ?? '',
        mimeType: info.mimeType,
        stream,
        fieldsBefore: { ...fields },
        truncated: () => truncated,
      };
      const handled = onFile(part)
        .catch((err: unknown) => {
          fail(err);
          stream.resume();
        })
        .then(() => {
          if (truncated && !cut) fail(multipartErrors.tooLarge(limits.fileSize));
        });
      handlers.push(handled);
    });
    bb.on('filesLimit', () => fail(multipartErrors.tooMany(limits.files)));
    bb.on('partsLimit', () => fail(multipartErrors.malformed()));
    bb.on('error', () => {
      fail(multipartErrors.malformed());
      req.unpipe(bb);
      req.resume();
      void Promise.allSettled(handlers).then(() => reject(failure));
    });
    bb.on('close', () => {
      void Promise.allSettled(handlers).then(() => (failure ? reject(failure) : resolve(fields)));
    });
    req.pipe(bb);
  });
}

/** Reads a stream into one buffer (for files already bounded by the multipart limit). */
export async function bufferOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
