// The API client: JSON over fetch with the session's bearer token. A 4xx/5xx becomes an ApiError carrying the
// server's `{error:{code,message}}`. A 401 on an authenticated call first tries the cookie refresh once; when
// that fails the session ends and the login screen opens. `optional` turns a 404 (an endpoint another part of
// the system has not switched on yet) into null so screens can say 功能未启用 instead of failing.
import { router } from '../router.ts';
import { useSession } from '../stores/session.ts';
import { simulatedClock, syncServerClock } from './server-clock.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function send(method: string, url: string, body: unknown, extra?: Record<string, string>) {
  const session = useSession();
  const headers: Record<string, string> = { Accept: 'application/json', ...extra };
  const form = body instanceof FormData;
  // A form (file upload) sets its own multipart boundary.
  if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试');
  }
  syncServerClock(Number(res.headers.get('x-server-time')));
  if (res.headers.get('x-clock') === 'simulated') simulatedClock.value = true;
  return res;
}

async function errorOf(res: Response): Promise<ApiError> {
  const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const fallback = res.status >= 500 ? '服务器暂时无法处理，请稍后重试' : `请求失败（${res.status}）`;
  return new ApiError(
    res.status,
    data?.error?.code ?? 'http_' + res.status,
    data?.error?.message ?? fallback,
  );
}

/** The raw response of an authenticated call (refreshing the token once on 401); throws ApiError on failure. */
export async function call(
  method: string,
  path: string,
  body?: unknown,
  query?: Query,
  extra?: Record<string, string>,
): Promise<Response> {
  const url = withQuery(`/api${path}`, query);
  const session = useSession();
  let res = await send(method, url, body, extra);
  if (res.status === 401 && session.token && !path.startsWith('/auth/')) {
    if (await session.refresh()) res = await send(method, url, body, extra);
    if (res.status === 401) {
      session.signOut(false);
      void router.push({ name: 'login', query: { next: router.currentRoute.value.fullPath } });
    }
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

async function json<T>(
  method: string,
  path: string,
  body?: unknown,
  query?: Query,
  extra?: Record<string, string>,
) {
  const res = await call(method, path, body, query, extra);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => json<T>('GET', path, undefined, query),
  post: <T>(path: string, body: unknown = {}, headers?: Record<string, string>) =>
    json<T>('POST', path, body, undefined, headers),
  patch: <T>(path: string, body: unknown) => json<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => json<T>('PUT', path, body),
  del: <T = void>(path: string, body?: unknown) => json<T>('DELETE', path, body),
  /** multipart/form-data (a file upload). */
  upload: <T>(path: string, form: FormData) => json<T>('POST', path, form),
};

/** A GET whose 404 means "not switched on here": null instead of an error. */
export async function optional<T>(path: string, query?: Query): Promise<T | null> {
  try {
    return await api.get<T>(path, query);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** Downloads a file answer (xlsx, pdf) under the given name; returns its headers (e.g. an export cut short). */
export async function download(path: string, query: Query | undefined, filename: string): Promise<Headers> {
  const res = await call('GET', path, undefined, query);
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return res.headers;
}

/** The message to show for any failure. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return '发生未知错误，请重试';
}

/** True when the failure means the endpoint is not present on this server (功能未启用). */
export const isMissing = (err: unknown) => err instanceof ApiError && err.status === 404;
