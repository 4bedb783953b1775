import request from 'supertest';
import { bootTestApp, gql, signup, SignedUp, TestApp } from './support/test-app';

describe('HTTP hygiene', () => {
  let t: TestApp;
  let a: SignedUp;
  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('health: live and ready (the database answers)', async () => {
    await request(t.http).get('/health/live').expect(200, { status: 'ok' });
    await request(t.http).get('/health/ready').expect(200, { status: 'ok', database: 'ok' });
  });

  it('sends helmet headers and a correlation id, echoing a sane incoming one', async () => {
    const res = await request(t.http).get('/health/live').set('X-Request-Id', 'abc-123').expect(200);
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-frame-options']).toBeDefined();
    // The same set on answers that are errors: refused, not found, invalid.
    for (const failed of [
      await request(t.http).get('/v1/me').expect(401),
      await request(t.http).get('/v1/no-such-thing').expect(404),
      await request(t.http).get('/v1/candidates?limit=0').set('Authorization', `Bearer ${a.token}`).expect(400),
    ]) {
      expect(failed.headers['x-content-type-options']).toBe('nosniff');
      expect(failed.headers['content-security-policy']).toContain("default-src 'self'");
      expect(failed.headers['x-frame-options']).toBeDefined();
    }
    const bad = await request(t.http).get('/health/live').set('X-Request-Id', 'bad id with spaces <script>').expect(200);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the correlation id is in error bodies', async () => {
    const res = await request(t.http).get('/v1/me').set('X-Request-Id', 'trace-42').expect(401);
    expect(res.body.correlationId).toBe('trace-42');
  });

  it('serves OpenAPI at /openapi.json and Swagger UI at /docs', async () => {
    const spec = await request(t.http).get('/openapi.json').expect(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    for (const path of ['/v1/auth/signup', '/v1/auth/login', '/v1/auth/refresh', '/v1/me', '/v1/users', '/v1/api-keys']) {
      expect(Object.keys(spec.body.paths)).toContain(path);
    }
    const docs = await request(t.http).get('/docs').redirects(1).expect(200);
    expect(docs.text).toMatch(/swagger/i);
  });

  describe('GraphQL limits', () => {
    it('accepts queries within the limits, fragments included', async () => {
      expect((await gql(t, a.token, '{ me { tenant { id } user { id } } }')).errors).toBeUndefined();
      expect((await gql(t, a.token, 'query { me { ...F } } fragment F on Me { tenant { id } }')).errors).toBeUndefined();
    });

    it('refuses too many aliases with QUERY_TOO_COMPLEX', async () => {
      const aliases = Array.from({ length: 40 }, (_, i) => `m${i}: me { kind }`).join(' ');
      const res = await gql(t, a.token, `{ ${aliases} }`);
      expect(res.data).toBeUndefined();
      expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect(res.errors?.[0]?.message).toMatch(/aliases/);
    });

    it('never includes a stack trace', async () => {
      const res = await gql(t, a.token, '{ user(id: "nope") { id } }');
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(JSON.stringify(res.errors)).not.toMatch(/stacktrace|\.ts:\d+/);
    });

    it('answers an unauthenticated query with UNAUTHENTICATED', async () => {
      const res = await gql(t, undefined, '{ me { kind } }');
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  it('refuses depth beyond the configured limit', async () => {
    const shallow = await bootTestApp({ env: { GRAPHQL_MAX_DEPTH: '2' } });
    try {
      const res = await gql(shallow, a.token, '{ me { tenant { id } } }');
      expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect(res.errors?.[0]?.message).toMatch(/depth 3 exceeds the limit of 2/);
      const viaFragment = await gql(shallow, a.token, 'query { me { ...F } } fragment F on Me { tenant { id } }');
      expect(viaFragment.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    } finally {
      await shallow.close();
    }
  });

  it('refuses complexity beyond the configured limit', async () => {
    const small = await bootTestApp({ env: { GRAPHQL_MAX_COMPLEXITY: '10' } });
    try {
      const res = await gql(small, a.token, '{ me { kind scopes user { id name email role status } tenant { id name timeZone status } } }');
      expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    } finally {
      await small.close();
    }
  });

  it('introspection follows NODE_ENV: off in production', async () => {
    const dev = await gql(t, a.token, '{ __schema { queryType { name } } }');
    expect(dev.errors).toBeUndefined();
    const prod = await bootTestApp({ env: { NODE_ENV: 'production', DATABASE_URL: process.env.DATABASE_URL ?? '' } });
    try {
      const res = await gql(prod, a.token, '{ __schema { queryType { name } } }');
      expect(res.errors?.[0]?.message).toMatch(/introspection/i);
    } finally {
      await prod.close();
    }
  });
});
