import { GraphQLError } from 'graphql';
import type { AuthedRequest } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import type { Scope } from '../../auth/scopes';
import { AppException, ErrorCode } from '../app.exception';
import { toProblem } from '../problem';

/** The GraphQL context of a request: the Fastify request the auth guard put the principal on. */
export interface GqlContext {
  req: AuthedRequest;
}

/**
 * The principal of a field resolver, after checking that it may read the nested data (so a key
 * with candidates:read alone cannot read leads through Candidate.leads). Nest runs guards and
 * exception filters on queries and mutations but not on @ResolveField (fieldResolverEnhancers is
 * off, and turning it on would re-run the whole auth guard, with its database lookup, once per
 * field per row): the principal was already established by the guard on the root field.
 *
 * Field resolvers are written without parameter decorators, as (parent, args, context):
 *   @ResolveField(() => [LeadView])
 *   leads(candidate: CandidateView, _args: unknown, ctx: GqlContext): Promise<LeadView[]> {
 *     const p = fieldPrincipal(ctx, 'leads:read'); …
 * Nest then hands graphql-js the method itself. With @CurrentPrincipal(), @Parent() and
 * @Context() it wraps every call in its parameter pipeline (param factories, the global
 * validation pipe on each argument, a chain of promises), and a page of 100 candidates with
 * their leads, interviews and interviewers calls field resolvers 500 times: that pipeline was
 * half the CPU of such a request (bench B6).
 *
 * Like @CurrentPrincipal it throws when there is no principal; it never falls back. It throws
 * the GraphQLError the global filter would have produced.
 */
export function fieldPrincipal(ctx: GqlContext, ...scopes: Scope[]): Principal {
  const p = ctx.req?.principal;
  // Never a default: a field reached without a principal is a wiring bug, not a guest.
  if (!p) throw graphqlError(new AppException(ErrorCode.Unauthenticated, 'Authentication required'));
  assertFieldScopes(p, ...scopes);
  return p;
}

/** Throws, as a GraphQLError with extensions.code FORBIDDEN, when `p` lacks one of `scopes`. */
function assertFieldScopes(p: Principal, ...scopes: Scope[]): void {
  const missing = scopes.filter((s) => !p.scopes.includes(s));
  if (missing.length === 0) return;
  const who = p.kind === 'api_key' ? 'This API key lacks' : `Your role (${p.role}) lacks`;
  throw graphqlError(new AppException(ErrorCode.Forbidden, `${who} the scope ${missing.join(', ')}`, { extra: { missingScopes: missing } }));
}

function graphqlError(err: AppException): GraphQLError {
  const { problem } = toProblem(err);
  const { detail, code, type, title, status, ...rest } = problem;
  return new GraphQLError(detail, { extensions: { code, status, title, type, ...rest } });
}
