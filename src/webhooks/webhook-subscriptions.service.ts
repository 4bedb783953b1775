import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { encryptSecret, randomToken } from '../common/crypto';
import { CursorPage, keysetPage } from '../common/keyset';
import { pageLimit } from '../common/pagination';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import { isUuid, TenantId } from '../database/tenant-id';
import { WEBHOOK_TEST_EVENT } from '../events/outbox';
import type { CreateWebhookSubscriptionDto, UpdateWebhookSubscriptionDto } from './dto/webhook.dto';
import { allowedRanges, assertSafeWebhookUrl, UnsafeWebhookUrlError } from './url-guard';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { OutboxEventEntity, WebhookDeliveryAttemptEntity, WebhookDeliveryEntity, WebhookSubscriptionEntity } from './webhook.entity';

export interface DeliveryWithLog {
  delivery: WebhookDeliveryEntity;
  eventType: string;
  log: WebhookDeliveryAttemptEntity[];
}

@Injectable()
export class WebhookSubscriptionsService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly worker: WebhookDeliveryWorker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Creates a subscription with a generated secret, returned once and stored encrypted. */
  async create(tenantId: TenantId, createdByUserId: string | null, input: CreateWebhookSubscriptionDto): Promise<{ subscription: WebhookSubscriptionEntity; secret: string }> {
    await this.assertUrl(input.url);
    const secret = `whsec_${randomToken(32)}`;
    const now = this.clock.now();
    const subscription = await this.db.tx(tenantId, (tx) =>
      tx.repo(WebhookSubscriptionEntity).insert({
        url: input.url,
        description: input.description ?? null,
        eventTypes: [...new Set(input.eventTypes)],
        secretEncrypted: encryptSecret(this.config.encryptionKeyring, secret),
        status: 'active',
        failingSince: null,
        createdByUserId,
        createdAt: now,
        updatedAt: now,
      }),
    );
    return { subscription, secret };
  }

  list(tenantId: TenantId): Promise<WebhookSubscriptionEntity[]> {
    return this.db.tx(tenantId, (tx) => tx.repo(WebhookSubscriptionEntity).find({}, { createdAt: 'DESC', id: 'DESC' }, 100));
  }

  get(tenantId: TenantId, id: string): Promise<WebhookSubscriptionEntity> {
    return this.db.tx(tenantId, (tx) => this.load(tx, id));
  }

  async update(tenantId: TenantId, id: string, patch: UpdateWebhookSubscriptionDto): Promise<WebhookSubscriptionEntity> {
    if (!isUuid(id)) throw AppException.notFound('Webhook subscription');
    if (patch.url !== undefined) await this.assertUrl(patch.url);
    return this.db.tx(tenantId, async (tx) => {
      const current = await this.load(tx, id);
      const changes: Partial<WebhookSubscriptionEntity> = { updatedAt: this.clock.now() };
      if (patch.url !== undefined) changes.url = patch.url;
      if (patch.eventTypes !== undefined) changes.eventTypes = [...new Set(patch.eventTypes)];
      if (patch.description !== undefined) changes.description = patch.description;
      if (patch.status !== undefined && patch.status !== current.status) {
        changes.status = patch.status;
        changes.failingSince = null;
      }
      await tx.repo(WebhookSubscriptionEntity).update({ id }, changes);
      return this.load(tx, id);
    });
  }

  async remove(tenantId: TenantId, id: string): Promise<void> {
    if (!isUuid(id)) throw AppException.notFound('Webhook subscription');
    await this.db.tx(tenantId, async (tx) => {
      await this.load(tx, id);
      // Deliveries and their log go with it (ON DELETE CASCADE); the outbox events stay.
      await tx.query(`DELETE FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
    });
  }

  /** Queues a `webhook.test` event for this subscription alone, sent by the worker like any other. */
  async sendTest(tenantId: TenantId, id: string): Promise<DeliveryWithLog> {
    const result = await this.db.tx(tenantId, async (tx) => {
      const sub = await this.load(tx, id);
      const now = this.clock.now();
      const event = await tx.repo(OutboxEventEntity).insert({
        id: randomUUID(),
        type: WEBHOOK_TEST_EVENT,
        payload: { subscriptionId: sub.id, message: 'A test event from Touchpoint. Answer 2xx to acknowledge it.' },
        occurredAt: now,
        createdAt: now,
      });
      const delivery = await tx.repo(WebhookDeliveryEntity).insert({
        subscriptionId: sub.id,
        eventId: event.id,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      });
      return { delivery, eventType: event.type, log: [] };
    });
    this.worker.wake();
    return result;
  }

  /**
   * The delivery log of one subscription, newest first, each delivery with its attempts.
   *   SELECT d.* FROM webhook_deliveries d WHERE d.tenant_id = $1 AND d.subscription_id = $2
   *     [AND (d.created_at, d.id) < ($k, $id)] ORDER BY d.created_at DESC, d.id DESC LIMIT $n + 1
   * Index: webhook_deliveries_subscription_idx.
   */
  async deliveries(tenantId: TenantId, subscriptionId: string, page: { limit?: number; cursor?: string }): Promise<CursorPage<DeliveryWithLog>> {
    return this.db.tx(tenantId, async (tx) => {
      await this.load(tx, subscriptionId);
      const qb = tx.manager
        .createQueryBuilder(WebhookDeliveryEntity, 'd')
        .where('d.tenant_id = :tenantId', { tenantId: tx.tenantId })
        .andWhere('d.subscription_id = :sid', { sid: subscriptionId });
      const rows = await keysetPage(qb, 'd', { sort: 'created_at', direction: 'DESC', limit: pageLimit(page.limit), cursor: page.cursor });
      const withLog = await this.attachLogs(tx, rows.items);
      return { items: withLog, cursors: rows.cursors, nextCursor: rows.nextCursor };
    });
  }

  /**
   * Sends a delivery again, now, with a fresh retry budget. Allowed once it has settled
   * (delivered, failed or dead) or while it waits for a retry; not while it is being sent.
   */
  async redeliver(tenantId: TenantId, deliveryId: string): Promise<DeliveryWithLog> {
    if (!isUuid(deliveryId)) throw AppException.notFound('Webhook delivery');
    const result = await this.db.tx(tenantId, async (tx) => {
      const repo = tx.repo(WebhookDeliveryEntity);
      const current = await repo.findOne({ id: deliveryId });
      if (!current) throw AppException.notFound('Webhook delivery');
      if (current.status === 'sending') throw new AppException(ErrorCode.Conflict, 'This delivery is being sent right now; try again in a moment');
      const now = this.clock.now();
      await tx.query(
        `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $3, lease_until = NULL, claimed_by = NULL, updated_at = $3
         WHERE tenant_id = $1 AND id = $2 AND status <> 'sending'`,
        [tx.tenantId, deliveryId, now],
      );
      const [withLog] = await this.attachLogs(tx, [(await repo.findOne({ id: deliveryId }))!]);
      return withLog!;
    });
    this.worker.wake();
    return result;
  }

  private async attachLogs(tx: TenantTx, deliveries: WebhookDeliveryEntity[]): Promise<DeliveryWithLog[]> {
    if (deliveries.length === 0) return [];
    const ids = deliveries.map((d) => d.id);
    const attempts = await tx.manager
      .createQueryBuilder(WebhookDeliveryAttemptEntity, 'a')
      .where('a.tenant_id = :tenantId', { tenantId: tx.tenantId })
      .andWhere('a.delivery_id = ANY(:ids)', { ids })
      .orderBy('a.attempt', 'ASC')
      .addOrderBy('a.at', 'ASC')
      .getMany();
    const types = await tx.query<{ id: string; type: string }>(`SELECT id, type FROM outbox_events WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [
      tx.tenantId,
      deliveries.map((d) => d.eventId),
    ]);
    const typeOf = new Map(types.map((t) => [t.id, t.type]));
    return deliveries.map((delivery) => ({
      delivery,
      eventType: typeOf.get(delivery.eventId) ?? 'unknown',
      log: attempts.filter((a) => a.deliveryId === delivery.id),
    }));
  }

  private async load(tx: TenantTx, id: string): Promise<WebhookSubscriptionEntity> {
    if (!isUuid(id)) throw AppException.notFound('Webhook subscription');
    const sub = await tx.repo(WebhookSubscriptionEntity).findOne({ id });
    if (!sub) throw AppException.notFound('Webhook subscription');
    return sub;
  }

  private async assertUrl(url: string): Promise<void> {
    try {
      await assertSafeWebhookUrl(url, this.config.isProduction, allowedRanges(this.config));
    } catch (err) {
      if (err instanceof UnsafeWebhookUrlError) throw AppException.validation([{ field: 'url', message: err.message }]);
      throw err;
    }
  }
}
