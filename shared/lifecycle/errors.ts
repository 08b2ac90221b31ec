// The typed error every rejected lifecycle action throws: a stable machine `code` the API maps to a 4xx,
// and a Chinese message a user can act on.

export type TransitionErrorCode =
  | 'illegal_transition'
  | 'forbidden'
  | 'extension_limit'
  | 'extension_too_long'
  | 'approval_pending'
  | 'no_pending_request'
  | 'already_rated'
  | 'not_rated'
  | 'rating_level_mismatch'
  | 'reason_required'
  | 'invalid_input'
  | 'max_tier'
  | 'not_in_consultation';

export class TransitionError extends Error {
  readonly code: TransitionErrorCode;
  /** 409 when the state is the problem, 403 for roles, 400 for the input. */
  readonly status: number;

  constructor(code: TransitionErrorCode, message: string, status?: number) {
    super(message);
    this.name = 'TransitionError';
    this.code = code;
    this.status = status ?? defaultStatus(code);
  }
}

function defaultStatus(code: TransitionErrorCode): number {
  if (code === 'forbidden' || code === 'not_in_consultation') return 403;
  if (code === 'invalid_input' || code === 'reason_required' || code === 'rating_level_mismatch') return 400;
  if (code === 'extension_too_long') return 400;
  return 409;
}

export function isTransitionError(e: unknown): e is TransitionError {
  return e instanceof TransitionError;
}
