import { Body, Controller, Header, HttpCode, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/auth.decorators';
import { twimlEmpty } from '../domain/twiml';
import { RecordInboundSmsUseCase } from '../usecases/record-inbound-sms.usecase';
import { RecordTwilioStatusUseCase } from '../usecases/record-twilio-status.usecase';
import { TwilioSignatureGuard, webhookTenantOf, type WebhookRequest } from './webhook-guards';

/** Twilio's Messaging webhook and status callbacks. Form-encoded in, TwiML out. */
@ApiTags('webhooks')
@Public()
@Controller('v1/webhooks/twilio/:tenantKey')
@UseGuards(TwilioSignatureGuard)
export class TwilioWebhooksController {
  constructor(
    private readonly inboundSms: RecordInboundSmsUseCase,
    private readonly status: RecordTwilioStatusUseCase,
  ) {}

  @Post('inbound')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  @ApiExcludeEndpoint()
  async inbound(@Req() req: WebhookRequest, @Body() body: Record<string, unknown>): Promise<string> {
    const result = await this.inboundSms.execute({ tenantId: webhookTenantOf(req).tenantId, params: body ?? {} });
    return result.twiml;
  }

  @Post('status')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  @ApiExcludeEndpoint()
  async statusCallback(
    @Req() req: WebhookRequest,
    @Body() body: Record<string, unknown>,
    @Query('messageId') messageId?: string,
  ): Promise<string> {
    await this.status.execute({ tenantId: webhookTenantOf(req).tenantId, params: body ?? {}, messageId: typeof messageId === 'string' ? messageId : undefined });
    return twimlEmpty();
  }
}
