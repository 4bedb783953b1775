import { Inject, Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/app.exception';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { EmailDeliverabilityService } from '../deliverability/email-deliverability.service';
import { PostmarkAdapter } from '../providers/postmark.adapter';
import type { EmailProviderAdapter, ProviderPost } from '../providers/provider.types';
import { SendgridEventsAdapter, SendgridInboundAdapter } from '../providers/sendgrid.adapter';
import { confirmSnsSubscription, SesAdapter } from '../providers/ses.adapter';
import { SendersService } from '../senders/senders.service';
import { RecordInboundEmailUseCase } from './record-inbound-email.usecase';

export type EmailProviderName = EmailProviderAdapter['name'];

export interface ProviderWebhookResult {
  /** Delivery events recorded now; replays are not counted. */
  recorded: number;
  /** Delivery events recorded before (a provider's retry or a replay): nothing changed. */
  duplicates: number;
  /** Inbound emails recorded now (replies, or bounces when one was a DSN). */
  inbound: number;
  /** An SNS subscription was confirmed. */
  confirmed?: boolean;
}

/**
 * A mail provider's webhook post, through its adapter (messaging/providers), one flow for all:
 *   the provider's credentials present (401) → the firm by its webhook key and the credentials
 *   checked the way the provider documents (403 for a wrong one and an unknown key alike)
 *   → the firm active (403) → the payload understood in full (400 naming the problem, nothing
 *   written) → delivery events recorded (deliverability) and inbound emails recorded (replies,
 *   or bounces when a DSN) → the counts. Replays are idempotent: each event and email is recorded once.
 */
@Injectable()
export class RecordProviderWebhookUseCase {
  private readonly adapters: ReadonlyMap<EmailProviderName, EmailProviderAdapter>;

  constructor(
    private readonly senders: SendersService,
    private readonly deliverability: EmailDeliverabilityService,
    private readonly inboundEmail: RecordInboundEmailUseCase,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const all: EmailProviderAdapter[] = [new SendgridEventsAdapter(), new SendgridInboundAdapter(), new SesAdapter(config.email.snsUrlPattern), new PostmarkAdapter()];
    this.adapters = new Map(all.map((a) => [a.name, a]));
  }

  async execute(provider: EmailProviderName, webhookKey: string, post: ProviderPost): Promise<ProviderWebhookResult> {
    const adapter = this.adapters.get(provider)!;
    adapter.requireCredentials(post);
    // An unknown key answers like wrong credentials: whether a key exists is not told to a stranger.
    const tenant = await this.senders.webhookTenant(webhookKey);
    if (!tenant) throw new AppException(ErrorCode.Forbidden, 'Invalid credentials for this webhook');
    await adapter.authenticate(post, tenant);
    if (!tenant.active) throw new AppException(ErrorCode.Forbidden, "This firm's account is suspended");
    const result = await adapter.parse(post);
    if (result.subscribeUrl) {
      await confirmSnsSubscription(result.subscribeUrl);
      return { recorded: 0, duplicates: 0, inbound: 0, confirmed: true };
    }
    const recorded = result.events.length > 0 ? await this.deliverability.recordMany(tenant.tenantId, result.events) : [];
    let inbound = 0;
    for (const { raw, ...fields } of result.inbound) {
      // A provider's parsed fields complete what its raw headers lack (SendGrid Inbound Parse sends both).
      const r =
        raw !== undefined
          ? await this.inboundEmail.executeMime(tenant.tenantId, raw, fields)
          : await this.inboundEmail.execute({ ...fields, tenantId: tenant.tenantId, from: fields.from ?? '', messageId: fields.messageId ?? '' });
      if (!r.duplicate) inbound++;
    }
    return { recorded: recorded.filter((r) => r.recorded).length, duplicates: recorded.filter((r) => !r.recorded).length, inbound };
  }
}
