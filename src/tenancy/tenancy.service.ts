import { Injectable } from '@nestjs/common';
import { AppException } from '../common/app.exception';
import { TenantDb } from '../database/tenant-db.service';
import type { TenantId } from '../database/tenant-id';
import { TenantEntity } from './tenant.entity';

@Injectable()
export class TenancyService {
  constructor(private readonly db: TenantDb) {}

  async get(tenantId: TenantId): Promise<TenantEntity> {
    const tenant = await this.db.tx(tenantId, (tx) =>
      tx.memo('tenant', () => tx.manager.getRepository(TenantEntity).findOne({ where: { id: tenantId } })),
    );
    if (!tenant) throw AppException.notFound('Tenant');
    return tenant;
  }

  /**
   * Changes the tenant's settings JSON. `change` gets the current settings and returns the new
   * ones (or throws to refuse); the row is locked for the read-modify-write.
   */
  async updateSettings(
    tenantId: TenantId,
    change: (current: Record<string, unknown>) => Record<string, unknown>,
    actor?: { kind: 'user' | 'api_key'; id: string },
  ): Promise<TenantEntity> {
    return this.db.tx(tenantId, async (tx) => {
      const repo = tx.manager.getRepository(TenantEntity);
      const tenant = await repo.findOne({ where: { id: tenantId }, lock: { mode: 'pessimistic_write' } });
      if (!tenant) throw AppException.notFound('Tenant');
      const settings = change({ ...(tenant.settings ?? {}) });
      await tx.query('UPDATE tenants SET settings = $2::jsonb, updated_at = now() WHERE id = $1', [tenantId, JSON.stringify(settings)]);
      tx.emit('settings.changed', { keys: Object.keys(settings) }, actor);
      return { ...tenant, settings };
    });
  }
}
