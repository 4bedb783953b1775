import { Client } from 'pg';

export interface StatementCounter {
  /** Statements since the previous take, with their texts when that previous take asked to record them. */
  take(record: boolean): { count: number; texts: string[] };
  /** Every statement since the counter started, by its first 70 characters (white space folded). */
  byStatement(): Record<string, number>;
}

/**
 * Counts every statement this process sends to PostgreSQL (BENCH_COUNT_QUERIES=1 only): pg.Client's
 * query is what TypeORM's QueryRunner, the DataSource and pg.Pool all end in, BEGIN and COMMIT
 * included. Texts are kept only between a take(true) and the next take, so a load run does not
 * pile them up; the per-statement totals are bounded by the number of distinct statement texts.
 */
export function countStatements(): StatementCounter {
  let count = 0;
  let texts: string[] | undefined;
  let totals = new Map<string, number>();
  const fold = (): Map<string, number> => {
    const folded = new Map<string, number>();
    for (const [text, n] of totals) {
      const key = text.replace(/\s+/g, ' ').trim().slice(0, 70);
      folded.set(key, (folded.get(key) ?? 0) + n);
    }
    return folded;
  };
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function counted(this: unknown, ...args: unknown[]): unknown {
    const q = args[0];
    const text = typeof q === 'string' ? q : String((q as { text?: unknown } | null)?.text ?? '?');
    count += 1;
    texts?.push(text);
    // Folded into its key only when asked (byStatement): a load run pays a map lookup per statement.
    totals.set(text, (totals.get(text) ?? 0) + 1);
    if (totals.size > 10_000) totals = fold();
    return original.apply(this, args);
  };
  return {
    take(record) {
      const out = { count, texts: texts ?? [] };
      count = 0;
      texts = record ? [] : undefined;
      return out;
    },
    byStatement: () => Object.fromEntries(fold()),
  };
}
