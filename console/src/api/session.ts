import { ApiError, fieldsOf } from './errors';

/**
 * The browser session. The access token lives in this module's memory only (never in
 * localStorage or a readable cookie); the rotating refresh token is an httpOnly, SameSite=Strict
 * cookie scoped to /v1/auth/refresh that no script can read (the server sets it because every
 * auth call here sends `Touchpoint-Refresh: cookie`). A reload restores the session through a
 * refresh. Refreshes are serialized across tabs with a Web Lock, so two tabs never present the
 * same (single-use) refresh token.
 */
const COOKIE_MODE = { 'touchpoint-refresh': 'cookie' } as const;

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: 'admin' | 'recruiter';
}

interface TokenAnswer {
  accessToken: string;
  expiresIn: number;
  user?: SessionUser;
}

let accessToken: string | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let inflight: Promise<string | null> | null = null;
const listeners = new Set<() => void>();

function emit(): void {
  for (const l of listeners) l();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentToken(): string | null {
  return accessToken;
}

function accept(answer: TokenAnswer): void {
  accessToken = answer.accessToken;
  clearTimeout(refreshTimer);
  // Refresh a minute before the access token expires (at least 10 s from now).
  refreshTimer = setTimeout(() => void refresh(), Math.max(10, answer.expiresIn - 60) * 1000);
  emit();
}

function forget(): void {
  accessToken = null;
  clearTimeout(refreshTimer);
  emit();
}

async function post<T>(path: string, body: unknown, method = 'POST'): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...COOKIE_MODE },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    throw new ApiError(String(json.detail ?? json.title ?? `Request failed (${res.status})`), String(json.code ?? 'ERROR'), res.status, fieldsOf(json.errors), json);
  }
  return json as T;
}

/**
 * Signs in. The same email and password may open accounts in several firms: the API then answers
 * 409 with `firms`, and the caller asks which one and signs in again with its `firmId`.
 */
export async function signIn(email: string, password: string, firmId?: string): Promise<void> {
  accept(await post<TokenAnswer>('/v1/auth/login', { email, password, ...(firmId ? { firmId } : {}) }));
}

/** The firms of an ambiguous sign-in (a 409 listing them), else undefined. */
export function firmsToChoose(err: unknown): { id: string; name: string }[] | undefined {
  if (!(err instanceof ApiError) || err.status !== 409 || !Array.isArray(err.body.firms)) return undefined;
  return (err.body.firms as { id: string; name: string }[]).filter((f) => typeof f?.id === 'string');
}

export async function signUp(input: { firmName: string; name: string; email: string; password: string; timeZone?: string }): Promise<void> {
  accept(await post<TokenAnswer>('/v1/auth/signup', input));
}

export async function acceptInvite(inviteToken: string, password: string): Promise<void> {
  accept(await post<TokenAnswer>('/v1/auth/accept-invite', { inviteToken, password }));
}

async function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && 'locks' in navigator) {
    return navigator.locks.request('touchpoint-refresh', work);
  }
  return work();
}

/** A new access token from the refresh cookie, or null when there is no session. */
export function refresh(): Promise<string | null> {
  inflight ??= withRefreshLock(async () => {
    try {
      accept(await post<TokenAnswer>('/v1/auth/refresh', {}));
      return accessToken;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 400)) forget();
      else throw err;
      return null;
    }
  }).finally(() => {
    inflight = null;
  });
  return inflight;
}

export async function signOut(): Promise<void> {
  try {
    await post<void>('/v1/auth/refresh', undefined, 'DELETE');
  } finally {
    forget();
  }
}
