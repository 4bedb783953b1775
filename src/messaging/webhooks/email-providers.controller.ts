import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../auth/auth.decorators';
import type { ProviderPost } from '../providers/provider.types';
import { RecordProviderWebhookUseCase } from '../usecases/record-provider-webhook.usecase';
import type { ProviderWebhookResult } from '../usecases/record-provider-webhook.usecase';

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
  @HttpCode(200)
  @ApiOperation({ summary: 'SendGrid Event Webhook (signed): delivered, bounce, dropped, spamreport.' })
  sendgridEventWebhook(@Param('tenantKey') key: string, @Req() req: FastifyRequest): Promise<ProviderWebhookResult> {
    return this.providerWebhook.execute('sendgrid-events', key, postOf(req));
  }

  @Post('sendgrid/inbound/:secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'SendGrid Inbound Parse (multipart/form-data; parsed fields or the raw MIME message). The firm secret is the last path segment.' })
  sendgridInboundParse(@Param('tenantKey') key: string, @Param('secret') secret: string, @Req() req: FastifyRequest): Promise<ProviderWebhookResult> {
    return this.providerWebhook.execute('sendgrid-inbound', key, postOf(req, secret));
  }

  @Post('ses/:secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'Amazon SES notifications through an SNS HTTPS subscription (signature verified; the subscription is confirmed). The firm secret is the last path segment.' })
  sesNotifications(@Param('tenantKey') key: string, @Param('secret') secret: string, @Req() req: FastifyRequest): Promise<ProviderWebhookResult> {
    return this.providerWebhook.execute('ses', key, postOf(req, secret));
  }

  @Post('postmark')
  @HttpCode(200)
  @ApiOperation({ summary: 'Postmark bounce, spam complaint, delivery and inbound webhooks (HTTP basic auth: the password is the firm secret).' })
  postmarkWebhook(@Param('tenantKey') key: string, @Req() req: FastifyRequest): Promise<ProviderWebhookResult> {
    return this.providerWebhook.execute('postmark', key, postOf(req));
  }
}
