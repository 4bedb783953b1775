import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { catchError, from, mergeMap, Observable, of, throwError } from 'rxjs';
import type { AuthedRequest } from '../../auth/auth.decorators';
import { AppException, ErrorCode } from '../app.exception';
import { IdempotencyStore, requestHash } from './idempotency.store';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on POST. The first request with a key runs and its answer is stored; a
 * retry with the same key and body gets that answer again (header `Idempotent-Replayed: true`)
 * and writes nothing; the same key with another body or path is a 422 IDEMPOTENCY_KEY_REUSED;
 * a duplicate that arrives while the first is still running is a 409 and runs nothing.
 * A request that fails frees its key, so a corrected retry can use it.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly reflector: Reflector,
  ) {}

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (ctx.getType<string>() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const header = req.headers['idempotency-key'];
    if (req.method !== 'POST' || header === undefined || !req.principal) return next.handle();
    const key = Array.isArray(header) ? header.join(',') : header;
    if (!KEY_PATTERN.test(key)) {
      throw AppException.validation([{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }]);
    }
    const tenantId = req.principal.tenantId;
    const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, ctx.getHandler()) ?? 201;
    const claim = await this.store.claim(tenantId, {
      key,
      method: req.method,
      path: req.url.split('?')[0] ?? req.url,
      hash: requestHash(req.body),
    });
    switch (claim.kind) {
      case 'replay':
        void reply.header('idempotent-replayed', 'true');
        return of(claim.body);
      case 'mismatch':
        throw new AppException(ErrorCode.IdempotencyMismatch, `This Idempotency-Key cannot be reused: ${claim.reason}`);
      case 'in_progress':
        throw new AppException(ErrorCode.Conflict, 'A request with this Idempotency-Key is still in progress; retry shortly', {
          retryAfterSeconds: 1,
        });
      case 'claimed':
        break;
    }
    return next.handle().pipe(
      mergeMap((body: unknown) => from(this.store.complete(tenantId, key, status, toJson(body)).then(() => body))),
      catchError((err: unknown) => from(this.store.release(tenantId, key)).pipe(mergeMap(() => throwError(() => err)))),
    );
  }
}

/** What the client received, as stored JSON (dates become ISO strings, exactly as serialised). */
function toJson(body: unknown): unknown {
  return body === undefined ? null : (JSON.parse(JSON.stringify(body)) as unknown);
}

/** Marks a POST endpoint as honouring `Idempotency-Key`, and documents the header. */
export function Idempotent(): MethodDecorator {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Any unique string (a UUID is a good choice). A retry with the same key and body replays the first answer; the same key with a different body is a 422.',
      example: '6b0f4c1e-0d3a-4b5e-9c1a-2f7d8e9a0b1c',
    }),
  );
}
