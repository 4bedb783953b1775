import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';

/**
 * Prometheus metrics: HTTP latency, and on each scrape the follow-ups by status and rule,
 * the dispatcher lag (age of the oldest due, unsent follow-up) and messages by channel and
 * status over the last day. One registry per app instance (tests boot several).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'touchpoint_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly followUps = new Gauge({
    name: 'touchpoint_follow_ups',
    help: 'Follow-ups by status and rule (pending ones, plus those changed in the last day)',
    labelNames: ['status', 'rule'],
    registers: [this.registry],
  });
  private readonly lag = new Gauge({
    name: 'touchpoint_dispatch_lag_seconds',
    help: 'Age of the oldest follow-up that is due and not yet sent',
    registers: [this.registry],
  });
  private readonly messages = new Gauge({
    name: 'touchpoint_messages',
    help: 'Messages created in the last day by channel and status',
    labelNames: ['channel', 'status'],
    registers: [this.registry],
  });

  /** Incremented by the reaction runner on every failed attempt (this process). */
  readonly reactionFailures = new Counter({
    name: 'touchpoint_reaction_failures_total',
    help: 'Failed attempts of reactions to changes (planning follow-ups, …) in this process; each failure is kept and retried',
    labelNames: ['reaction', 'event_type'],
    registers: [this.registry],
  });
  private readonly reactions = new Gauge({
    name: 'touchpoint_reactions',
    help: 'Reactions to changes (planning follow-ups, …) that failed and are not done yet, across tenants: failing (retried with backoff), dead (given up; an admin can retry)',
    labelNames: ['state', 'reaction'],
    registers: [this.registry],
  });
  private readonly reactionLag = new Gauge({
    name: 'touchpoint_reaction_lag_seconds',
    help: 'Age of the change behind the oldest failing reaction',
    registers: [this.registry],
  });

  /** Analytics (issue 15): labelled by tenant only with METRICS_PER_TENANT=on; otherwise summed across tenants. */
  private readonly settled24h: Gauge;
  private readonly inbound24h: Gauge;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'touchpoint_' });
    const tenant = config.metrics.perTenant ? ['tenant'] : [];
    this.settled24h = new Gauge({
      name: 'touchpoint_follow_ups_settled_24h',
      help: 'Follow-up messages settled in the last day (sent, failed, unknown, skipped, cancelled) by status',
      labelNames: [...tenant, 'status'],
      registers: [this.registry],
    });
    this.inbound24h = new Gauge({
      name: 'touchpoint_inbound_messages_24h',
      help: 'Inbound messages (replies) received in the last day by channel',
      labelNames: [...tenant, 'channel'],
      registers: [this.registry],
    });
  }

  async render(): Promise<string> {
    const rows = (await this.dataSource.query('SELECT * FROM metrics_snapshot($1)', [this.clock.now()])) as {
      metric: string;
      label1: string;
      label2: string;
      value: number;
    }[];
    this.followUps.reset();
    this.messages.reset();
    this.lag.set(0);
    for (const r of rows) {
      if (r.metric === 'follow_ups') this.followUps.set({ status: r.label1, rule: r.label2 }, r.value);
      else if (r.metric === 'messages') this.messages.set({ channel: r.label1, status: r.label2 }, r.value);
      else if (r.metric === 'dispatch_lag_seconds') this.lag.set(r.value);
    }
    const reactions = (await this.dataSource.query('SELECT * FROM reaction_metrics($1)', [this.clock.now()])) as { state: string; reaction: string; value: number }[];
    this.reactions.reset();
    this.reactionLag.set(0);
    for (const r of reactions) {
      if (r.state === 'oldest_pending_seconds') this.reactionLag.set(r.value);
      else this.reactions.set({ state: r.state, reaction: r.reaction }, r.value);
    }
    await this.renderAnalytics();
    return this.registry.metrics();
  }

  private async renderAnalytics(): Promise<void> {
    const rows = (await this.dataSource.query('SELECT * FROM analytics_metrics($1)', [this.clock.now()])) as { tenant_id: string; metric: string; label: string; value: number }[];
    this.settled24h.reset();
    this.inbound24h.reset();
    const perTenant = this.config.metrics.perTenant;
    for (const r of rows) {
      const gauge = r.metric === 'follow_ups_settled_24h' ? this.settled24h : r.metric === 'inbound_messages_24h' ? this.inbound24h : undefined;
      if (!gauge) continue;
      const labels: Record<string, string> = r.metric === 'follow_ups_settled_24h' ? { status: r.label } : { channel: r.label };
      if (perTenant) gauge.set({ tenant: r.tenant_id, ...labels }, r.value);
      else gauge.inc(labels, r.value);
    }
  }
}
