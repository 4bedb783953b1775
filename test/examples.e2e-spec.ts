import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { WebhookDeliveryWorker } from '../src/webhooks/webhook-delivery.worker';
import { bootTestApp, signup, SignedUp, TestApp, useIsolatedDatabase } from './support/test-app';

// The runnable examples of the README (examples/), run as an integrator would: plain `node`, the
// API's address and a key from the environment, against a started app. The delivery worker is
// cross-tenant: this file gets a database of its own.
useIsolatedDatabase();

const ROOT = join(__dirname, '..');

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'examples', script)], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (out: string): Record<string, unknown>[] =>
  out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const got = probe();
    if (got !== undefined) return got;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the README examples run as written (examples/)', () => {
  let t: TestApp;
  let url: string;
  let admin: SignedUp;
  let key: string;

  beforeAll(async () => {
    t = await bootTestApp({ env: { SCHEDULER: 'off' } });
    await t.app.listen(0, '127.0.0.1');
    url = await t.app.getUrl();
    url = url.replace('[::1]', '127.0.0.1');
    admin = await signup(t);
    const created = await request(t.http)
      .post('/v1/api-keys')
      .set('authorization', `Bearer ${admin.token}`)
      .send({ name: 'ATS sync', preset: 'integration' })
      .expect(201);
    key = created.body.secret as string;
  });
  afterAll(async () => {
    await t.close();
  });

  const asKey = (path: string, body: object) => request(t.http).post(path).set('authorization', `Bearer ${key}`).send(body);

  it('ats-sync.mjs pulls every candidate once, resumes where it stopped, and sees changes and deletions', async () => {
    for (const name of ['Ada Lovelace', 'Grace Hopper', 'Alan Turing']) {
      await asKey('/v1/candidates', { name, externalId: name.split(' ')[1]!.toUpperCase(), externalSource: 'ats' }).expect(201);
    }
    const env = { API: url, TOUCHPOINT_API_KEY: key, SYNC_STATE: join(mkdtempSync(join(tmpdir(), 'tp-sync-')), 'state.json') };

    const first = await run('ats-sync.mjs', env);
    expect([first.code, first.stderr.trim()]).toEqual([0, 'caught up: 3 change(s)']);
    expect(lines(first.stdout).map((l) => [l.change, l.name])).toEqual([
      ['saved', 'Ada Lovelace'],
      ['saved', 'Grace Hopper'],
      ['saved', 'Alan Turing'],
    ]);

    // Nothing changed: nothing printed.
    const again = await run('ats-sync.mjs', env);
    expect([again.code, again.stdout, again.stderr.trim()]).toEqual([0, '', 'caught up: 0 change(s)']);

    // One renamed, one deleted: exactly those two, in the order they happened.
    const grace = lines(first.stdout)[1]!.id as string;
    const alan = lines(first.stdout)[2]!.id as string;
    await request(t.http).patch(`/v1/candidates/${grace}`).set('authorization', `Bearer ${key}`).send({ name: 'Grace B. Hopper' }).expect(200);
    await request(t.http).delete(`/v1/candidates/${alan}`).set('authorization', `Bearer ${key}`).expect(204);
    const third = await run('ats-sync.mjs', env);
    expect(third.code).toBe(0);
    expect(lines(third.stdout).map((l) => [l.change, l.id])).toEqual([
      ['saved', grace],
      ['deleted', alan],
    ]);
  });

  it('ats-sync.mjs without a key, or with a wrong one, says so and exits non-zero', async () => {
    const none = await run('ats-sync.mjs', { API: url });
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('TOUCHPOINT_API_KEY')]);
    const wrong = await run('ats-sync.mjs', { API: url, TOUCHPOINT_API_KEY: 'tp_not_a_key', SYNC_STATE: join(mkdtempSync(join(tmpdir(), 'tp-sync-')), 's.json') });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^sync failed: /);
    expect(wrong.stderr).not.toContain('undefined');
  });

  it('webhook-receiver.mjs verifies the signature, handles each event once and refuses a forged one', async () => {
    const port = await freePort();
    const subscribed = await request(t.http)
      .post('/v1/webhook-subscriptions')
      .set('authorization', `Bearer ${admin.token}`)
      .send({ url: `http://127.0.0.1:${port}/touchpoint`, eventTypes: ['candidate.*'] })
      .expect(201);
    let receiver: ChildProcess | undefined;
    let stdout = '';
    let stderr = '';
    try {
      receiver = spawn(process.execPath, [join(ROOT, 'examples', 'webhook-receiver.mjs')], {
        env: { PATH: process.env.PATH ?? '', PORT: String(port), TOUCHPOINT_WEBHOOK_SECRET: subscribed.body.secret as string },
      });
      receiver.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      receiver.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      await waitFor('the receiver to listen', () => (stderr.includes('listening on') ? true : undefined));

      const created = await asKey('/v1/candidates', { name: 'Katherine Johnson' }).expect(201);
      await t.app.get(WebhookDeliveryWorker).drain();
      const events = await waitFor('the event to be handled', () => (stdout.trim() ? lines(stdout) : undefined));
      expect(events).toEqual([expect.objectContaining({ event: 'candidate.created', data: expect.objectContaining({ candidateId: created.body.id }) })]);

      // A forged request (no valid signature) is refused; nothing is handled.
      const forged = await fetch(`http://127.0.0.1:${port}/touchpoint`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'touchpoint-timestamp': String(Math.floor(Date.now() / 1000)), 'touchpoint-signature': 'v1=00' },
        body: JSON.stringify({ id: 'evt', type: 'candidate.created', data: {} }),
      });
      expect(forged.status).toBe(401);
      expect(lines(stdout)).toHaveLength(1);
    } finally {
      receiver?.kill();
    }
  });
});
