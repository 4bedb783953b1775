import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { AppException, ErrorCode } from '../common/app.exception';
import { requestOf } from './auth.decorators';

/** passport-jwt behind a guard that also works for GraphQL and explains every refusal. */
@Injectable()
export class JwtPassportGuard extends AuthGuard('jwt') {
  override getRequest(ctx: ExecutionContext): unknown {
    return requestOf(ctx);
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err || !user) {
      const reason = info instanceof Error ? info.message : 'invalid token';
      throw new AppException(ErrorCode.Unauthenticated, `Invalid access token: ${reason}`);
    }
    return user;
  }
}
