/**
 * A document that is already BSON: a stored document (or a top-level projection of one) on its way into a
 * reply. Query results carry these instead of decoded objects, and the wire layer copies their bytes into
 * the reply, so a find never decodes and re-encodes the documents it returns.
 */
export class RawDoc {
  constructor(readonly bytes: Uint8Array) {}
}
