import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import { AppException, FieldError } from './app.exception';

const READS_RAW_BODY = 'touchpoint:reads-raw-body';

/**
 * For a handler that reads the request body itself rather than through `@Body()` (a form posted
 * by a mail client or a provider): its body is its own business, not refused as unexpected.
 */
export const ReadsRawBody = (): MethodDecorator => SetMetadata(READS_RAW_BODY, true);

/** The handler declares a `@Body()` parameter (then the validation pipe judges the body). */
function takesBody(context: ExecutionContext): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<string, unknown>;
  return Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
}

/** Why `body` is not the empty body of an action, or nothing when it is (none at all, or `{}`). */
export function unexpectedBody(body: unknown): FieldError[] {
  if (body === undefined || body === '') return [];
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    return Object.keys(body).map((key) => ({ field: key, message: `unknown field "${key}" is not allowed: this action takes no body` }));
  }
  return [{ field: 'body', message: 'this action takes no body: send none, or {}' }];
}

/**
 * Actions without a body (erase, revoke, confirm, send-now, approve, a DELETE…) refuse one, as
 * every other endpoint refuses unknown fields: `[]`, `"x"`, `42`, `null` or `{"tenantId": …}` is a
 * 400, before the action runs. Global, so a new action is covered without a decorator; a handler
 * that declares `@Body()` is left to the validation pipe.
 *
 * A guard registered after the auth guard (create-app.ts), not an interceptor: it runs at the
 * same point (after authentication and scopes, before the pipes), but a route with no
 * interceptor skips Nest's per-request Observable chain and its two AsyncResource bindings,
 * which cost a REST read about 4% of its CPU and most of what it promoted to the old
 * generation (docs/PERFORMANCE.md, B5b).
 */
@Injectable()
export class BodylessActionGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'http' && !takesBody(context) && !this.reflector.get<boolean>(READS_RAW_BODY, context.getHandler())) {
      const errors = unexpectedBody(context.switchToHttp().getRequest<{ body?: unknown }>().body);
      if (errors.length > 0) throw AppException.validation(errors, 'This action takes no request body (send none, or {})');
    }
    return true;
  }
}
