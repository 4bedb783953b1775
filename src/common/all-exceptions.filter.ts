import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { GqlContextType } from '@nestjs/graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import { toProblem } from './problem';

/**
 * The single global filter. REST answers RFC 9457 application/problem+json with the
 * correlation id; GraphQL gets a GraphQLError with extensions.code. Nobody sees a stack.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    const { problem, known, retryAfterSeconds } = toProblem(exception);
    if (host.getType<GqlContextType>() === 'graphql') {
      const ctx = host.getArgByIndex(2) as { req?: FastifyRequest } | undefined;
      const correlationId = ctx?.req?.id;
      if (!known) this.logger.error({ err: exception, correlationId }, 'unhandled error in GraphQL resolver');
      const { detail, code, type, title, status, ...rest } = problem;
      return new GraphQLError(detail, {
        extensions: { code, status, title, type, correlationId, ...rest },
      });
    }
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (!known) this.logger.error({ err: exception, correlationId: req.id }, 'unhandled error');
    if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
    void reply
      .status(problem.status)
      .header('content-type', 'application/problem+json; charset=utf-8')
      .send({ ...problem, instance: req.url.split('?')[0], correlationId: req.id });
    return undefined;
  }
}
