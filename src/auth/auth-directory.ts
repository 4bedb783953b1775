import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TenantId } from '../database/tenant-id';
import type { TenantStatus } from '../tenancy/tenant.entity';
import type { UserRole, UserStatus } from '../users/user.entity';

export interface LoginRecord {
  tenant_id: string;
  user_id: string;
  password_hash: string | null;
  role: UserRole;
  user_status: UserStatus;
  tenant_status: TenantStatus;
  tenant_name: string;
}

export interface ApiKeyRecord {
  tenant_id: string;
  api_key_id: string;
  scopes: string[];
  revoked_at: Date | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  tenant_status: TenantStatus;
}

export interface PrincipalStatus {
  role: UserRole;
  user_status: UserStatus;
  deleted: boolean;
  tenant_status: TenantStatus;
}

/**
 * The only reads that happen before a tenant is known. Each calls one narrow SECURITY DEFINER
 * function (see the foundation migration) that answers for exactly one email, key hash,
 * invite token or (tenant, user) pair. There is no blanket bypass of row-level security.
 */
@Injectable()
export class AuthDirectory {
  constructor(private readonly dataSource: DataSource) {}

  /** Every live user of this email, in any firm (at most 10, oldest first). */
  async findLogins(email: string): Promise<LoginRecord[]> {
    return (await this.dataSource.query('SELECT * FROM auth_login_lookup($1)', [email])) as LoginRecord[];
  }

  async findApiKey(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const rows = (await this.dataSource.query('SELECT * FROM auth_api_key_lookup($1)', [keyHash])) as ApiKeyRecord[];
    return rows[0];
  }

  async principalStatus(tenantId: TenantId, userId: string): Promise<PrincipalStatus | undefined> {
    const rows = (await this.dataSource.query('SELECT * FROM auth_principal_status($1, $2)', [
      tenantId,
      userId,
    ])) as PrincipalStatus[];
    return rows[0];
  }

  async findInvite(tokenHash: string): Promise<{ tenant_id: string; user_id: string; invite_expires_at: Date | null } | undefined> {
    const rows = (await this.dataSource.query('SELECT * FROM auth_invite_lookup($1)', [tokenHash])) as {
      tenant_id: string;
      user_id: string;
      invite_expires_at: Date | null;
    }[];
    return rows[0];
  }
}
