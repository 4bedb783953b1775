import { parse, serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The browser session's refresh token (the console's choice; API clients keep the JSON flow).
 *
 * A client opts in with the header `Touchpoint-Refresh: cookie` on signup, login, accept-invite and
 * refresh. The refresh token is then set as an httpOnly, SameSite=Strict cookie whose Path is the
 * refresh endpoint, so the browser sends it there and nowhere else (not to /graphql, not to
 * /v1/candidates), and no script can read it; the JSON answer leaves `refreshToken` out. The
 * access token stays in the page's memory. Refresh and sign-out with the cookie require the same
 * header: a cross-site form cannot set one, on top of SameSite=Strict.
 */
export const REFRESH_COOKIE = 'tp_refresh';
export const REFRESH_COOKIE_PATH = '/v1/auth/refresh';
export const REFRESH_MODE_HEADER = 'touchpoint-refresh';

export function wantsRefreshCookie(req: FastifyRequest): boolean {
  const v = req.headers[REFRESH_MODE_HEADER];
  return typeof v === 'string' && v.trim().toLowerCase() === 'cookie';
}

export function readRefreshCookie(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header.length === 0) return undefined;
  const value = parse(header)[REFRESH_COOKIE];
  return value && value.length > 0 ? value : undefined;
}

export function setRefreshCookie(reply: FastifyReply, token: string, expiresAt: Date, secure: boolean): void {
  void reply.header(
    'set-cookie',
    serialize(REFRESH_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: REFRESH_COOKIE_PATH, expires: expiresAt }),
  );
}

export function clearRefreshCookie(reply: FastifyReply, secure: boolean): void {
  void reply.header(
    'set-cookie',
    serialize(REFRESH_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure, path: REFRESH_COOKIE_PATH, expires: new Date(0) }),
  );
}
