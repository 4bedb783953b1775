import { createServer } from 'node:net';
import request from 'supertest';
import { MetricsServer } from '../../src/metrics/metrics.server';
import { bootTestApp, gql, signup, TestApp } from '../support/test-app';

/**
 * Issue 18, small leaks: GraphQL's "Did you mean …" suggestions reveal the schema (off in
 * production, and to requests without credentials), and /metrics showed counts across all
 * tenants to anyone (METRICS_TOKEN, METRICS_PORT; off in production without either).
 */
const TOKEN = 'metrics-token-0123456789abcdef';
const TYPO = '{ cnadidates(first: 1) { nodes { id } } }';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('security: GraphQL suggestions', () => {
  it('production: no "Did you mean", signed in or not', async () => {
    const prod = await bootTestApp({ env: { NODE_ENV: 'production' } });
    try {
      const a = await signup(prod);
      for (const token of [undefined, a.token]) {
        const res = await gql(prod, token, TYPO);
        expect(res.errors?.[0]?.message).toMatch(/Cannot query field "cnadidates" on type "Query"\.?$/);
        expect(JSON.stringify(res.errors)).not.toMatch(/Did you mean|candidates/);
        const arg = await gql(prod, token, '{ candidates(frist: 1) { nodes { id } } }');
        expect(JSON.stringify(arg.errors)).not.toMatch(/Did you mean|"first"/);
      }
    } finally {
      await prod.close();
    }
  });

  it('development: only requests with credentials get suggestions; GRAPHQL_SUGGESTIONS=off removes them all', async () => {
    const dev = await bootTestApp();
    try {
      const a = await signup(dev);
      expect((await gql(dev, a.token, TYPO)).errors?.[0]?.message).toMatch(/Did you mean "candidates"/);
      expect(JSON.stringify((await gql(dev, undefined, TYPO)).errors)).not.toMatch(/Did you mean/);
    } finally {
      await dev.close();
    }
    const off = await bootTestApp({ env: { GRAPHQL_SUGGESTIONS: 'off' } });
    try {
      const a = await signup(off);
      expect(JSON.stringify((await gql(off, a.token, TYPO)).errors)).not.toMatch(/Did you mean/);
    } finally {
      await off.close();
    }
  });

  it('GRAPHQL_SUGGESTIONS=on is refused in production', async () => {
    await expect(bootTestApp({ env: { NODE_ENV: 'production', GRAPHQL_SUGGESTIONS: 'on' } })).rejects.toThrow(/GRAPHQL_SUGGESTIONS cannot be on in production/);
  });
});

describe('security: /metrics', () => {
  it('production without METRICS_TOKEN or METRICS_PORT: off (404)', async () => {
    const prod = await bootTestApp({ env: { NODE_ENV: 'production' } });
    try {
      const res = await request(prod.http).get('/metrics').expect(404);
      expect(res.text).not.toContain('touchpoint_');
    } finally {
      await prod.close();
    }
  });

  it('METRICS_TOKEN: 401 without the bearer token or with a wrong one, 200 with it', async () => {
    const prod = await bootTestApp({ env: { NODE_ENV: 'production', METRICS_TOKEN: TOKEN } });
    try {
      const none = await request(prod.http).get('/metrics').expect(401);
      expect(none.body.detail).toMatch(/METRICS_TOKEN/);
      expect(none.text).not.toContain('touchpoint_');
      await request(prod.http).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
      await request(prod.http).get('/metrics').set('Authorization', TOKEN).expect(401);
      const ok = await request(prod.http).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(ok.text).toContain('touchpoint_http_request_duration_seconds');
    } finally {
      await prod.close();
    }
  });

  it('METRICS_PORT: served there only (with the token when set); the API port answers 404', async () => {
    const port = await freePort();
    const prod = await bootTestApp({ env: { NODE_ENV: 'production', METRICS_PORT: String(port), METRICS_TOKEN: TOKEN } });
    try {
      expect(prod.app.get(MetricsServer).port()).toBe(port);
      await request(prod.http).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
      const base = `http://127.0.0.1:${port}`;
      await request(base).get('/metrics').expect(401);
      const ok = await request(base).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(ok.text).toContain('touchpoint_http_request_duration_seconds');
      await request(base).get('/v1/candidates').expect(404);
    } finally {
      await prod.close();
    }
    // Closed with the app.
    await expect(request(`http://127.0.0.1:${port}`).get('/metrics')).rejects.toThrow();
  });

  it('bad settings stop the boot with a message', async () => {
    await expect(bootTestApp({ env: { METRICS_TOKEN: 'short' } })).rejects.toThrow(/METRICS_TOKEN must be at least 24 characters/);
    await expect(bootTestApp({ env: { METRICS_PORT: '70000' } })).rejects.toThrow(/METRICS_PORT must be an integer/);
  });
});
