import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Clock } from '../clock';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';

/** A completed key is kept this long; after that the same key may be used again. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/** An in-progress claim older than this belongs to a crashed request and may be taken over. */
export const IDEMPOTENCY_LEASE_MS = 5 * 60 * 1000;

export interface IdempotentRequest {
  key: string;
  method: string;
  path: string;
  /** sha256 of the canonical JSON body. */
  hash: string;
}

export type ClaimResult =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'mismatch'; reason: string }
  | { kind: 'in_progress' };

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * The idempotency_keys table. Each method is its own short transaction: the claim commits
 * before the handler runs, so a concurrent duplicate sees it at once.
 */
@Injectable()
export class IdempotencyStore {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
  ) {}

  /**
   * Claims the key, or tells why not. One statement decides the race:
   *   INSERT INTO idempotency_keys (...) VALUES (...)
   *   ON CONFLICT (tenant_id, key) DO UPDATE SET ...   -- take over only an expired or abandoned row
   *   WHERE (state = 'completed' AND created_at < $expired) OR (state = 'in_progress' AND created_at < $stale)
   *   RETURNING key
   * No row back means someone else holds the key; we then read it to replay or refuse.
   */
  async claim(tenantId: TenantId, r: IdempotentRequest): Promise<ClaimResult> {
    const now = this.clock.now();
    const expired = new Date(now.getTime() - IDEMPOTENCY_TTL_MS);
    const stale = new Date(now.getTime() - IDEMPOTENCY_LEASE_MS);
    return this.db.tx(tenantId, async (tx) => {
      const won = await tx.query(
        `INSERT INTO idempotency_keys (tenant_id, key, request_method, request_path, request_hash, state, created_at)
         VALUES ($1, $2, $3, $4, $5, 'in_progress', $6)
         ON CONFLICT (tenant_id, key) DO UPDATE
           SET request_method = EXCLUDED.request_method, request_path = EXCLUDED.request_path,
               request_hash = EXCLUDED.request_hash, state = 'in_progress', created_at = EXCLUDED.created_at,
               response_status = NULL, response_body = NULL, completed_at = NULL
           WHERE (idempotency_keys.state = 'completed' AND idempotency_keys.created_at < $7)
              OR (idempotency_keys.state = 'in_progress' AND idempotency_keys.created_at < $8)
         RETURNING key`,
        [tenantId, r.key, r.method, r.path, r.hash, now, expired, stale],
      );
      if (won.length > 0) return { kind: 'claimed' } as const;
      const [row] = await tx.query<{
        request_method: string;
        request_path: string;
        request_hash: string;
        state: string;
        response_status: number | null;
        response_body: unknown;
      }>(
        `SELECT request_method, request_path, request_hash, state, response_status, response_body
         FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`,
        [tenantId, r.key],
      );
      if (!row) return { kind: 'in_progress' } as const;
      if (row.request_method !== r.method || row.request_path !== r.path) {
        return { kind: 'mismatch', reason: `it was first used for ${row.request_method} ${row.request_path}` } as const;
      }
      if (row.request_hash !== r.hash) return { kind: 'mismatch', reason: 'it was first used with a different body' } as const;
      if (row.state !== 'completed' || row.response_status === null) return { kind: 'in_progress' } as const;
      return { kind: 'replay', status: row.response_status, body: row.response_body } as const;
    });
  }

  /** Stores the first answer, to be replayed to every later request with the same key and body. */
  async complete(tenantId: TenantId, key: string, status: number, body: unknown): Promise<void> {
    await this.db.tx(tenantId, (tx) =>
      tx.query(
        `UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_body = $4::jsonb, completed_at = $5
         WHERE tenant_id = $1 AND key = $2 AND state = 'in_progress'`,
        [tenantId, key, status, JSON.stringify(body ?? null), this.clock.now()],
      ),
    );
  }

  /** The request failed: nothing was written, so the key is freed for a corrected retry. */
  async release(tenantId: TenantId, key: string): Promise<void> {
    await this.db.tx(tenantId, (tx) =>
      tx.query(`DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND state = 'in_progress'`, [tenantId, key]),
    );
  }
}
