import { NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as Pino } from 'pino';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock, SystemClock } from '../common/clock';
import { createRootLogger, PinoNestLogger } from '../common/logger';
import { toProblem } from '../common/problem';
import { requestContext } from '../common/request-context';
import { RateLimiter } from '../common/rate-limiter';
import { BodylessActionGuard } from '../common/bodyless';
import { buildValidationPipe } from '../common/validation';
import type { AppConfig } from '../config/app-config';
import { buildDataSource } from '../database/data-source';
import { MetricsService } from '../metrics/metrics.service';
import { runMigrations } from '../database/migrator';
import { CONSOLE_CSP_DIRECTIVES, DOCS_CSP, registerConsole } from './console-static';
import { applyHeapPolicy } from './heap-policy';

export interface CreateAppOptions {
  config: AppConfig;
  /** Database URL to use (the embedded one when config.databaseUrl is unset). */
  databaseUrl: string;
  clock?: Clock;
  logger?: Pino;
}

export interface CreatedApp {
  app: NestFastifyApplication;
  dataSource: DataSource;
  logger: Pino;
  migrationsApplied: string[];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

const TWILIO_WEBHOOKS = '/v1/webhooks/twilio/';
/** Mail providers' own formats (messaging/providers): SNS posts text/plain, SendGrid Inbound Parse multipart/form-data. */
const SES_WEBHOOK = /^\/v1\/webhooks\/email\/[^/?]+\/ses\//;
const SENDGRID_INBOUND_WEBHOOK = /^\/v1\/webhooks\/email\/[^/?]+\/sendgrid\/inbound\//;

function expectedContentType(url: string): string {
  if (SENDGRID_INBOUND_WEBHOOK.test(url)) return 'multipart/form-data';
  return url.startsWith(TWILIO_WEBHOOKS) ? 'application/x-www-form-urlencoded' : 'application/json';
}

/**
 * The API takes JSON bodies. Form posts are accepted only on the inbound webhooks, where Twilio
 * sends application/x-www-form-urlencoded, and on one-click unsubscribe links (RFC 8058).
 * Requests without a body pass.
 */
function acceptsContentType(url: string, headers: Record<string, string | string[] | undefined>): boolean {
  const hasBody = (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined;
  if (!hasBody) return true;
  const type = String(headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  // Twilio's webhooks take Twilio's form posts only: its signature covers form parameters.
  if (url.startsWith(TWILIO_WEBHOOKS)) return type === 'application/x-www-form-urlencoded';
  if (SENDGRID_INBOUND_WEBHOOK.test(url)) return type === 'multipart/form-data';
  if (SES_WEBHOOK.test(url) && type === 'text/plain') return true;
  if (type === 'application/json' || type.endsWith('+json')) return true;
  // RFC 8058 one-click unsubscribe: mail clients POST List-Unsubscribe=One-Click, form-encoded.
  return type === 'application/x-www-form-urlencoded' && (url.startsWith('/v1/webhooks/') || url.startsWith('/v1/unsubscribe/'));
}

/**
 * Builds the whole HTTP application: the same code path for `npm start`, the worker and the
 * tests. Pending migrations run first, under an advisory lock.
 */
export async function createApp(options: CreateAppOptions): Promise<CreatedApp> {
  const { config } = options;
  const logger = options.logger ?? createRootLogger(config.logLevel);
  applyHeapPolicy(config.heapGrowthPercent);
  const dataSource = buildDataSource({ url: options.databaseUrl, poolSize: config.databasePoolSize });
  await dataSource.initialize();
  const migrationsApplied = await runMigrations(dataSource);
  if (migrationsApplied.length > 0) logger.info({ migrations: migrationsApplied }, 'migrations applied');

  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    // Only the configured proxies' X-Forwarded-For is believed (none by default): otherwise each
    // client names its own address and walks around every per-IP limit.
    trustProxy: config.trustedProxies,
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // Fastify's own refusals before routing (a path parameter over its 100-character limit, a
    // malformed URL) are problem+json like every other error, without echoing the URL.
    frameworkErrors: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const refusal =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new AppException(ErrorCode.UriTooLong, 'A path parameter is longer than 100 characters')
          : AppException.validation([{ field: 'url', message: 'is not a valid URL' }], 'The URL is malformed');
      const { problem } = toProblem(refusal);
      void reply
        .status(problem.status)
        .header('x-request-id', req.id)
        .header('content-type', 'application/problem+json; charset=utf-8')
        .send({ ...problem, correlationId: req.id });
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({ config, clock: options.clock ?? new SystemClock(), dataSource }),
    adapter,
    // rawBody: the exact bytes of JSON bodies, for signatures over the payload (SendGrid's Event Webhook).
    { logger: new PinoNestLogger(logger), bufferLogs: false, rawBody: true },
  );
  const fastify = app.getHttpAdapter().getInstance();
  // SendGrid Inbound Parse posts multipart/form-data (an email with attachments): kept as bytes, up to
  // its own limit, and read by the provider's adapter; only that route accepts it (acceptsContentType).
  fastify.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: config.email.webhookBodyLimitBytes }, (_req, body, done) => done(null, body));
  // Each request runs inside its own context (the auth guard records the actor in it).
  fastify.addHook('onRequest', (_req, _reply, done) => {
    requestContext.run({}, done);
  });
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', async (req, reply) => {
    metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  const perIp = new RateLimiter(config.rateLimit.perIpPerMinute, 60_000);
  const clock = options.clock ?? new SystemClock();
  fastify.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
    if (!acceptsContentType(req.url, req.headers)) {
      return reply
        .status(415)
        .header('content-type', 'application/problem+json; charset=utf-8')
        .send({
          type: 'https://touchpoint.dev/problems/unsupported-media-type',
          title: 'Unsupported media type',
          status: 415,
          code: 'UNSUPPORTED_MEDIA_TYPE',
          detail: `Unsupported Content-Type "${String(req.headers['content-type'] ?? '')}": send ${expectedContentType(req.url)}`,
          correlationId: req.id,
        });
    }
    const retryAfter = perIp.hit(req.ip, clock.now().getTime());
    if (retryAfter > 0) {
      void reply
        .status(429)
        .header('retry-after', String(retryAfter))
        .header('content-type', 'application/problem+json; charset=utf-8')
        .send({
          type: 'https://touchpoint.dev/problems/rate-limited',
          title: 'Too many requests',
          status: 429,
          code: 'RATE_LIMITED',
          detail: `Too many requests from this address; retry in ${retryAfter} seconds`,
          correlationId: req.id,
        });
    }
  });
  // Helmet's security headers, computed once: with these options they are the same for every
  // response (@fastify/helmet rebuilt its middleware, CSP parsing included, on every request, and
  // running helmet's 13 middlewares per request still cost a REST list about 2% of its CPU).
  // Strict everywhere (the console at / included): no inline script or style, nothing from
  // another origin. Swagger UI at /docs needs inline script and style: its pages only.
  // upgrade-insecure-requests only behind https: on a plain-http address (a LAN IP in
  // development) it would send the page's own requests to an https port nobody listens on.
  const securityHeaders = helmet({
    contentSecurityPolicy: { directives: { ...CONSOLE_CSP_DIRECTIVES, upgradeInsecureRequests: config.publicUrl.startsWith('https:') ? [] : null } },
  });
  const securityHeaderSet = headersOf(securityHeaders);
  fastify.addHook('onRequest', (_req, reply, done) => {
    void reply.headers(securityHeaderSet);
    done();
  });
  fastify.addHook('onSend', async (req, reply) => {
    if (req.url === '/docs' || req.url.startsWith('/docs/') || req.url.startsWith('/docs?')) void reply.header('content-security-policy', DOCS_CSP);
  });
  await registerConsole(fastify, config.consoleDir, logger);
  app.useGlobalPipes(buildValidationPipe());
  // After the auth guard (an APP_GUARD, registered while the app was created): a body sent to a
  // bodyless action is judged once the caller is known, as the validation pipe judges others.
  app.useGlobalGuards(new BodylessActionGuard(app.get(Reflector)));

  const openapi = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Touchpoint API')
      .setDescription(
        'Multi-tenant REST API for staffing firms: candidates, leads, interviews, references and the follow-ups that keep everyone in touch. Errors are RFC 9457 problem+json.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A user access token (JWT) or an API key (tp_...).' })
      .build(),
  );
  SwaggerModule.setup('docs', app, openapi, { jsonDocumentUrl: 'openapi.json' });

  await app.init();
  await fastify.ready();
  return { app, dataSource, logger, migrationsApplied };
}

/**
 * The headers a helmet middleware sets, run once against a recording response. Its options here
 * hold no per-request function (no CSP nonce), so every response gets the same set.
 */
function headersOf(middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: number | string | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let failed: unknown;
  let called = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (err) => {
    called = true;
    failed = err;
  });
  if (!called || failed) throw new Error(`helmet did not build its headers synchronously: ${String(failed ?? 'next() was not called')}`);
  return headers;
}
