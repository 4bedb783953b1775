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
      tx.manager.getRepository(TenantEntity).findOne({ where: { id: tenantId } }),
    );
    if (!tenant) throw AppException.notFound('Tenant');
    return tenant;
  }
}
