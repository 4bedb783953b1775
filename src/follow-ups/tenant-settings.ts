import { DEFAULT_POLICY, validatePolicyPatch } from './rules/policy';
import type { FollowUpPolicy } from './rules/policy';
import { DEFAULT_WINDOW_CONFIG, validateWindowConfig } from './domain/windows';
import type { WindowConfig } from './domain/windows';

/**
 * The follow-up part of a tenant's settings (tenants.settings JSON). The tenant's changes are
 * stored as overrides (`followUpPolicy`, `windows`, `smsDailyCap`) and read as the full,
 * validated value, so improvements to the built-in defaults reach every tenant that did not
 * override them.
 */
export interface FollowUpSettings {
  policy: FollowUpPolicy;
  windows: WindowConfig;
  smsDailyCap: number;
}

export const DEFAULT_SMS_DAILY_CAP = 500;
export const MAX_SMS_DAILY_CAP = 100_000;

export function readFollowUpSettings(settings: Record<string, unknown> | null | undefined): FollowUpSettings {
  const s = settings ?? {};
  const policy = s.followUpPolicy === undefined ? undefined : validatePolicyPatch(s.followUpPolicy);
  const windows = s.windows === undefined ? undefined : validateWindowConfig(s.windows);
  const cap = s.smsDailyCap;
  return {
    // Stored overrides were validated when saved; one that no longer validates falls back.
    policy: policy?.ok ? policy.value : DEFAULT_POLICY,
    windows: windows?.ok ? windows.value : DEFAULT_WINDOW_CONFIG,
    smsDailyCap: typeof cap === 'number' && Number.isInteger(cap) && cap >= 0 && cap <= MAX_SMS_DAILY_CAP ? cap : DEFAULT_SMS_DAILY_CAP,
  };
}

/** Merges a patch into stored overrides; `null` removes an override (back to the default). */
export function mergeOverrides(base: unknown, patch: unknown): unknown {
  if (patch === null) return undefined;
  if (!isPlainObject(patch) || !isPlainObject(base)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const merged = mergeOverrides(base[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
