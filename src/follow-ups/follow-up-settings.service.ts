import { Inject, Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '../common/app.exception';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { SendersService } from '../messaging/senders/senders.service';
import type { ResolvedSenders } from '../messaging/senders/senders.service';
import { effectiveSmsDailyCap } from './dispatch/sms-pacer';
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
  /** The firm's own cap. */
  smsDailyCap: number;
  /** The sender the firm's texts go through now. */
  smsSender: ResolvedSenders['smsSender'];
  /** The operator's cap for firms on the platform sender (SMS_PLATFORM_DAILY_CAP); null on the firm's own account. */
  platformSmsDailyCap: number | null;
  /** The cap that applies: min(smsDailyCap, platformSmsDailyCap) on the platform sender, else smsDailyCap. */
  effectiveSmsDailyCap: number;
  /** Why no text goes now although a sender exists (the platform's sender waits for the verified signup email); null: none. */
  smsUnavailableReason: string | null;
}

/**
 * The tenant's follow-up policy and sending settings. Changes are validated whole before
 * anything is stored: an invalid duration, an unknown rule or a template with an unknown
 * variable is a 400 naming the field, and nothing changes.
 */
@Injectable()
export class FollowUpSettingsService {
  constructor(
    private readonly tenancy: TenancyService,
    private readonly senders: SendersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
    return this.view(s.windows, s.smsDailyCap, await this.senders.smsSenderOf(tenantId));
  }

  async updateSending(tenantId: TenantId, patch: { windows?: unknown; smsDailyCap?: number }, actor: Actor): Promise<SendingSettings> {
    const sender = await this.senders.smsSenderOf(tenantId);
    const platformCap = this.config.sms.platformDailyCap;
    // The operator pays for the platform's sender: its cap is not the firm's to raise.
    if (sender.smsSender === 'platform' && patch.smsDailyCap !== undefined && Number.isInteger(patch.smsDailyCap) && patch.smsDailyCap > platformCap) {
      throw new AppException(
        ErrorCode.Conflict,
        `Firms texting through the platform's Twilio sender may send at most ${platformCap} SMS a day; connect your own Twilio account (PUT /v1/settings/senders) to raise the cap`,
        { errors: [{ field: 'smsDailyCap', message: `must be at most ${platformCap} on the platform's sender` }] },
      );
    }
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
    return this.view(s.windows, s.smsDailyCap, sender);
  }

  private view(windows: WindowConfig, smsDailyCap: number, sender: Pick<ResolvedSenders, 'smsSender' | 'smsUnavailableReason'>): SendingSettings {
    const platform = sender.smsSender === 'platform';
    return {
      windows,
      smsDailyCap,
      smsSender: sender.smsSender,
      platformSmsDailyCap: platform ? this.config.sms.platformDailyCap : null,
      effectiveSmsDailyCap: effectiveSmsDailyCap(smsDailyCap, platform, this.config),
      smsUnavailableReason: sender.smsUnavailableReason,
    };
  }
}
