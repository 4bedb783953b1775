import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { LeasedWorkLoop } from '../common/leased-work-loop';
import type { LoopSettings, PassStats } from '../common/leased-work-loop';
import { decryptSecret } from '../common/crypto';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { TenantDb } from '../database/tenant-db.service';
import { asTenantId, TenantId } from '../database/tenant-id';
import { DomainEventBus } from '../events/domain-event-bus';
import { isWebhookEventType } from '../events/outbox';
import { MAX_DELIVERY_ATTEMPTS, webhookRetryDelayMs } from './backoff';
import { signWebhook } from './signature';
import { postWebhook, PostResult } from './webhook-sender';
import { allowedRanges } from './url-guard';

export const WEBHOOK_API_VERSION = '2026-11-01';

export type DeliveryOutcome = 'delivered' | 'retry' | 'dead' | 'failed' | 'lost' | 'error';

export type DeliveryStats = PassStats<DeliveryOutcome>;

interface Prepared {
  url: string;
  secret: string;
  body: string;
  eventId: string;
}

const INTERVAL_NAME = 'webhook-delivery-worker';

/**
 * Sends webhook deliveries. The same mechanics as the follow-up dispatcher:
 *   1. recover_expired_webhook_leases(now): 'sending' rows of a dead worker → 'pending'
 *   2. claim_due_webhook_deliveries(now, batch, perTenant, lease, worker) → COMMIT
 *   3. per row, outside any transaction: load + sign (short tx), POST (no tx), record (short tx,
 *      guarded by status = 'sending' AND claimed_by = me AND attempts = n, so a late answer of an
 *      attempt whose lease was recovered records nothing).
 * At-least-once: a crash after the POST and before the record re-sends after the lease expires;
 * receivers dedupe by the event id. A claimed attempt is POSTed at most once by this process.
 */
