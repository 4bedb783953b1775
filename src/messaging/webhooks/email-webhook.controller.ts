import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/auth.decorators';
import { EmailDeliverabilityService } from '../deliverability/email-deliverability.service';
import { EmailEventsDto, EmailEventsResultView } from '../dto/email-events.dto';
import { InboundEmailDto, InboundEmailResultView } from '../dto/inbound-email.dto';
import { RecordInboundEmailUseCase } from '../usecases/record-inbound-email.usecase';
import { InboundEmailSecretGuard, webhookTenantOf, type WebhookRequest } from './webhook-guards';

@ApiTags('webhooks')
@Public()
@Controller('v1/webhooks/email/:tenantKey')
export class EmailWebhookController {
  constructor(
    private readonly inboundEmail: RecordInboundEmailUseCase,
    private readonly deliverability: EmailDeliverabilityService,
  ) {}

  @Post('events')
  @HttpCode(200)
  @UseGuards(InboundEmailSecretGuard)
  @ApiOperation({ summary: "Delivery events (delivered, bounce, complaint) in Touchpoint's own JSON shape. Idempotent on each event's id." })
  @ApiHeader({ name: 'X-Touchpoint-Webhook-Secret', required: true, description: 'The secret set in /v1/settings/senders (inboundEmailSecret).' })
  async events(@Req() req: WebhookRequest, @Body() dto: EmailEventsDto): Promise<EmailEventsResultView> {
    const results = await this.deliverability.recordGeneric(webhookTenantOf(req).tenantId, dto.events);
    return { recorded: results.filter((r) => r.recorded).length, duplicates: results.filter((r) => !r.recorded).length };
  }

  @Post('inbound')
  @HttpCode(200)
  @UseGuards(InboundEmailSecretGuard)
  @ApiOperation({ summary: 'An inbound email reply (JSON), from your mail provider or forwarder. Idempotent on messageId.' })
  @ApiHeader({ name: 'X-Touchpoint-Webhook-Secret', required: true, description: 'The secret set in /v1/settings/senders (inboundEmailSecret).' })
  async inbound(@Req() req: WebhookRequest, @Body() dto: InboundEmailDto): Promise<InboundEmailResultView> {
    // A field sent as null is a field not sent.
    const posted = Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== null && v !== undefined)) as Parameters<RecordInboundEmailUseCase['executePosted']>[1];
    const result = await this.inboundEmail.executePosted(webhookTenantOf(req).tenantId, posted);
    return { messageId: result.messageId, duplicate: result.duplicate, matched: result.matched, ...(result.bounce ? { bounce: result.bounce } : {}) };
  }
}
