import { AppException, ErrorCode } from '../common/app.exception';
import type { TenantId } from '../database/tenant-id';
import type { UserRole } from '../users/user.entity';
import type { Scope } from './scopes';

/** Who can call the API: a signed-in user, or an integration's API key. */
export const PRINCIPAL_KINDS = ['user', 'api_key'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

/** Who is calling, established by the auth guard from the verified credential alone. */
export type Principal =
  | { kind: 'user'; tenantId: TenantId; userId: string; role: UserRole; scopes: readonly Scope[] }
  | { kind: 'api_key'; tenantId: TenantId; apiKeyId: string; scopes: readonly Scope[] };

/**
 * Who caused a change: a user or an API key (from the principal), or the system itself (the
 * dispatcher, a webhook, a reaction to an event). Travels with domain events and into the audit log.
 */
export type Actor = { kind: ActorKind; id?: string };
export const ACTOR_KINDS = [...PRINCIPAL_KINDS, 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** The actor of a request: always a user or an API key, with its id. */
export type PrincipalActor = { kind: PrincipalKind; id: string };

export function actorOf(p: Principal): PrincipalActor {
  return p.kind === 'user' ? { kind: 'user', id: p.userId } : { kind: 'api_key', id: p.apiKeyId };
}

/** The user behind a request; API keys are refused for user-only actions. */
export function requireUser(p: Principal): string {
  if (p.kind !== 'user') throw new AppException(ErrorCode.Forbidden, 'Only a signed-in user can do this, not an API key');
  return p.userId;
}
