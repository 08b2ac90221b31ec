// What may be attached to an issue, as every edge states it (DESIGN §2, issue 6): the server's rules
// (server/attachments/attachment.rules.ts, which also sniffs the bytes) and the staff app's forms, which check
// a choice before sending it.

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_ISSUE = 5;

/**
 * The types a file picker should offer, JPEG first: a browser that would hand over an HEIC photo (macOS Safari,
 * some Android cameras) converts it to the first listed type it can, where `image/*` passes it through.
 */
export const ACCEPTED_TYPES = Object.freeze([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'application/pdf',
] as const);
export type AttachmentType = (typeof ACCEPTED_TYPES)[number];
