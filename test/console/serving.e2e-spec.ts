import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { bootTestApp, TestApp } from '../support/test-app';

/**
 * The console is served at / (and its page routes) with a strict CSP; the API keeps /v1,
 * /graphql, /docs; an unknown path stays the API's problem+json 404. Uses a stand-in build so
 * it does not depend on `npm run build:console` (the browser suite serves the real one).
 */
describe('serving the console', () => {
  let t: TestApp;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'touchpoint-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Touchpoint</title><script type="module" src="/assets/app-abc123.js"></script>');
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log("hi")');
    t = await bootTestApp({ env: { CONSOLE_DIR: dir } });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['/', '/today', '/replies/candidate/00000000-0000-4000-8000-000000000000', '/candidates/x', '/settings', '/sign-in'])('%s is the page, with a strict CSP', async (path) => {
    const res = await request(t.http).get(path).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).not.toContain('upgrade-insecure-requests'); // PUBLIC_URL is http here
    expect(res.text).toContain('/assets/app-abc123.js');
  });

  it('hashed assets are cached for good', async () => {
    const res = await request(t.http).get('/assets/app-abc123.js').expect(200);
    expect(res.headers['cache-control']).toMatch(/max-age=31536000.*immutable|immutable.*max-age=31536000/);
  });

  it('the API keeps its paths; an unknown path is still a problem+json 404; /docs alone allows inline script', async () => {
    await request(t.http).get('/health/live').expect(200);
    const missing = await request(t.http).get('/nothing-here').expect(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    const docs = await request(t.http).get('/docs').expect(200);
    expect(docs.headers['content-security-policy']).toContain("'unsafe-inline'");
    const api = await request(t.http).get('/v1/me').expect(401);
    expect(api.headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  it('behind https, the policy also upgrades insecure requests', async () => {
    const secure = await bootTestApp({ env: { CONSOLE_DIR: mkdtempSync(join(tmpdir(), 'touchpoint-no-console-')), PUBLIC_URL: 'https://touchpoint.example.com' } });
    try {
      const res = await request(secure.http).get('/health/live').expect(200);
      expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    } finally {
      await secure.close();
    }
  });

  it('without a build, the pages say how to build it (503) and the API works', async () => {
    const bare = await bootTestApp({ env: { CONSOLE_DIR: mkdtempSync(join(tmpdir(), 'touchpoint-no-console-')) } });
    try {
      const res = await request(bare.http).get('/').expect(503);
      expect(res.text).toContain('npm run build:console');
      await request(bare.http).get('/health/live').expect(200);
    } finally {
      await bare.close();
    }
  });
});
