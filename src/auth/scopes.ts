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

export const ROLE_SCOPES: Record<'admin' | 'recruiter', readonly Scope[]> = {
  admin: SCOPES,
  recruiter: SCOPES.filter((s) => !ADMIN_ONLY.includes(s)),
};

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
