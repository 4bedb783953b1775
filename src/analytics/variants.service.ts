import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppException } from '../common/app.exception';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { TenantDb } from '../database/tenant-db.service';
import type { TenantTx } from '../database/tenant-db.service';
import { asTenantId } from '../database/tenant-id';
import type { TenantId } from '../database/tenant-id';
import { CHANNELS } from '../messaging/domain/channel';
import type { Channel } from '../messaging/domain/channel';
import { AUDIENCES } from '../follow-ups/domain/templates';
import type { Audience } from '../follow-ups/domain/templates';
import type { EmailVariant, SmsVariant } from '../follow-ups/domain/variants';
import { RULE_KEYS } from '../follow-ups/rules';
import { validatePolicyPatch } from '../follow-ups/rules/policy';
import type { FollowUpPolicy } from '../follow-ups/rules/policy';
import { mergeOverrides, readFollowUpSettings } from '../follow-ups/tenant-settings';
import { TenancyService } from '../tenancy/tenancy.service';
import { analyticsTx, answerWithinSql, DEFAULT_WINDOW_DAYS, MAX_PERIOD_DAYS, resolvePeriod, sentCte } from './analytics.service';
import type { AnalyticsQuery } from './analytics.service';
import type { AnalyticsFilterDto } from './dto/analytics-filter.dto';
import { PeriodView, VariantAnalyticsView, VariantComparisonView, VariantPromotionSettingsView, VariantStatsView } from './dto/analytics.views';
import { wilson } from './stats';
import { leaderOf, promotionDecision, readVariantPromotion, validateVariantPromotion } from './variant-promotion';
import type { VariantCount, VariantPromotionSettings } from './variant-promotion';

const DAY_MS = 86_400_000;
/** How often the sweep (SCHEDULER=on) looks for variants to promote. */
export const PROMOTION_SWEEP_MS = 60 * 60 * 1000;

type Actor = { kind: 'user' | 'api_key'; id: string };
interface Group {
  rule: string;
  channel: Channel;
  audience: Audience;
  variants: readonly (EmailVariant | SmsVariant)[];
}
export interface Promotion {
  rule: string;
  channel: Channel;
  audience: Audience;
  variant: string;
  confidence: number;
  variants: VariantCount[];
}

/** The variants a policy configures, per rule, channel and audience. */
function groupsOf(policy: FollowUpPolicy): Group[] {
  const groups: Group[] = [];
  for (const rule of RULE_KEYS) {
    const variants = policy[rule].variants;
    for (const channel of CHANNELS) {
      for (const audience of AUDIENCES) {
        const list = variants?.[channel]?.[audience];
        if (list && list.length > 0) groups.push({ rule, channel, audience, variants: list });
      }
    }
  }
  return groups;
}

/**
 * Template variants in analytics (issue 15): their reply rates side by side with Wilson
 * intervals and the leader's confidence, and automatic promotion of a leader when the firm
 * turned it on. Only sends whose reply window has closed are compared, so a variant that went out
 * most recently is not penalised for answers that have not had time to come.
 */
