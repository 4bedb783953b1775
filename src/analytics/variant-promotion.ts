/**
 * The rule that promotes a template variant (issue 15), pure: given each active variant's sends
 * and replies, which one (if any) leads by at least the firm's confidence with at least
 * `minSends` sends per variant.
 */
import { confidenceAhead } from './stats';

export interface VariantPromotionSettings {
  enabled: boolean;
  /** One-sided confidence that the leader's reply rate is higher than each other variant's. */
  confidence: number;
  /** Sends (with a closed reply window) every active variant needs before any is promoted. */
  minSends: number;
}

export const DEFAULT_VARIANT_PROMOTION: VariantPromotionSettings = { enabled: false, confidence: 0.95, minSends: 100 };
export const CONFIDENCE_RANGE = [0.8, 0.999] as const;
export const MIN_SENDS_RANGE = [1, 1_000_000] as const;

export interface VariantCount {
  name: string;
  sent: number;
  replied: number;
}

/** The variant with the highest reply rate (ties: the first by name), and how sure we are it beats every other. */
export function leaderOf(counts: readonly VariantCount[]): { leader: VariantCount; confidence: number } | null {
  const withSends = counts.filter((c) => c.sent > 0);
  if (withSends.length < 2) return null;
  const sorted = [...withSends].sort((x, y) => y.replied / y.sent - x.replied / x.sent || x.name.localeCompare(y.name));
  const leader = sorted[0]!;
  const confidence = Math.min(...sorted.slice(1).map((other) => confidenceAhead({ hits: leader.replied, n: leader.sent }, { hits: other.replied, n: other.sent })));
  return { leader, confidence };
}

/** The variant to promote now, or null: needs ≥ 2 active variants, each with ≥ minSends, and the leader ahead with ≥ confidence. */
export function promotionDecision(active: readonly VariantCount[], settings: Pick<VariantPromotionSettings, 'confidence' | 'minSends'>): { variant: string; confidence: number } | null {
  if (active.length < 2 || active.some((v) => v.sent < settings.minSends)) return null;
  const lead = leaderOf(active);
  if (!lead || lead.confidence < settings.confidence) return null;
  return { variant: lead.leader.name, confidence: lead.confidence };
}

/** The stored settings (tenants.settings.variantPromotion) read whole; anything invalid falls back to the default. */
export function readVariantPromotion(settings: Record<string, unknown> | null | undefined): VariantPromotionSettings {
  const raw = settings?.variantPromotion;
  const checked = raw === undefined ? undefined : validateVariantPromotion(raw, DEFAULT_VARIANT_PROMOTION);
  return checked?.ok ? checked.value : DEFAULT_VARIANT_PROMOTION;
}

/** Applies a patch ({ enabled?, confidence?, minSends? }) onto `base`; every error names its field. */
export function validateVariantPromotion(
  patch: unknown,
  base: VariantPromotionSettings,
): { ok: true; value: VariantPromotionSettings } | { ok: false; errors: { field: string; message: string }[] } {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return { ok: false, errors: [{ field: 'variantPromotion', message: 'must be an object { enabled, confidence, minSends }' }] };
  }
  const p = patch as Record<string, unknown>;
  const errors: { field: string; message: string }[] = [];
  const value = { ...base };
  for (const key of Object.keys(p)) {
    if (!['enabled', 'confidence', 'minSends'].includes(key)) errors.push({ field: key, message: 'unknown setting; expected one of: enabled, confidence, minSends' });
  }
  if (p.enabled !== undefined) {
    if (typeof p.enabled !== 'boolean') errors.push({ field: 'enabled', message: 'must be true or false' });
    else value.enabled = p.enabled;
  }
  if (p.confidence !== undefined) {
    if (typeof p.confidence !== 'number' || !(p.confidence >= CONFIDENCE_RANGE[0] && p.confidence <= CONFIDENCE_RANGE[1])) {
      errors.push({ field: 'confidence', message: `must be a number from ${CONFIDENCE_RANGE[0]} to ${CONFIDENCE_RANGE[1]} (e.g. 0.95)` });
    } else value.confidence = p.confidence;
  }
  if (p.minSends !== undefined) {
    if (typeof p.minSends !== 'number' || !Number.isInteger(p.minSends) || p.minSends < MIN_SENDS_RANGE[0] || p.minSends > MIN_SENDS_RANGE[1]) {
      errors.push({ field: 'minSends', message: `must be a whole number from ${MIN_SENDS_RANGE[0]} to ${MIN_SENDS_RANGE[1]}` });
    } else value.minSends = p.minSends;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}
