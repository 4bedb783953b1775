import { request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { AllowedRanges, assertSafeWebhookUrl, guardedLookup, NO_ALLOWED_RANGES, UnsafeWebhookUrlError } from './url-guard';

export interface WebhookPost {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Production: https only, and every resolved address must be public (checked on connect). */
  production: boolean;
  /** Private ranges let through in production (WEBHOOK_ALLOWED_CIDRS). */
  allowed?: AllowedRanges;
}

export type PostResult =
  | { kind: 'answered'; statusCode: number; latencyMs: number }
  | { kind: 'timeout'; latencyMs: number; error: string }
  | { kind: 'network'; latencyMs: number; error: string }
  | { kind: 'blocked'; latencyMs: number; error: string };

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * One delivery POST, outside any transaction. Redirects are not followed (a 3xx is a failed
 * attempt): following one would let a public URL bounce the request to a private address.
 * The response body is read up to 64 KiB and discarded. Never throws.
 */
export async function postWebhook(post: WebhookPost): Promise<PostResult> {
  const started = performance.now();
  const latency = (): number => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = await assertSafeWebhookUrl(post.url, post.production, post.allowed);
  } catch (err) {
    return { kind: 'blocked', latencyMs: latency(), error: `URL ${err instanceof Error ? err.message : 'refused'}` };
  }
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (r: PostResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const options: RequestOptions = {
      method: 'POST',
      headers: { ...post.headers, 'content-length': Buffer.byteLength(post.body).toString() },
      agent: false,
      ...(post.production
        ? {
            lookup: ((host: string, opts: { all?: boolean }, cb: Parameters<typeof guardedLookup>[2]) =>
              guardedLookup(host, opts, cb, post.allowed ?? NO_ALLOWED_RANGES)) as unknown as RequestOptions['lookup'],
          }
        : {}),
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res: IncomingMessage) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_RESPONSE_BYTES) res.destroy();
      });
      const done = (): void => finish({ kind: 'answered', statusCode: res.statusCode ?? 0, latencyMs: latency() });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    const timer = setTimeout(() => {
      finish({ kind: 'timeout', latencyMs: latency(), error: `no answer within ${post.timeoutMs} ms` });
      req.destroy();
    }, post.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof UnsafeWebhookUrlError || err.code === 'EBLOCKED') {
        finish({ kind: 'blocked', latencyMs: latency(), error: `URL ${err.message}` });
      } else {
        finish({ kind: 'network', latencyMs: latency(), error: `${err.code ?? 'ERROR'}: ${err.message}`.slice(0, 500) });
      }
    });
    req.end(post.body);
  });
}
