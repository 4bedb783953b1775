import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhookDeliveriesController, WebhookSubscriptionsController } from './webhook-subscriptions.controller';
import { WebhookSubscriptionsResolver } from './webhook-subscriptions.resolver';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';

/**
 * Signed webhooks out: subscriptions (REST + GraphQL), the delivery worker and its log. Events
 * reach it only through the outbox that TenantTx writes (src/events/outbox.ts); it reads no other
 * module's tables.
 */
@Module({
  imports: [ScheduleModule.forRoot()],
  controllers: [WebhookSubscriptionsController, WebhookDeliveriesController],
  providers: [WebhookDeliveryWorker, WebhookSubscriptionsService, WebhookSubscriptionsResolver],
  exports: [WebhookDeliveryWorker],
})
export class WebhooksModule {}
