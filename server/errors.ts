// The one error type of the API. Every 4xx carries a stable machine `code` (English) and a human message
// (Chinese first); the error middleware turns it into `{error:{code,message}}`. Anything that is not an
// AppError is treated as a bug and answered with a generic 500.

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Optional machine-readable detail that is safe to show (never internals). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

export const badRequest = (
  message = '请求参数有误',
  code = 'bad_request',
  details?: Record<string, unknown>,
) => new AppError(code, 400, message, details);

export const validationFailed = (message: string, details?: Record<string, unknown>) =>
  new AppError('validation_failed', 400, message, details);

export const unauthorized = (message = '请先登录', code = 'unauthorized') => new AppError(code, 401, message);

export const forbidden = (message = '无权执行此操作', code = 'forbidden') => new AppError(code, 403, message);

export const notFound = (message = '资源不存在', code = 'not_found') => new AppError(code, 404, message);

export const conflict = (message = '数据已被修改，请刷新后重试', code = 'conflict') =>
  new AppError(code, 409, message);

export const tooMany = (message = '请求过于频繁，请稍后再试', code = 'rate_limited') =>
  new AppError(code, 429, message);
