import type { TenantTx } from '../database/tenant-db.service';
import { AppException, ErrorCode } from '../common/app.exception';
import { sha256Hex } from '../common/crypto';

/**
 * Suppressions: what stays of an erased person. Only hashes: SHA-256 over the tenant id and the
 * normalised value (email lower-cased and trimmed; phone in E.164), so the table cannot be read
 * back, nor compared across tenants. Every create, update and upsert of a candidate or contact
 * checks it, so an erased person never comes back by import and is never contacted again.
 */
export const SUPPRESSION_KINDS = ['email', 'phone'] as const;
export type SuppressionKind = (typeof SUPPRESSION_KINDS)[number];

export function normaliseForSuppression(kind: SuppressionKind, value: string): string {
  return kind === 'email' ? value.trim().toLowerCase() : value.replace(/[^\d+]/g, '');
}

export function suppressionHash(tenantId: string, kind: SuppressionKind, value: string): string {
  return sha256Hex(`${tenantId}:${kind}:${normaliseForSuppression(kind, value)}`);
}

/** Adds the person's email and phone (those present) to the tenant's suppressions. */
export async function suppress(tx: TenantTx, values: { email?: string | null; phone?: string | null }, at: Date): Promise<SuppressionKind[]> {
  const added: SuppressionKind[] = [];
  for (const kind of ['email', 'phone'] as const) {
    const value = values[kind];
    if (!value) continue;
    await tx.query(
      `INSERT INTO suppressions (tenant_id, kind, value_hash, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT ON CONSTRAINT suppressions_value_key DO NOTHING`,
      [tx.tenantId, kind, suppressionHash(tx.tenantId, kind, value), at],
    );
    added.push(kind);
  }
  return added;
}

/** 409 naming the field when an email or phone belongs to an erased person of this tenant. */
export async function assertNotSuppressed(tx: TenantTx, values: { email?: string | null; phone?: string | null }): Promise<void> {
  const checks = (['email', 'phone'] as const).filter((k) => typeof values[k] === 'string' && values[k] !== '');
  if (checks.length === 0) return;
  const rows = await tx.query<{ kind: SuppressionKind }>(
    `SELECT kind FROM suppressions WHERE tenant_id = $1 AND (kind, value_hash) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
    [tx.tenantId, checks, checks.map((k) => suppressionHash(tx.tenantId, k, values[k] as string))],
  );
  if (rows.length === 0) return;
  const fields = checks.filter((k) => rows.some((r) => r.kind === k));
  throw new AppException(ErrorCode.Conflict, `This ${fields.join(' and ')} belonged to a person who was erased at their request; they cannot be added again`, {
    errors: fields.map((field) => ({ field, message: 'belongs to an erased person' })),
  });
}
