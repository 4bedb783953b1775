import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../auth/auth.decorators';
import type { ProviderPost } from '../providers/provider.types';
import { RecordProviderWebhookUseCase } from '../usecases/record-provider-webhook.usecase';
import type { ProviderWebhookResult } from '../usecases/record-provider-webhook.usecase';
import { ReadsRawBody } from '../../common/bodyless';

/** The request as an adapter reads it: headers, the parsed body, its exact bytes (JSON), the URL secret. */
function postOf(req: FastifyRequest, urlSecret?: string): ProviderPost {
  return { headers: req.headers, body: req.body, rawBody: (req as FastifyRequest & { rawBody?: Buffer }).rawBody, urlSecret };
}

/** Mail providers' webhooks (docs/email.md): each authenticated the way its provider documents. */
@ApiTags('webhooks')
@Public()
@Controller('v1/webhooks/email/:tenantKey')
export class EmailProvidersController {
  constructor(private readonly providerWebhook: RecordProviderWebhookUseCase) {}

  @Post('sendgrid/events')
  @ReadsRawBody()
  @ApiConsumes('application/json')
  @ApiBody({ description: "SendGrid's Event Webhook post, as SendGrid sends it: a JSON array of events.", schema: { type: 'array', items: { type: 'object' } } })
  @HttpCode(200)
  @ApiOperation({ summary: 'SendGrid Event Webhook (signed): delivered, bounce, dropped, spamreport.' })
  sendgridEventWebhook(@Param('tenantKey') key: string, @Req() req: FastifyRequest): Promise<ProviderWebhookResult> {
    return this.providerWebhook.execute('sendgrid-events', key, postOf(req));
  }

  @Post('sendgrid/inbound/:secret')
  @ReadsRawBody()
  @ApiConsumes('multipart/form-data')
  @ApiBody({ description: 'SendGrid Inbound Parse post, as SendGrid sends it (parsed fields, or `email` with the raw MIME message).', schema: { type: 'object' } })
  @HttpCode(200)
  @ApiOperation({ summary: 'SendGrid Inbound Parse (multipart/form-data; parsed fields or the raw MIME message). The firm secret is the last path segment.' })
  sendgridInboundParse(@Param('tenantKey') key: string, @Param('secret') secret: string, @Req() req: FastifyRequest): Promise<ProviderWebhookResult> {
    return this.providerWebhook.execute('sendgrid-inbound', key, postOf(req, secret));
  }

  @Post('ses/:secret')
  @ReadsRawBody()
  @ApiConsumes('text/plain', 'application/json')
  @ApiBody({ description: 'An Amazon SNS message (Notification or SubscriptionConfirmation), as SNS posts it.', schema: { type: 'object' } })
  @HttpCode(200)
  @ApiOperation({ summary: 'Amazon SES notifications through an SNS HTTPS subscription (signature verified; the subscription is confirmed). The firm secret is the last path segment.' })
  sesNotifications(@Param('tenantKey') key: string, @Param('secret') secret: string, @Req() req: FastifyRequest): Promise<ProviderWebhookResult> {
    return this.providerWebhook.execute('ses', key, postOf(req, secret));
  }

  @Post('postmark')
  @ReadsRawBody()
  @ApiConsumes('application/json')
  @ApiBody({ description: "A Postmark webhook post (Bounce, SpamComplaint, Delivery, or an inbound message), as Postmark sends it.", schema: { type: 'object' } })
  @HttpCode(200)
  @ApiOperation({ summary: 'Postmark bounce, spam complaint, delivery and inbound webhooks (HTTP basic auth: the password is the firm secret).' })
  postmarkWebhook(@Param('tenantKey') key: string, @Req() req: FastifyRequest): Promise<ProviderWebhookResult> {
    return this.providerWebhook.execute('postmark', key, postOf(req));
  }
}
