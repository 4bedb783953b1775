import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import {
  CreatedWebhookSubscriptionView,
  CreateWebhookSubscriptionDto,
  ListDeliveriesQueryDto,
  UpdateWebhookSubscriptionDto,
  WebhookDeliveryPageView,
  WebhookDeliveryView,
  WebhookSubscriptionView,
} from './dto/webhook.dto';
import { DeliveryWithLog, WebhookSubscriptionsService } from './webhook-subscriptions.service';

export const deliveryView = (d: DeliveryWithLog): WebhookDeliveryView => WebhookDeliveryView.of(d.delivery, d.eventType, d.log);

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhook-subscriptions')
export class WebhookSubscriptionsController {
  constructor(private readonly service: WebhookSubscriptionsService) {}

  @Post()
  @RequireScopes('webhooks:write')
  @ApiOperation({ summary: 'Subscribe a URL to events. The signing secret is generated and shown once.' })
  async create(@CurrentPrincipal() p: Principal, @Body() dto: CreateWebhookSubscriptionDto): Promise<CreatedWebhookSubscriptionView> {
    const { subscription, secret } = await this.service.create(p.tenantId, p.kind === 'user' ? p.userId : null, dto);
    return { subscription: WebhookSubscriptionView.of(subscription), secret };
  }

  @Get()
  @RequireScopes('webhooks:read')
  async list(@CurrentPrincipal() p: Principal): Promise<{ items: WebhookSubscriptionView[] }> {
    return { items: (await this.service.list(p.tenantId)).map(WebhookSubscriptionView.of) };
  }

  @Get(':id')
  @RequireScopes('webhooks:read')
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<WebhookSubscriptionView> {
    return WebhookSubscriptionView.of(await this.service.get(p.tenantId, id));
  }

  @Patch(':id')
  @RequireScopes('webhooks:write')
  @ApiOperation({ summary: 'Change the URL, event types or description; pause or resume.' })
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: UpdateWebhookSubscriptionDto): Promise<WebhookSubscriptionView> {
    return WebhookSubscriptionView.of(await this.service.update(p.tenantId, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('webhooks:write')
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.service.remove(p.tenantId, id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @RequireScopes('webhooks:write')
  @ApiOperation({ summary: 'Queue a webhook.test event for this subscription; returns its delivery.' })
  async test(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<WebhookDeliveryView> {
    return deliveryView(await this.service.sendTest(p.tenantId, id));
  }

  @Get(':id/deliveries')
  @RequireScopes('webhooks:read')
  @ApiOperation({ summary: 'The delivery log: deliveries newest first, each with every attempt (status code, latency, error).' })
  async deliveries(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query() q: ListDeliveriesQueryDto): Promise<WebhookDeliveryPageView> {
    const page = await this.service.deliveries(p.tenantId, id, { limit: q.limit, cursor: q.cursor });
    return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
  }
}

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhook-deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly service: WebhookSubscriptionsService) {}

  @Post(':id/redeliver')
  @HttpCode(202)
  @RequireScopes('webhooks:write')
  @ApiOperation({ summary: 'Send a delivery again now, with a fresh retry budget.' })
  async redeliver(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<WebhookDeliveryView> {
    return deliveryView(await this.service.redeliver(p.tenantId, id));
  }
}