@Injectable()
export class WebhookDeliveryWorker extends LeasedWorkLoop<DeliveryOutcome> implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly workerId = `${hostname()}:${process.pid}:wh:${randomUUID().slice(0, 8)}`;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly db: TenantDb,
    private readonly clock: Clock,
    scheduler: SchedulerRegistry,
    private readonly bus: DomainEventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(INTERVAL_NAME, scheduler, new Logger(WebhookDeliveryWorker.name));
  }

  protected settings(): LoopSettings {
    const d = this.config.dispatch;
    return { enabled: this.config.scheduler, tickMs: d.tickMs, batchSize: d.batchSize, concurrency: d.concurrency, poolSize: this.config.databasePoolSize };
  }

  onApplicationBootstrap(): void {
    if (!this.startLoop()) return;
    // A committed catalog event may have queued deliveries: look soon rather than at the next tick.
    this.unsubscribe = this.bus.subscribeAll((e) => {
      if (isWebhookEventType(e.type)) this.wake();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.stopLoop(this.config.webhooks.timeoutMs + 1000);
    await this.dataSource
      .query('SELECT release_webhook_leases($1, $2)', [this.workerId, this.clock.now()])
      .catch((err: unknown) => this.logger.warn({ err }, 'could not release webhook leases'));
  }

  /** One pass: recover expired leases, claim one batch, send it. */
  protected async pass(): Promise<DeliveryStats> {
    const now = this.clock.now();
    const { batchSize, perTenantBatch } = this.config.dispatch;
    const recovered = (await this.dataSource.query('SELECT * FROM recover_expired_webhook_leases($1, $2)', [now, batchSize])) as unknown[];
    const claimed = (await this.dataSource.query('SELECT * FROM claim_due_webhook_deliveries($1, $2, $3, $4::interval, $5)', [
      now,
      batchSize,
      perTenantBatch,
      `${this.config.webhooks.leaseSeconds} seconds`,
      this.workerId,
    ])) as { tenant_id: string; id: string; attempts: number }[];
    const outcomes = await this.lanes(
      claimed,
      (row) => this.deliver(asTenantId(row.tenant_id), row.id, row.attempts),
      (row, err) => {
        // The row keeps its lease; recovery makes it pending again when the lease expires.
        this.logger.error({ err, deliveryId: row.id, tenantId: row.tenant_id }, 'webhook delivery failed unexpectedly');
        return 'error';
      },
    );
    return { recovered: recovered.length, claimed: claimed.length, outcomes };
  }

  /** Sends one claimed delivery (attempt number `attempt`) and records the outcome. */
  async deliver(tenantId: TenantId, deliveryId: string, attempt: number): Promise<DeliveryOutcome> {
    const prepared = await this.prepare(tenantId, deliveryId, attempt);
    if (!prepared) return 'lost';
    const timestamp = Math.floor(this.clock.now().getTime() / 1000).toString();
    const result = await postWebhook({
      url: prepared.url,
      body: prepared.body,
      timeoutMs: this.config.webhooks.timeoutMs,
      production: this.config.isProduction,
      allowed: allowedRanges(this.config),
      headers: {
        'content-type': 'application/json',
        'user-agent': `Touchpoint-Webhooks/${WEBHOOK_API_VERSION}`,
        'touchpoint-event-id': prepared.eventId,
        'touchpoint-timestamp': timestamp,
        'touchpoint-signature': signWebhook(prepared.secret, timestamp, prepared.body),
      },
    });
    return this.record(tenantId, deliveryId, attempt, result);
  }

  private prepare(tenantId: TenantId, deliveryId: string, attempt: number): Promise<Prepared | undefined> {
    return this.db.tx(tenantId, async (tx) => {
      const [row] = await tx.query<{ url: string; secret_encrypted: string; event_id: string; type: string; payload: Record<string, unknown>; occurred_at: Date }>(
        `SELECT s.url, s.secret_encrypted, e.id AS event_id, e.type, e.payload, e.occurred_at
         FROM webhook_deliveries d
         JOIN webhook_subscriptions s ON s.tenant_id = d.tenant_id AND s.id = d.subscription_id
         JOIN outbox_events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
         WHERE d.tenant_id = $1 AND d.id = $2 AND d.status = 'sending' AND d.claimed_by = $3 AND d.attempts = $4`,
        [tx.tenantId, deliveryId, this.workerId, attempt],
      );
      if (!row) return undefined;
      const envelope = { id: row.event_id, type: row.type, occurredAt: new Date(row.occurred_at).toISOString(), apiVersion: WEBHOOK_API_VERSION, data: row.payload };
      return { url: row.url, secret: decryptSecret(this.config.encryptionKeyring, row.secret_encrypted), body: JSON.stringify(envelope), eventId: row.event_id };
    });
  }

  private record(tenantId: TenantId, deliveryId: string, attempt: number, result: PostResult): Promise<DeliveryOutcome> {
    const now = this.clock.now();
    const statusCode = result.kind === 'answered' ? result.statusCode : null;
    const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const error = result.kind === 'answered' ? (ok ? null : `HTTP ${result.statusCode}`) : result.error;
    let outcome: DeliveryOutcome;
    if (ok) outcome = 'delivered';
    else if (result.kind === 'blocked') outcome = 'failed';
    else if (attempt >= MAX_DELIVERY_ATTEMPTS) outcome = 'dead';
    else outcome = 'retry';
    const status = outcome === 'retry' ? 'pending' : outcome;
    const nextAttemptAt = outcome === 'retry' ? new Date(now.getTime() + webhookRetryDelayMs(attempt)) : now;
    return this.db.tx(tenantId, async (tx) => {
      const updated = await tx.query<{ subscription_id: string }>(
        // Wrapped in a CTE so the driver returns plain rows (TypeORM answers a bare UPDATE … RETURNING
        // with [rows, count]).
        `WITH u AS (
         UPDATE webhook_deliveries
         SET status = $5, next_attempt_at = $6, lease_until = NULL, claimed_by = NULL,
             last_status_code = $7, last_latency_ms = $8, last_error = $9,
             delivered_at = CASE WHEN $5 = 'delivered' THEN $10::timestamptz ELSE delivered_at END, updated_at = $10
         WHERE tenant_id = $1 AND id = $2 AND status = 'sending' AND claimed_by = $3 AND attempts = $4
         RETURNING subscription_id)
         SELECT subscription_id FROM u`,
        [tx.tenantId, deliveryId, this.workerId, attempt, status, nextAttemptAt, statusCode, result.latencyMs, error, now],
      );
      // Our lease was recovered and the row moved on: this answer is no longer ours to record.
      const sub = updated[0];
      if (!sub) return 'lost';
      await tx.query(
        `INSERT INTO webhook_delivery_attempts (tenant_id, delivery_id, attempt, status_code, latency_ms, error, at)
         VALUES ($1, $2, (SELECT coalesce(max(attempt), 0) + 1 FROM webhook_delivery_attempts WHERE tenant_id = $1 AND delivery_id = $2), $3, $4, $5, $6)`,
        [tx.tenantId, deliveryId, statusCode, result.latencyMs, error, now],
      );
      if (outcome === 'dead') {
        await tx.query(
          `UPDATE webhook_subscriptions SET status = 'failing', failing_since = coalesce(failing_since, $3), updated_at = $3
           WHERE tenant_id = $1 AND id = $2 AND status = 'active'`,
          [tx.tenantId, sub.subscription_id, now],
        );
      } else if (outcome === 'delivered') {
        await tx.query(
          `UPDATE webhook_subscriptions SET status = 'active', failing_since = NULL, updated_at = $3
           WHERE tenant_id = $1 AND id = $2 AND status = 'failing'`,
          [tx.tenantId, sub.subscription_id, now],
        );
      }
      return outcome;
    });
  }
}
