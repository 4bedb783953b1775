import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { actorOf, requireUser } from '../../auth/principal';
import { NotificationSettingsService } from './notification-settings.service';
import { NotificationSettingsDto, NotificationSettingsView } from './notifications.dto';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('v1')
export class NotificationsController {
  constructor(private readonly settings: NotificationSettingsService) {}

  @Get('settings/notifications')
  @RequireScopes('settings:read')
  @ApiOperation({ summary: "The firm's notification settings: reply emails to the owning recruiter (on by default)." })
  tenant(@CurrentPrincipal() p: Principal): Promise<NotificationSettingsView> {
    return this.settings.forTenant(p.tenantId);
  }

  @Put('settings/notifications')
  @RequireScopes('settings:write')
  @ApiOperation({ summary: 'Turn reply notification emails on or off for the whole firm (admins).' })
  updateTenant(@CurrentPrincipal() p: Principal, @Body() dto: NotificationSettingsDto): Promise<NotificationSettingsView> {
    return this.settings.updateTenant(p.tenantId, dto.replyEmails, actorOf(p));
  }

  @Get('me/notifications')
  @RequireScopes('me:read')
  @ApiOperation({ summary: 'Your own notification settings (users only).' })
  mine(@CurrentPrincipal() p: Principal): Promise<NotificationSettingsView> {
    return this.settings.forUser(p.tenantId, requireUser(p));
  }

  @Put('me/notifications')
  @RequireScopes('me:read')
  @ApiOperation({ summary: 'Turn your own reply notification emails on or off (users only).' })
  updateMine(@CurrentPrincipal() p: Principal, @Body() dto: NotificationSettingsDto): Promise<NotificationSettingsView> {
    return this.settings.updateUser(p.tenantId, requireUser(p), dto.replyEmails);
  }
}