@Injectable()
export class VariantsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(VariantsService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly tenancy: TenancyService,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.scheduler) return;
    this.timer = setInterval(() => void this.sweep().catch((err) => this.logger.error({ err }, 'variant promotion sweep failed')), PROMOTION_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async settings(tenantId: TenantId): Promise<VariantPromotionSettingsView> {
    return Object.assign(new VariantPromotionSettingsView(), readVariantPromotion((await this.tenancy.get(tenantId)).settings));
  }

  async updateSettings(tenantId: TenantId, patch: unknown, actor: Actor): Promise<VariantPromotionSettingsView> {
    const tenant = await this.tenancy.updateSettings(
      tenantId,
      (current) => {
        const result = validateVariantPromotion(patch, readVariantPromotion(current));
        if (!result.ok) throw AppException.validation(result.errors);
        return { ...current, variantPromotion: result.value };
      },
      actor,
    );
    return Object.assign(new VariantPromotionSettingsView(), readVariantPromotion(tenant.settings));
  }

  /** Per rule, channel and audience: each variant's closed-window sends, replies, Wilson interval; the leader. */
  async compare(tenantId: TenantId, filter: AnalyticsFilterDto): Promise<VariantAnalyticsView> {
    const q = resolvePeriod(filter, this.clock.now());
    const tenant = await this.tenancy.get(tenantId);
    const { confidence } = readVariantPromotion(tenant.settings);
    const groups = groupsOf(readFollowUpSettings(tenant.settings).policy);
    const counts = await analyticsTx(this.db, tenantId, (tx) => this.counts(tx, q));
    const keys = new Map<string, { rule: string; channel: string; audience: string }>();
    for (const c of counts) keys.set(`${c.rule}|${c.channel}|${c.audience}`, c);
    for (const g of groups) keys.set(`${g.rule}|${g.channel}|${g.audience}`, g);
    const comparisons = [...keys.entries()]
      .filter(([, k]) => (!q.rule || k.rule === q.rule) && (!q.channel || k.channel === q.channel) && (!q.audience || k.audience === q.audience))
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([, k]) => {
        const configured = groups.find((g) => g.rule === k.rule && g.channel === k.channel && g.audience === k.audience)?.variants ?? [];
        const names = new Set([...configured.map((v) => v.name), ...counts.filter((c) => c.rule === k.rule && c.channel === k.channel && c.audience === k.audience).map((c) => c.variant)]);
        const rows: VariantCount[] = [...names].map((name) => {
          const c = counts.find((x) => x.rule === k.rule && x.channel === k.channel && x.audience === k.audience && x.variant === name);
          return { name, sent: c?.sent ?? 0, replied: c?.replied ?? 0 };
        });
        const lead = leaderOf(rows);
        return Object.assign(new VariantComparisonView(), {
          rule: k.rule,
          channel: k.channel,
          audience: k.audience,
          leader: lead?.leader.name ?? null,
          leaderConfidence: lead?.confidence ?? null,
          variants: rows.map((r) => {
            const interval = wilson(r.replied, r.sent, confidence);
            return Object.assign(new VariantStatsView(), {
              variant: r.name,
              weight: configured.find((v) => v.name === r.name)?.weight ?? null,
              sent: r.sent,
              replied: r.replied,
              replyRate: r.sent > 0 ? r.replied / r.sent : null,
              low: interval?.low ?? null,
              high: interval?.high ?? null,
            });
          }),
        });
      });
    return Object.assign(new VariantAnalyticsView(), {
      period: Object.assign(new PeriodView(), { since: q.since, until: q.until }),
      windowDays: q.windowDays,
      confidence,
      comparisons,
    });
  }

  /**
   * Promotes, for this tenant, every variant that leads its rule, channel and audience with at
   * least the firm's confidence and at least minSends closed-window sends per active variant
   * (weight > 0), over the last 400 days. A promotion sets the other variants' weights to 0 in
   * the firm's policy, records an audit entry (actor `system`) and emits
   * `template_variant.promoted`, all in one transaction. Nothing when promotion is off.
   */
  async evaluate(tenantId: TenantId): Promise<Promotion[]> {
    const tenant = await this.tenancy.get(tenantId);
    const settings = readVariantPromotion(tenant.settings);
    if (!settings.enabled) return [];
    const groups = groupsOf(readFollowUpSettings(tenant.settings).policy).filter((g) => g.variants.filter((v) => v.weight > 0).length >= 2);
    if (groups.length === 0) return [];
    const now = this.clock.now();
    const q = resolvePeriod({ since: new Date(now.getTime() - MAX_PERIOD_DAYS * DAY_MS), until: now }, now);
    const counts = await analyticsTx(this.db, tenantId, (tx) => this.counts(tx, q));
    const promotions: Promotion[] = [];
    for (const g of groups) {
      const active: VariantCount[] = g.variants
        .filter((v) => v.weight > 0)
        .map((v) => {
          const c = counts.find((x) => x.rule === g.rule && x.channel === g.channel && x.audience === g.audience && x.variant === v.name);
          return { name: v.name, sent: c?.sent ?? 0, replied: c?.replied ?? 0 };
        });
      const decision = promotionDecision(active, settings);
      if (!decision) continue;
      const promotion: Promotion = { rule: g.rule, channel: g.channel, audience: g.audience, variant: decision.variant, confidence: decision.confidence, variants: active };
      if (await this.promote(tenantId, g, promotion, settings)) promotions.push(promotion);
    }
    return promotions;
  }

  /** Every tenant that turned promotion on, one after the other (the SCHEDULER=on sweep). */
  async sweep(): Promise<Promotion[]> {
    const tenants = (await this.dataSource.query(`SELECT id FROM tenants_with_variant_promotion()`)) as { id: string }[];
    const all: Promotion[] = [];
    for (const t of tenants) {
      try {
        all.push(...(await this.evaluate(asTenantId(t.id))));
      } catch (err) {
        this.logger.error({ err, tenantId: t.id }, 'variant promotion failed for a tenant');
      }
    }
    return all;
  }

  private async promote(tenantId: TenantId, g: Group, p: Promotion, settings: VariantPromotionSettings): Promise<boolean> {
    return this.db.unit(tenantId, async (tx) => {
      let before: Record<string, number> | undefined;
      let after: Record<string, number> | undefined;
      await this.tenancy.updateSettings(tenantId, (current) => {
        // Decided again on the stored list, under the tenant row's lock: a list edited meanwhile is left alone.
        const list = readFollowUpSettings(current).policy[g.rule as (typeof RULE_KEYS)[number]].variants?.[g.channel]?.[g.audience];
        const same = list && list.length === g.variants.length && list.every((v, i) => v.name === g.variants[i]!.name && v.weight === g.variants[i]!.weight);
        if (!list || !same) return current;
        before = Object.fromEntries(list.map((v) => [v.name, v.weight]));
        const promoted = list.map((v) => ({ ...v, weight: v.name === p.variant ? v.weight : 0 }));
        after = Object.fromEntries(promoted.map((v) => [v.name, v.weight]));
        const overrides = mergeOverrides(current.followUpPolicy ?? {}, { [g.rule]: { variants: { [g.channel]: { [g.audience]: promoted } } } }) ?? {};
        if (!validatePolicyPatch(overrides).ok) return current;
        return { ...current, followUpPolicy: overrides };
      });
      if (!before || !after) return false;
      const field = `${g.rule}.variants.${g.channel}.${g.audience}`;
      await tx.query(`SELECT audit_system_change('template_variants', NULL, $1::jsonb)`, [
        JSON.stringify({
          [`${field}.weights`]: { before, after },
          promoted: { before: null, after: { variant: p.variant, confidence: p.confidence, threshold: settings.confidence, minSends: settings.minSends, variants: p.variants } },
        }),
      ]);
      tx.emit('template_variant.promoted', { rule: p.rule, channel: p.channel, audience: p.audience, variant: p.variant, confidence: p.confidence, variants: p.variants });
      this.logger.log(`promoted ${p.variant} for ${field} (confidence ${p.confidence.toFixed(4)})`);
      return true;
    });
  }

  /** Closed-window sends and replies per rule, channel, audience and variant (follow_ups_settled_idx + the inbound indexes). */
  private async counts(tx: TenantTx, q: AnalyticsQuery): Promise<{ rule: string; channel: string; audience: string; variant: string; sent: number; replied: number }[]> {
    const params: unknown[] = [tx.tenantId, q.since, q.until];
    const sent = sentCte(q, params);
    params.push(`${q.windowDays ?? DEFAULT_WINDOW_DAYS} days`, this.clock.now());
    const window = `$${params.length - 1}::interval`;
    const now = `$${params.length}::timestamptz`;
    return tx.query(
      `WITH ${sent},
       answered AS (SELECT s.rule, s.channel, s.recipient_type, s.variant, ${answerWithinSql(window)} AS replied_at
                      FROM sent s WHERE s.variant IS NOT NULL AND s.sent_at + ${window} <= ${now})
       SELECT rule, channel, recipient_type AS audience, variant, count(*)::int AS sent, count(replied_at)::int AS replied
         FROM answered GROUP BY rule, channel, recipient_type, variant ORDER BY rule, channel, recipient_type, variant`,
      params,
    );
  }
}
