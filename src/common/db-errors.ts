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
