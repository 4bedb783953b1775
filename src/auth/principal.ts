import { AppException, ErrorCode } from '../common/app.exception';
import type { TenantId } from '../database/tenant-id';
import type { UserRole } from '../users/user.entity';
import type { Scope } from './scopes';

/** Who is calling, established by the auth guard from the verified credential alone. */
export type Principal =
  | { kind: 'user'; tenantId: TenantId; userId: string; role: UserRole; scopes: readonly Scope[] }
  | { kind: 'api_key'; tenantId: TenantId; apiKeyId: string; scopes: readonly Scope[] };

export function actorOf(p: Principal): { kind: 'user' | 'api_key'; id: string } {
  return p.kind === 'user' ? { kind: 'user', id: p.userId } : { kind: 'api_key', id: p.apiKeyId };
}

/** The user behind a request; API keys are refused for user-only actions. */
export function requireUser(p: Principal): string {
  if (p.kind !== 'user') throw new AppException(ErrorCode.Forbidden, 'Only a signed-in user can do this, not an API key');
  return p.userId;
}
