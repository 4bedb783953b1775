/** Recognises specific PostgreSQL errors; everything else stays a 500. */
export function pgCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

export function pgConstraint(err: unknown): string | undefined {
  const e = err as { constraint?: unknown; driverError?: { constraint?: unknown } };
  const c = e?.driverError?.constraint ?? e?.constraint;
  return typeof c === 'string' ? c : undefined;
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  return pgCode(err) === '23505' && (constraint === undefined || pgConstraint(err) === constraint);
}

export function isForeignKeyViolation(err: unknown, constraint?: string): boolean {
  return pgCode(err) === '23503' && (constraint === undefined || pgConstraint(err) === constraint);
}

/** SQLSTATEs that say the database cannot serve now, not that the request is wrong. */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is stopping and ended this session
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
]);

/** Socket errors on the way to the database (node-postgres passes them through as they are). */
const UNAVAILABLE_NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** node-postgres and pg-pool report a lost or impossible connection with these messages and no code. */
const UNAVAILABLE_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable)/;

/**
 * The database is unreachable or going away (a restart, a failover, an exhausted server): the
 * request may succeed if retried shortly, so it is a 503, not a 500. Looks through TypeORM's
 * QueryFailedError (driverError) and Node's AggregateError (one error per address tried).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen: unknown[] = [err];
  for (let i = 0; i < seen.length && i < 8; i += 1) {
    const e = seen[i] as { code?: unknown; message?: unknown; driverError?: unknown; errors?: unknown } | null;
    if (typeof e !== 'object' || e === null) continue;
    if (typeof e.code === 'string' && (/^08[0-9A-Z]{3}$/.test(e.code) || UNAVAILABLE_SQLSTATES.has(e.code) || UNAVAILABLE_NET_CODES.has(e.code))) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
    if (e.driverError) seen.push(e.driverError);
    if (Array.isArray(e.errors)) seen.push(...(e.errors as unknown[]));
  }
  return false;
}
