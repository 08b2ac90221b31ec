/**
 * MongoDB's own error shape, so drivers and mongoose recognise every failure by its numeric code.
 * Anything the server does not support throws one of these rather than answering wrongly.
 */
import type { Document } from 'bson';

export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  TypeMismatch: 14,
  InvalidLength: 16,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  CannotCreateIndex: 67,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CommandNotSupported: 115,
  DocumentValidationFailure: 121,
  NotImplemented: 238,
  Location15974: 15974,
  DuplicateKey: 11000,
  OperationFailed: 96,
  InvalidIdField: 53,
  DollarPrefixedFieldName: 52,
  EmptyFieldName: 56,
  QueryFeatureNotAllowed: 224,
  Overflow: 15,
  QueryPlanKilled: 175,
  Unauthorized: 13,
  BSONObjectTooLarge: 10334,
} as const;

const codeNames = new Map<number, string>(Object.entries(ErrorCodes).map(([name, code]) => [code, name]));

export class MongoError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** Extra reply fields, e.g. `keyPattern` and `keyValue` on a duplicate key. */
    readonly extra: Document = {},
  ) {
    super(message);
    this.name = 'MongoError';
  }

  get codeName(): string {
    return codeNames.get(this.code) ?? 'Location' + this.code;
  }

  /** The reply document for a failed command. */
  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

/** For features deliberately left out: fail loudly instead of returning a wrong answer. */
export function notSupported(what: string): MongoError {
  return new MongoError(
    ErrorCodes.NotImplemented,
    `${what} is not supported by the embedded server (see server/db/embedded/README.md)`,
  );
}
