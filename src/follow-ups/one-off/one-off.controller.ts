import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { actorOf } from '../../auth/principal';
import { Idempotent } from '../../common/idempotency/idempotency.interceptor';
import { OneOffMessageView, SendMessageDto } from './one-off.dto';
import { SendOneOffUseCase } from './send-one-off.usecase';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('v1/messages')
export class OneOffController {
  constructor(private readonly sendOneOff: SendOneOffUseCase) {}

  @Post()
  @HttpCode(202)
  @Idempotent()
  @RequireScopes('messages:write')
  @ApiOperation({
    summary: 'Send a one-off message to a candidate or contact. The channel is matched unless named; consent, the sending window and the dispatcher apply as for a follow-up. A blocked send is refused with the reason (422).',
  })
  @ApiAcceptedResponse({ type: OneOffMessageView })
  async send(@CurrentPrincipal() p: Principal, @Body() dto: SendMessageDto): Promise<OneOffMessageView> {
    return Object.assign(new OneOffMessageView(), await this.sendOneOff.execute(p.tenantId, dto, actorOf(p)));
  }
}
