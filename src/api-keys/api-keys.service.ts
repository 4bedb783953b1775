import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { randomToken, sha256Hex } from '../common/crypto';
import { AuthDirectory } from '../auth/auth-directory';
import { isScope, Scope, ScopePreset, scopesOf } from '../auth/scopes';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import { asTenantId, isUuid, TenantId } from '../database/tenant-id';
import { ApiKeyEntity } from './api-key.entity';

export interface AuthenticatedKey {
  tenantId: TenantId;
  apiKeyId: string;
  scopes: Scope[];
  tenantStatus: string;
}

const LAST_USED_RESOLUTION_MS = 60_000;

async function assertLiveUser(tx: TenantTx, userId: string): Promise<void> {
  const rows = await tx.query(`SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`, [tx.tenantId, userId]);
  if (rows.length === 0) throw AppException.validation([{ field: 'defaultOwnerUserId', message: 'is not a user of this firm' }]);
}

/**
 * Who owns what an API key creates without an owner: its default owner, else the admin who made
 * it (while that user is not deleted). Read inside the writing transaction.
 */
export async function apiKeyOwner(tx: TenantTx, apiKeyId: string): Promise<string | null> {
  const rows = await tx.query<{ owner: string | null }>(
    `SELECT coalesce(k.default_owner_user_id, u.id) AS owner
     FROM api_keys k LEFT JOIN users u ON u.tenant_id = k.tenant_id AND u.id = k.created_by_user_id AND u.deleted_at IS NULL
     WHERE k.tenant_id = $1 AND k.id = $2`,
    [tx.tenantId, apiKeyId],
  );
  return rows[0]?.owner ?? null;
}

function requiredScopes(input: { scopes?: Scope[]; preset?: ScopePreset }): Scope[] {
  const scopes = scopesOf(input);
  if (scopes.length === 0) throw AppException.validation([{ field: 'scopes', message: 'give scopes, a preset (integration, read_only), or both' }]);
  return scopes;
}

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly db: TenantDb,
    private readonly directory: AuthDirectory,
    private readonly clock: Clock,
  ) {}

  /** Creates a key. The plaintext `tp_...` is returned once and only its hash is stored. */
  async create(
    tenantId: TenantId,
    createdByUserId: string,
    input: { name: string; scopes?: Scope[]; preset?: ScopePreset; expiresAt?: Date; defaultOwnerUserId?: string | null },
  ): Promise<{ key: ApiKeyEntity; secret: string }> {
    const scopes = requiredScopes(input);
    const secret = `tp_${randomToken(30)}`;
    if (input.expiresAt && input.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw AppException.validation([{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    const key = await this.db.tx(tenantId, async (tx) => {
      if (input.defaultOwnerUserId) await assertLiveUser(tx, input.defaultOwnerUserId);
      const row = await tx.repo(ApiKeyEntity).insert({
        name: input.name,
        prefix: secret.slice(0, 10),
        keyHash: sha256Hex(secret),
        scopes,
        createdByUserId,
        defaultOwnerUserId: input.defaultOwnerUserId ?? null,
        expiresAt: input.expiresAt ?? null,
      });
      tx.emit('api_key.created', { apiKeyId: row.id }, { kind: 'user', id: createdByUserId });
      return row;
    });
    return { key, secret };
  }

  list(tenantId: TenantId): Promise<ApiKeyEntity[]> {
    return this.db.tx(tenantId, (tx) => tx.repo(ApiKeyEntity).find({}, { createdAt: 'DESC', id: 'DESC' }, 200));
  }

  async get(tenantId: TenantId, id: string): Promise<ApiKeyEntity> {
    if (!isUuid(id)) throw AppException.notFound('API key');
    const key = await this.db.tx(tenantId, (tx) => tx.repo(ApiKeyEntity).findOne({ id }));
    if (!key) throw AppException.notFound('API key');
    return key;
  }

  /** Changes a key's name or scopes (its secret stays). A revoked key can't be changed. */
  async update(tenantId: TenantId, id: string, input: { name?: string; scopes?: Scope[]; preset?: ScopePreset; defaultOwnerUserId?: string | null }): Promise<ApiKeyEntity> {
    if (!isUuid(id)) throw AppException.notFound('API key');
    const scopes = input.scopes !== undefined || input.preset !== undefined ? requiredScopes(input) : undefined;
    return this.db.tx(tenantId, async (tx) => {
      const repo = tx.repo(ApiKeyEntity);
      const key = await repo.findOne({ id });
      if (!key) throw AppException.notFound('API key');
      if (key.revokedAt) throw new AppException(ErrorCode.Conflict, 'This API key is revoked; create a new one');
      const patch: Partial<ApiKeyEntity> = {};
      if (input.name !== undefined && input.name !== key.name) patch.name = input.name;
      if (input.defaultOwnerUserId !== undefined && input.defaultOwnerUserId !== key.defaultOwnerUserId) {
        if (input.defaultOwnerUserId) await assertLiveUser(tx, input.defaultOwnerUserId);
        patch.defaultOwnerUserId = input.defaultOwnerUserId;
      }
      if (scopes && (scopes.length !== key.scopes.length || scopes.some((s) => !key.scopes.includes(s)))) patch.scopes = scopes;
      if (Object.keys(patch).length === 0) return key;
      await repo.update({ id }, patch);
      return (await repo.findOne({ id }))!;
    });
  }

  async revoke(tenantId: TenantId, id: string): Promise<ApiKeyEntity> {
    if (!isUuid(id)) throw AppException.notFound('API key');
    return this.db.tx(tenantId, async (tx) => {
      const repo = tx.repo(ApiKeyEntity);
      const changed = await repo.update({ id, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
      const key = await repo.findOne({ id });
      if (!key) throw AppException.notFound('API key');
      if (changed > 0) tx.emit('api_key.revoked', { apiKeyId: id });
      return key;
    });
  }

  /** Resolves a presented key to its tenant and scopes; undefined when unknown, revoked or expired. */
  async authenticate(secret: string): Promise<AuthenticatedKey | undefined> {
    if (!/^tp_[A-Za-z0-9_-]{20,100}$/.test(secret)) return undefined;
    const record = await this.directory.findApiKey(sha256Hex(secret));
    const now = this.clock.now();
    if (!record || record.revoked_at || (record.expires_at && record.expires_at <= now)) return undefined;
    const tenantId = asTenantId(record.tenant_id);
    if (!record.last_used_at || now.getTime() - record.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.db.tx(tenantId, (tx) => tx.repo(ApiKeyEntity).update({ id: record.api_key_id }, { lastUsedAt: now }));
    }
    return {
      tenantId,
      apiKeyId: record.api_key_id,
      scopes: record.scopes.filter(isScope),
      tenantStatus: record.tenant_status,
    };
  }
}
