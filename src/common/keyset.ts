import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { decodeCursor, encodeCursor, Page } from './pagination';

/** A page whose every item also carries its own cursor (for Relay edges). */
export interface CursorPage<T> extends Page<T> {
  cursors: string[];
}

export type SortColumn = 'created_at' | 'updated_at';

/**
 * Keyset pagination over (sort column, id). The query it adds:
 *   ... AND (alias.col, alias.id) < ($k, $id)      -- DESC; '>' for ASC
 *   ORDER BY alias.col DESC, alias.id DESC LIMIT $limit + 1
 * Stable under concurrent inserts, and served by the (tenant_id, col, id) indexes.
 * Timestamps are written by the app with millisecond precision, so the ISO cursor is exact.
 */
export async function keysetPage<E extends ObjectLiteral & { id: string; createdAt: Date; updatedAt: Date }>(
  qb: SelectQueryBuilder<E>,
  alias: string,
  options: { sort: SortColumn; direction: 'ASC' | 'DESC'; limit: number; cursor?: string },
): Promise<CursorPage<E>> {
  const position = decodeCursor(options.cursor);
  const col = `${alias}.${options.sort}`;
  if (position) {
    const k = new Date(position.k);
    if (Number.isNaN(k.getTime())) decodeCursor('!'); // throws the standard bad-cursor 400
    const op = options.direction === 'DESC' ? '<' : '>';
    qb.andWhere(`(${col}, ${alias}.id) ${op} (:cursorK::timestamptz, :cursorId::uuid)`, { cursorK: k, cursorId: position.id });
  }
  qb.orderBy(col, options.direction).addOrderBy(`${alias}.id`, options.direction).limit(options.limit + 1);
  const rows = await qb.getMany();
  const items = rows.slice(0, options.limit);
  const cursorOf = (e: E): string =>
    encodeCursor({ k: (options.sort === 'created_at' ? e.createdAt : e.updatedAt).toISOString(), id: e.id });
  const cursors = items.map(cursorOf);
  return { items, cursors, nextCursor: rows.length > options.limit ? (cursors[cursors.length - 1] ?? null) : null };
}

/** `q` as an ILIKE pattern that matches the text literally (% and _ escaped). */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
