import type { UserRole } from '../users/user.entity';

/**
 * What a principal may do. API keys carry an explicit subset; users get the set of their role.
 * Resource scopes come in read and write pairs; later modules add theirs to SCOPES.
 */
export const SCOPES = [
  'me:read',
  'users:read',
  'users:write',
  'api_keys:read',
  'api_keys:write',
  'candidates:read',
  'candidates:write',
  'contacts:read',
  'contacts:write',
  'leads:read',
  'leads:write',
  'interviews:read',
  'interviews:write',
  'references:read',
  'references:write',
  'follow_ups:read',
  'follow_ups:write',
  'messages:read',
  'messages:write',
  'activities:read',
  'activities:write',
  'settings:read',
  'settings:write',
  'webhooks:read',
  'webhooks:write',
  'audit:read',
  'analytics:read',
] as const;

export type Scope = (typeof SCOPES)[number];

const ADMIN_ONLY: readonly Scope[] = ['users:write', 'api_keys:read', 'api_keys:write', 'settings:write', 'webhooks:write', 'audit:read'];

export const ROLE_SCOPES: Record<UserRole, readonly Scope[]> = {
  admin: SCOPES,
  recruiter: SCOPES.filter((s) => !ADMIN_ONLY.includes(s)),
};

/**
 * Named sets of scopes for API keys (`preset` when creating or changing a key):
 * - integration: what an ATS sync needs: the pipeline (candidates, contacts, leads, interviews,
 *   references, activities) read and write, follow-ups and messages read, its webhooks, and me:read.
 * - read_only: every read scope but the admin-only ones (API keys, the audit log).
 */
export const SCOPE_PRESETS = {
  integration: [
    'me:read',
    'candidates:read',
    'candidates:write',
    'contacts:read',
    'contacts:write',
    'leads:read',
    'leads:write',
    'interviews:read',
    'interviews:write',
    'references:read',
    'references:write',
    'activities:read',
    'activities:write',
    'follow_ups:read',
    'messages:read',
    'webhooks:read',
    'webhooks:write',
  ],
  read_only: SCOPES.filter((s) => s.endsWith(':read') && !ADMIN_ONLY.includes(s)),
} as const satisfies Record<string, readonly Scope[]>;

export type ScopePreset = keyof typeof SCOPE_PRESETS;
export const SCOPE_PRESET_NAMES = Object.keys(SCOPE_PRESETS) as ScopePreset[];

/** The scopes a key gets from a preset and/or a list (their union; duplicates dropped). */
export function scopesOf(input: { preset?: ScopePreset; scopes?: readonly Scope[] }): Scope[] {
  return [...new Set<Scope>([...(input.preset ? SCOPE_PRESETS[input.preset] : []), ...(input.scopes ?? [])])];
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
