/**
 * A malformed or unsupported message. The connection answers it with an error reply when it can identify the
 * request, logs it, and then closes: after a framing error the byte stream can no longer be trusted.
 */
export class ProtocolError extends Error {
  constructor(
    message: string,
    /** MongoDB's code for the condition, so a client sees a recognisable error. */
    readonly code: number,
    readonly codeName: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
