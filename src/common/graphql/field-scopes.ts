import { GraphQLError } from 'graphql';
import type { Principal } from '../../auth/principal';
import type { Scope } from '../../auth/scopes';
import { AppException, ErrorCode } from '../app.exception';
import { toProblem } from '../problem';

/**
 * Scope check for GraphQL field resolvers. Nest runs guards and exception filters on queries
 * and mutations but not on @ResolveField (fieldResolverEnhancers is off, and turning it on
 * would re-run the whole auth guard, with its database lookup, once per field per row). The
 * principal was already established by the guard on the root field; this only checks that it
 * may read the nested data, so a key with candidates:read alone cannot read leads through
 * Candidate.leads. It throws the GraphQLError the global filter would have produced.
 */
export function assertFieldScopes(p: Principal, ...scopes: Scope[]): void {
  const missing = scopes.filter((s) => !p.scopes.includes(s));
  if (missing.length === 0) return;
  const who = p.kind === 'api_key' ? 'This API key lacks' : `Your role (${p.role}) lacks`;
  const { problem } = toProblem(new AppException(ErrorCode.Forbidden, `${who} the scope ${missing.join(', ')}`, { extra: { missingScopes: missing } }));
  const { detail, code, type, title, status, ...rest } = problem;
  throw new GraphQLError(detail, { extensions: { code, status, title, type, ...rest } });
}
