import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { actorOf } from '../../auth/principal';
import { SenderSettingsView, UpdateSenderSettingsDto } from './sender-settings.dto';
import { SendersService } from './senders.service';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('v1/settings/senders')
export class SendersController {
  constructor(private readonly senders: SendersService) {}

  @Get()
  @RequireScopes('settings:read')
  @ApiOperation({ summary: "The firm's sender identities and webhook URLs. The Twilio auth token is never returned." })
  get(@CurrentPrincipal() p: Principal): Promise<SenderSettingsView> {
    return this.senders.get(p.tenantId);
  }

  @Put()
  @RequireScopes('settings:write')
  @ApiOperation({ summary: 'Change sender identities (admin). Absent fields are kept; null clears.' })
  update(@CurrentPrincipal() p: Principal, @Body() dto: UpdateSenderSettingsDto): Promise<SenderSettingsView> {
    return this.senders.update(p.tenantId, dto, actorOf(p));
  }
}
