import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/auth.decorators';
import { InboundEmailDto, InboundEmailResultView } from '../dto/inbound-email.dto';
import { RecordInboundEmailUseCase } from '../usecases/record-inbound-email.usecase';
import { InboundEmailSecretGuard, webhookTenantOf, type WebhookRequest } from './webhook-guards';

@ApiTags('webhooks')
@Public()
@Controller('v1/webhooks/email/:tenantKey')
export class EmailWebhookController {
  constructor(private readonly inboundEmail: RecordInboundEmailUseCase) {}

  @Post('inbound')
  @HttpCode(200)
  @UseGuards(InboundEmailSecretGuard)
  @ApiOperation({ summary: 'An inbound email reply (JSON), from your mail provider or forwarder. Idempotent on messageId.' })
  @ApiHeader({ name: 'X-Touchpoint-Webhook-Secret', required: true, description: 'The secret set in /v1/settings/senders (inboundEmailSecret).' })
  async inbound(@Req() req: WebhookRequest, @Body() dto: InboundEmailDto): Promise<InboundEmailResultView> {
    const result = await this.inboundEmail.execute({
      tenantId: webhookTenantOf(req).tenantId,
      from: dto.from,
      messageId: dto.messageId,
      to: dto.to ?? undefined,
      subject: dto.subject ?? undefined,
      text: dto.text ?? undefined,
      inReplyTo: dto.inReplyTo ?? undefined,
    });
    return { messageId: result.messageId, duplicate: result.duplicate, matched: result.matched };
  }
}
