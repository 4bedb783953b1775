import { AsyncLocalStorage } from 'node:async_hooks';

import type { ReadSession } from '../database/read-session';

export interface RequestContext {
  /** Who is acting, set by the auth guard once the credential is verified. */
  actor?: { kind: 'user' | 'api_key'; id: string };
  /** A GraphQL query operation's one read transaction (see ReadSession). */
  readSession?: ReadSession;
}

/**
 * Per-request context that follows the request through async calls. Only the audit trail reads
 * it (TenantDb puts the actor into each transaction); the tenant never comes from here, it is
 * always passed explicitly.
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentActor(): RequestContext['actor'] {
  return requestContext.getStore()?.actor;
}
