import DataLoader from 'dataloader';

const registry = new WeakMap<object, Map<string, DataLoader<string, unknown>>>();

/**
 * One DataLoader per GraphQL request (keyed by the request's context object) and per `name`.
 * Field resolvers of a page share it, so N parents cost one batched query, not N.
 *
 * Use one name per field (not one shared "contactById" for every level): each field's loads
 * then come from a single wave of parents and make exactly one batch. A loader shared by
 * fields at different depths would batch per wave, and how the waves interleave depends on
 * which database answer arrives first, which makes the query count vary from run to run.
 */
export function loaderFor<V>(context: object, name: string, batch: (keys: readonly string[]) => Promise<V[]>): DataLoader<string, V> {
  let loaders = registry.get(context);
  if (!loaders) {
    loaders = new Map();
    registry.set(context, loaders);
  }
  let loader = loaders.get(name) as DataLoader<string, V> | undefined;
  if (!loader) {
    loader = new DataLoader<string, V>(batch, { maxBatchSize: 1000 });
    loaders.set(name, loader as DataLoader<string, unknown>);
  }
  return loader;
}

/** Groups rows by a key, in the order of `keys` (what a DataLoader batch must return). */
export function groupBy<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): T[][] {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = keyOf(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return keys.map((k) => map.get(k) ?? []);
}

export function indexBy<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): (T | null)[] {
  const map = new Map(rows.map((r) => [keyOf(r), r] as const));
  return keys.map((k) => map.get(k) ?? null);
}
