import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../common/app.exception';
import type { TenantId } from '../database/tenant-id';
import type { Principal } from './principal';
import type { Scope } from './scopes';

export const IS_PUBLIC = 'touchpoint:isPublic';
export const REQUIRED_SCOPES = 'touchpoint:requiredScopes';

/** No credential needed (signup, login, health, inbound webhooks with their own checks). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The principal must hold every listed scope, else 403 naming the missing one. */
export const RequireScopes = (...scopes: Scope[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_SCOPES, scopes);

export type AuthedRequest = FastifyRequest & { principal?: Principal };

export function requestOf(ctx: ExecutionContext): AuthedRequest {
  if (ctx.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(ctx).getContext<{ req: AuthedRequest }>().req;
  }
  return ctx.switchToHttp().getRequest<AuthedRequest>();
}

function principalOf(ctx: ExecutionContext): Principal {
  const principal = requestOf(ctx).principal;
  // Never a default: a handler reached without a principal is a wiring bug, not a guest.
  if (!principal) throw new AppException(ErrorCode.Unauthenticated, 'Authentication required');
  return principal;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => principalOf(ctx));

/** The tenant of the verified credential. Throws when absent; never falls back. */
export const CurrentTenant = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantId => principalOf(ctx).tenantId);
