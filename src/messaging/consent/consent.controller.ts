import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { actorOf } from '../../auth/principal';
import { PersonConsentView, SetConsentDto } from '../dto/consent.dto';
import { ConsentService } from './consent.service';

@ApiTags('consent')
@ApiBearerAuth()
@Controller('v1')
export class ConsentController {
  constructor(private readonly consent: ConsentService) {}

  @Get('candidates/:id/consent')
  @RequireScopes('candidates:read')
  @ApiOperation({ summary: "A candidate's consent per channel, with its history." })
  async candidate(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<PersonConsentView> {
    return PersonConsentView.of(await this.consent.get(p.tenantId, { type: 'candidate', id }));
  }

  @Put('candidates/:id/consent')
  @RequireScopes('candidates:write')
  @ApiOperation({ summary: 'Set one channel. Opting in someone who opted out themselves (STOP, or the unsubscribe link) is a 409: only they can, by texting START or from the link.' })
  async setCandidate(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: SetConsentDto): Promise<PersonConsentView> {
    return PersonConsentView.of(await this.consent.set(p.tenantId, { type: 'candidate', id }, dto.channel, dto.status, actorOf(p)));
  }

  @Get('contacts/:id/consent')
  @RequireScopes('contacts:read')
  @ApiOperation({ summary: "A contact's consent per channel, with its history." })
  async contact(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<PersonConsentView> {
    return PersonConsentView.of(await this.consent.get(p.tenantId, { type: 'contact', id }));
  }

  @Put('contacts/:id/consent')
  @RequireScopes('contacts:write')
  @ApiOperation({ summary: 'Set one channel. Opting in someone who opted out themselves (STOP, or the unsubscribe link) is a 409: only they can, by texting START or from the link.' })
  async setContact(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: SetConsentDto): Promise<PersonConsentView> {
    return PersonConsentView.of(await this.consent.set(p.tenantId, { type: 'contact', id }, dto.channel, dto.status, actorOf(p)));
  }
}
