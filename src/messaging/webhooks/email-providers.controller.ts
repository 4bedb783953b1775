import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../auth/auth.decorators';
import { AppException, ErrorCode } from '../../common/app.exception';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { EmailDeliverabilityService } from '../deliverability/email-deliverability.service';
import { PostmarkAdapter } from '../providers/postmark.adapter';
import type { EmailProviderAdapter, ProviderPost } from '../providers/provider.types';
import { SendgridEventsAdapter, SendgridInboundAdapter } from '../providers/sendgrid.adapter';
import { confirmSnsSubscription, SesAdapter } from '../providers/ses.adapter';
import { SendersService } from '../senders/senders.service';
import { RecordInboundEmailUseCase } from '../usecases/record-inbound-email.usecase';

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
 * Mail providers' webhooks, each through its adapter (messaging/providers), one flow for all:
 *   the firm by its webhook key (404) → the provider's own authentication (401 missing, 403 wrong)
 *   → the firm active (403) → the payload understood in full (400 naming the problem, nothing
 *   written) → delivery events recorded (deliverability) and inbound emails recorded (replies,
 *   or bounces when a DSN) → 200. Replays are idempotent: each event and email is recorded once.
 */
@ApiTags('webhooks')
@Public()
@Controller('v1/webhooks/email/:tenantKey')
export class EmailProvidersController {
  private readonly sendgridEvents = new SendgridEventsAdapter();
  private readonly sendgridInbound = new SendgridInboundAdapter();
  private readonly ses: SesAdapter;
  private readonly postmark = new PostmarkAdapter();

  constructor(
    private readonly senders: SendersService,
    private readonly deliverability: EmailDeliverabilityService,
    private readonly inboundEmail: RecordInboundEmailUseCase,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ses = new SesAdapter(config.email.snsUrlPattern);
  }

  @Post('sendgrid/events')
  @HttpCode(200)
  @ApiOperation({ summary: 'SendGrid Event Webhook (signed): delivered, bounce, dropped, spamreport.' })
  sendgridEventWebhook(@Param('tenantKey') key: string, @Req() req: FastifyRequest): Promise<ProviderWebhookResult> {
    return this.run(this.sendgridEvents, key, req, undefined);
  }

  @Post('sendgrid/inbound/:secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'SendGrid Inbound Parse (multipart/form-data; parsed fields or the raw MIME message). The firm secret is the last path segment.' })
  sendgridInboundParse(@Param('tenantKey') key: string, @Param('secret') secret: string, @Req() req: FastifyRequest): Promise<ProviderWebhookResult> {
    return this.run(this.sendgridInbound, key, req, secret);
  }

  @Post('ses/:secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'Amazon SES notifications through an SNS HTTPS subscription (signature verified; the subscription is confirmed). The firm secret is the last path segment.' })
  sesNotifications(@Param('tenantKey') key: string, @Param('secret') secret: string, @Req() req: FastifyRequest): Promise<ProviderWebhookResult> {
    return this.run(this.ses, key, req, secret);
  }

  @Post('postmark')
  @HttpCode(200)
  @ApiOperation({ summary: 'Postmark bounce, spam complaint, delivery and inbound webhooks (HTTP basic auth: the password is the firm secret).' })
  postmarkWebhook(@Param('tenantKey') key: string, @Req() req: FastifyRequest): Promise<ProviderWebhookResult> {
    return this.run(this.postmark, key, req, undefined);
  }

  private async run(adapter: EmailProviderAdapter, key: string, req: FastifyRequest, urlSecret: string | undefined): Promise<ProviderWebhookResult> {
    const tenant = await this.senders.webhookTenant(key);
    if (!tenant) throw AppException.notFound('Webhook');
    const post: ProviderPost = { headers: req.headers, body: req.body, rawBody: (req as FastifyRequest & { rawBody?: Buffer }).rawBody, urlSecret };
    await adapter.authenticate(post, tenant);
    if (!tenant.active) throw new AppException(ErrorCode.Forbidden, "This firm's account is suspended");
    const result = await adapter.parse(post);
    if (result.subscribeUrl) {
      await confirmSnsSubscription(result.subscribeUrl);
      return { recorded: 0, duplicates: 0, inbound: 0, confirmed: true };
    }
    const recorded = result.events.length > 0 ? await this.deliverability.recordMany(tenant.tenantId, result.events) : [];
    let inbound = 0;
    for (const mail of result.inbound) {
      const { raw, ...fields } = mail;
      const r = raw !== undefined
        ? await this.inboundEmail.executeMime(tenant.tenantId, raw, fields)
        : await this.inboundEmail.execute({ tenantId: tenant.tenantId, ...fields, from: fields.from ?? '', messageId: fields.messageId ?? '' });
      if (!r.duplicate) inbound++;
    }
    return { recorded: recorded.filter((r) => r.recorded).length, duplicates: recorded.filter((r) => !r.recorded).length, inbound };
  }
}
