import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import {
  CreatedWebhookSubscriptionView,
  CreateWebhookSubscriptionDto,
  UpdateWebhookSubscriptionDto,
  WebhookDeliveriesArgs,
  WebhookDeliveryPageGql,
  WebhookDeliveryView,
  WebhookSubscriptionView,
} from './dto/webhook.dto';
import { deliveryView } from './webhook-subscriptions.controller';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';

@Resolver(() => WebhookSubscriptionView)
export class WebhookSubscriptionsResolver {
  constructor(private readonly service: WebhookSubscriptionsService) {}

  @Query(() => [WebhookSubscriptionView])
  @RequireScopes('webhooks:read')
  async webhookSubscriptions(@CurrentPrincipal() p: Principal): Promise<WebhookSubscriptionView[]> {
    return (await this.service.list(p.tenantId)).map(WebhookSubscriptionView.of);
  }

  @Query(() => WebhookSubscriptionView)
  @RequireScopes('webhooks:read')
  async webhookSubscription(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<WebhookSubscriptionView> {
    return WebhookSubscriptionView.of(await this.service.get(p.tenantId, id));
  }

  @Query(() => WebhookDeliveryPageGql, { description: 'The delivery log of one subscription, newest first.' })
  @RequireScopes('webhooks:read')
  async webhookDeliveries(@CurrentPrincipal() p: Principal, @Args() args: WebhookDeliveriesArgs): Promise<WebhookDeliveryPageGql> {
    const page = await this.service.deliveries(p.tenantId, args.subscriptionId, { limit: args.first, cursor: args.after });
    return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
  }

  @Mutation(() => CreatedWebhookSubscriptionView, { description: 'The signing secret is in the answer, once.' })
  @RequireScopes('webhooks:write')
  async createWebhookSubscription(@CurrentPrincipal() p: Principal, @Args('input') input: CreateWebhookSubscriptionDto): Promise<CreatedWebhookSubscriptionView> {
    const { subscription, secret } = await this.service.create(p.tenantId, p.kind === 'user' ? p.userId : null, input);
    return { subscription: WebhookSubscriptionView.of(subscription), secret };
  }

  @Mutation(() => WebhookSubscriptionView)
  @RequireScopes('webhooks:write')
  async updateWebhookSubscription(
    @CurrentPrincipal() p: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateWebhookSubscriptionDto,
  ): Promise<WebhookSubscriptionView> {
    return WebhookSubscriptionView.of(await this.service.update(p.tenantId, id, input));
  }

  @Mutation(() => Boolean)
  @RequireScopes('webhooks:write')
  async deleteWebhookSubscription(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    await this.service.remove(p.tenantId, id);
    return true;
  }

  @Mutation(() => WebhookDeliveryView, { description: 'Queue a webhook.test event for this subscription.' })
  @RequireScopes('webhooks:write')
  async sendTestWebhook(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<WebhookDeliveryView> {
    return deliveryView(await this.service.sendTest(p.tenantId, id));
  }

  @Mutation(() => WebhookDeliveryView, { description: 'Send a delivery again now, with a fresh retry budget.' })
  @RequireScopes('webhooks:write')
  async redeliverWebhook(@CurrentPrincipal() p: Principal, @Args('deliveryId', { type: () => ID }) deliveryId: string): Promise<WebhookDeliveryView> {
    return deliveryView(await this.service.redeliver(p.tenantId, deliveryId));
  }
}
