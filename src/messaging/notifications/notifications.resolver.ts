import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { actorOf, requireUser } from '../../auth/principal';
import { NotificationSettingsService } from './notification-settings.service';
import { NotificationSettingsDto, NotificationSettingsView } from './notifications.dto';

@Resolver(() => NotificationSettingsView)
export class NotificationsResolver {
  constructor(private readonly settings: NotificationSettingsService) {}

  @Query(() => NotificationSettingsView, { description: "The firm's notification settings." })
  @RequireScopes('settings:read')
  notificationSettings(@CurrentPrincipal() p: Principal): Promise<NotificationSettingsView> {
    return this.settings.forTenant(p.tenantId);
  }

  @Mutation(() => NotificationSettingsView, { description: 'Reply notification emails on or off for the whole firm (admins).' })
  @RequireScopes('settings:write')
  updateNotificationSettings(@CurrentPrincipal() p: Principal, @Args('input') input: NotificationSettingsDto): Promise<NotificationSettingsView> {
    return this.settings.updateTenant(p.tenantId, input.replyEmails, actorOf(p));
  }

  @Query(() => NotificationSettingsView, { description: 'Your own notification settings (users only).' })
  @RequireScopes('me:read')
  myNotificationSettings(@CurrentPrincipal() p: Principal): Promise<NotificationSettingsView> {
    return this.settings.forUser(p.tenantId, requireUser(p));
  }

  @Mutation(() => NotificationSettingsView, { description: 'Your own reply notification emails on or off (users only).' })
  @RequireScopes('me:read')
  updateMyNotificationSettings(@CurrentPrincipal() p: Principal, @Args('input') input: NotificationSettingsDto): Promise<NotificationSettingsView> {
    return this.settings.updateUser(p.tenantId, requireUser(p), input.replyEmails);
  }
}
