import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger as Pino } from 'pino';

/**
 * The recruiter console's pages. Each is the same index.html (the page routes in the browser);
 * everything else (/v1, /graphql, /docs, /health, /metrics) stays the API's, and an unknown path
 * is the API's problem+json 404, not the page.
 */
export const CONSOLE_ROUTES = ['/', '/sign-in', '/sign-up', '/accept-invite', '/today', '/replies', '/replies/*', '/candidates', '/candidates/*', '/settings', '/settings/*', '/insights'] as const;

/**
 * The console's Content-Security-Policy: scripts and styles only from this origin (no inline
 * script, no eval), data only from this origin, never framed. The API's answers carry the same
 * policy; Swagger UI at /docs is the one exception (it needs inline script and style).
 */
export const CONSOLE_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export const DOCS_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'";

/**
 * Serves the built console from `dir` (index.html and hashed files under assets/). When it has
 * not been built, the pages answer 503 saying how to build it, and the API is unaffected.
 */
export async function registerConsole(fastify: FastifyInstance, dir: string, logger: Pino): Promise<void> {
  const indexPath = join(dir, 'index.html');
  const built = existsSync(indexPath);
  // Debug only: the worker and the CSV import build the same app and never serve pages.
  if (!built) logger.debug({ dir }, 'the recruiter console is not built (npm run build:console); / answers 503');
  const index = built ? readFileSync(indexPath) : undefined;
  const sendIndex = async (_req: unknown, reply: FastifyReply): Promise<FastifyReply> => {
    if (!index) {
      return reply
        .status(503)
        .header('content-type', 'text/plain; charset=utf-8')
        .send('The recruiter console is not built. Run `npm run build:console` (npm start and npm test build it), then reload.');
    }
    return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  };
  for (const url of CONSOLE_ROUTES) fastify.get(url, sendIndex);
  if (built && existsSync(join(dir, 'assets'))) {
    // Hashed file names: cached for a year, never stale.
    await fastify.register(fastifyStatic, {
      root: join(dir, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      immutable: true,
      maxAge: '365d',
    });
  }
}
