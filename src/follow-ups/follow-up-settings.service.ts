import { Injectable } from '@nestjs/common';
import { AppException } from '../common/app.exception';
import type { TenantId } from '../database/tenant-id';
import { TenancyService } from '../tenancy/tenancy.service';
import { validatePolicyPatch } from './rules/policy';
import type { FollowUpPolicy } from './rules/policy';
import { validateWindowConfig } from './domain/windows';
import type { WindowConfig } from './domain/windows';
import { MAX_SMS_DAILY_CAP, mergeOverrides, readFollowUpSettings } from './tenant-settings';

type Actor = { kind: 'user' | 'api_key'; id: string };

export interface SendingSettings {
  windows: WindowConfig;
  smsDailyCap: number;
}

/**
 * The tenant's follow-up policy and sending settings. Changes are validated whole before
 * anything is stored: an invalid duration, an unknown rule or a template with an unknown
 * variable is a 400 naming the field, and nothing changes.
 */
@Injectable()
export class FollowUpSettingsService {
  constructor(private readonly tenancy: TenancyService) {}

  async policy(tenantId: TenantId): Promise<FollowUpPolicy> {
    return readFollowUpSettings((await this.tenancy.get(tenantId)).settings).policy;
  }

  async updatePolicy(tenantId: TenantId, patch: unknown, actor: Actor): Promise<FollowUpPolicy> {
    const tenant = await this.tenancy.updateSettings(
      tenantId,
      (current) => {
        const overrides = mergeOverrides(current.followUpPolicy ?? {}, patch) ?? {};
        const result = validatePolicyPatch(overrides);
        if (!result.ok) throw AppException.validation(result.errors.map((e) => ({ field: e.field || 'policy', message: e.message })));
        return { ...current, followUpPolicy: overrides };
      },
      actor,
    );
    return readFollowUpSettings(tenant.settings).policy;
  }

  async sending(tenantId: TenantId): Promise<SendingSettings> {
    const s = readFollowUpSettings((await this.tenancy.get(tenantId)).settings);
    return { windows: s.windows, smsDailyCap: s.smsDailyCap };
  }

  async updateSending(tenantId: TenantId, patch: { windows?: unknown; smsDailyCap?: number }, actor: Actor): Promise<SendingSettings> {
    const tenant = await this.tenancy.updateSettings(
      tenantId,
      (current) => {
        const next = { ...current };
        if (patch.windows !== undefined) {
          const merged = mergeOverrides(current.windows ?? {}, patch.windows) ?? {};
          const result = validateWindowConfig(merged);
          if (!result.ok) throw AppException.validation(result.errors.map((e) => ({ field: `windows${e.field ? `.${e.field}` : ''}`, message: e.message })));
          next.windows = merged;
        }
        if (patch.smsDailyCap !== undefined) {
          if (!Number.isInteger(patch.smsDailyCap) || patch.smsDailyCap < 0 || patch.smsDailyCap > MAX_SMS_DAILY_CAP) {
            throw AppException.validation([{ field: 'smsDailyCap', message: `must be a whole number from 0 to ${MAX_SMS_DAILY_CAP}` }]);
          }
          next.smsDailyCap = patch.smsDailyCap;
        }
        return next;
      },
      actor,
    );
    const s = readFollowUpSettings(tenant.settings);
    return { windows: s.windows, smsDailyCap: s.smsDailyCap };
  }
}
