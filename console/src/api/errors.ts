/** An error from the API, with the fields it names (REST problem+json `errors`, GraphQL `extensions.errors`). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly fields: Readonly<Record<string, string>> = {},
    /** The rest of the problem+json body (e.g. the `firms` of an ambiguous sign-in). */
    readonly body: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message for one field, or undefined. */
  field(name: string): string | undefined {
    return this.fields[name];
  }
}

export function fieldsOf(errors: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(errors)) return out;
  for (const e of errors) {
    if (e && typeof e === 'object' && 'field' in e && 'message' in e) {
      const field = String((e as { field: unknown }).field);
      out[field] ??= String((e as { message: unknown }).message);
    }
  }
  return out;
}

/** A person-readable sentence for any thrown value. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
