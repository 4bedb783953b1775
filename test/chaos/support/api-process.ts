import { Client } from 'pg';
import { freePort, NodeChild, waitFor } from './process-harness';

/** A request that takes longer than this "hangs". */
const REQUEST_TIMEOUT_MS = 8_000;

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function call(base: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: res.status, headers: res.headers, body };
}

export async function onDb<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * `node dist/src/main.js` on a free port, once /health/ready answers 200. Other test runs share
 * this machine: when the port was taken in the meantime, it tries another one.
 */
export async function startApi(env: Record<string, string>): Promise<{ api: NodeChild; base: string }> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = NodeChild.start('api', 'dist/src/main.js', { ...env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base });
    try {
      await waitFor('the API to be ready', async () => ((await call(base, 'GET', '/health/ready').catch(() => undefined))?.status === 200 ? true : undefined), {
        timeoutMs: 120_000,
        intervalMs: 250,
        children: [api],
      });
      return { api, base };
    } catch (err) {
      if (attempt >= 3 || api.running || !/EADDRINUSE/.test(api.output())) throw err;
    }
  }
}
