import { AddressCorrections } from './deliverability/address-corrections';
import { EmailProvidersController } from './webhooks/email-providers.controller';
import { RecordProviderWebhookUseCase } from './usecases/record-provider-webhook.usecase';
import { EmailDeliverabilityService } from './deliverability/email-deliverability.service';
import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { ConsentController } from './consent/consent.controller';
import { ConsentResolver } from './consent/consent.resolver';
import { ConsentService } from './consent/consent.service';
import { UnsubscribeService } from './consent/unsubscribe.service';
import { EMAIL_DRIVER, SMS_DRIVER } from './drivers/driver.types';
import type { EmailDriver, SmsDriver } from './drivers/driver.types';
import { LogEmailDriver } from './drivers/log-email.driver';
import { LogSmsDriver } from './drivers/log-sms.driver';
import { SmtpEmailDriver } from './drivers/smtp-email.driver';
import { TwilioSmsDriver } from './drivers/twilio-sms.driver';
import { EngagementService } from './engagement.service';
import { MessagesController } from './messages.controller';
import { MessagesResolver } from './messages.resolver';
import { ConversationsQuery } from './conversations.query';
import { MessagesService } from './messages.service';
import { LOG_SMS_DRIVER, OutboundMessengerService } from './outbound-messenger.service';
import { OUTBOUND_MESSENGER } from './outbound.types';
import { NotificationSettingsService } from './notifications/notification-settings.service';
import { NotificationsController } from './notifications/notifications.controller';
import { NotificationsResolver } from './notifications/notifications.resolver';
import { ReplyNotifier } from './notifications/reply-notifier.service';
import { AccountMailer } from './notifications/account-mailer';
import { SendersController } from './senders/senders.controller';
import { SendersResolver } from './senders/senders.resolver';
import { SendersService } from './senders/senders.service';
import { RecordInboundEmailUseCase } from './usecases/record-inbound-email.usecase';
import { RecordInboundSmsUseCase } from './usecases/record-inbound-sms.usecase';
import { RecordTwilioStatusUseCase } from './usecases/record-twilio-status.usecase';
import { EmailWebhookController } from './webhooks/email-webhook.controller';
import { TwilioWebhooksController } from './webhooks/twilio-webhooks.controller';
import { UnsubscribeController } from './webhooks/unsubscribe.controller';
import { InboundEmailSecretGuard, TwilioSignatureGuard } from './webhooks/webhook-guards';

/**
 * Messaging: drivers, the OutboundMessenger seam, inbound webhooks, consent, sender settings,
 * the message record.
 *   EMAIL_DRIVER: SmtpEmailDriver when SMTP_URL is set, else LogEmailDriver (simulated).
 *   SMS_DRIVER: TwilioSmsDriver (TWILIO_API_URL honoured), used whenever a Twilio account is
 *   resolvable (the tenant's or the platform's); LOG_SMS_DRIVER otherwise (simulated).
 */
@Module({
  controllers: [
    SendersController,
    ConsentController,
    MessagesController,
    TwilioWebhooksController,
    EmailWebhookController,
    UnsubscribeController,
    NotificationsController,
    EmailProvidersController,
  ],
  providers: [
    {
      provide: EMAIL_DRIVER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): EmailDriver => (config.smtp ? new SmtpEmailDriver({ url: config.smtp.url }) : new LogEmailDriver()),
    },
    {
      provide: SMS_DRIVER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): SmsDriver => new TwilioSmsDriver({ apiUrl: config.twilioApiUrl }),
    },
    { provide: LOG_SMS_DRIVER, useFactory: (): SmsDriver => new LogSmsDriver() },
    SendersService,
    AccountMailer,
    ConsentService,
    UnsubscribeService,
    EngagementService,
    MessagesService,
    ConversationsQuery,
    OutboundMessengerService,
    { provide: OUTBOUND_MESSENGER, useExisting: OutboundMessengerService },
    RecordInboundSmsUseCase,
    RecordTwilioStatusUseCase,
    RecordInboundEmailUseCase,
    EmailDeliverabilityService,
    RecordProviderWebhookUseCase,
    AddressCorrections,
    TwilioSignatureGuard,
    InboundEmailSecretGuard,
    SendersResolver,
    ConsentResolver,
    MessagesResolver,
    NotificationSettingsService,
    NotificationsResolver,
    ReplyNotifier,
  ],
  exports: [AccountMailer, OUTBOUND_MESSENGER, OutboundMessengerService, MessagesService, ConversationsQuery, ConsentService, EngagementService, SendersService, EMAIL_DRIVER],
})
export class MessagingModule {}
