import { Injectable } from '@nestjs/common';
import { AppException } from '../common/app.exception';
import { TenantDb } from '../database/tenant-db.service';
import type { TenantId } from '../database/tenant-id';
import type { AuditEntryView, AuditQueryDto } from './audit.dto';

interface AuditRow {
  id: string;
  at: Date;
  actor_kind: string;
  actor_id: string;
  table_name: string;
  row_id: string | null;
  action: string;
  changes: Record<string, { before: unknown; after: unknown }>;
}

function encode(row: AuditRow): string {
  return Buffer.from(JSON.stringify({ at: row.at.toISOString(), id: row.id })).toString('base64url');
}

function decode(cursor: string): { at: Date; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    const at = new Date(String(v.at));
    if (typeof v.id === 'string' && /^\d{1,19}$/.test(v.id) && !Number.isNaN(at.getTime())) return { at, id: v.id };
  } catch {
    // fall through
  }
  throw AppException.validation([{ field: 'cursor', message: 'is not a cursor returned by this API' }]);
}

/**
 * Reads the audit log (written by database triggers; see the audit-log migration).
 *
 *   SELECT … FROM audit_log WHERE tenant_id = $1 [AND filters] [AND (at, id) < ($at, $id)]
 *   ORDER BY at DESC, id DESC LIMIT $limit + 1             -- audit_log_list_idx
 */
@Injectable()
export class AuditService {
  constructor(private readonly db: TenantDb) {}

  async list(tenantId: TenantId, q: AuditQueryDto): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
    const limit = q.limit ?? 50;
    const conds = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    const add = (sql: string, ...values: unknown[]): void => {
      let out = sql;
      for (const v of values) {
        params.push(v);
        out = out.replace('?', `$${params.length}`);
      }
      conds.push(out);
    };
    if (q.actorKind) add('actor_kind = ?', q.actorKind);
    if (q.actorId) add('actor_id = ?', q.actorId);
    if (q.table) add('table_name = ?', q.table);
    if (q.rowId) add('row_id = ?', q.rowId);
    if (q.since) add('at >= ?', q.since);
    if (q.until) add('at < ?', q.until);
    if (q.cursor) {
      const c = decode(q.cursor);
      add('(at, id) < (?, ?::bigint)', c.at, c.id);
    }
    params.push(limit + 1);
    const rows = await this.db.tx(tenantId, (tx) =>
      tx.query<AuditRow>(
        `SELECT id::text AS id, at, actor_kind, actor_id, table_name, row_id, action, changes
         FROM audit_log WHERE ${conds.join(' AND ')} ORDER BY at DESC, id DESC LIMIT $${params.length}`,
        params,
      ),
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        at: r.at,
        actorKind: r.actor_kind,
        actorId: r.actor_id,
        table: r.table_name,
        rowId: r.row_id,
        action: r.action,
        changes: r.changes,
      })),
      nextCursor: rows.length > limit && page.length > 0 ? encode(page[page.length - 1]!) : null,
    };
  }
}
