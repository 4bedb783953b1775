import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { DispatcherService } from '../../src/follow-ups/dispatch/dispatcher.service';
import { bootTestApp, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';

export interface EngineHarness {
  t: TestApp;
  clock: ManualClock;
  dispatcher: DispatcherService;
}

/** The real app with a manual clock and the scheduler off: tests move time and drain the dispatcher. */
export async function bootEngine(start: string, env: Record<string, string> = {}): Promise<EngineHarness> {
  const clock = new ManualClock(start);
  const t = await bootTestApp({ clock, env: { SCHEDULER: 'off', ...env } });
  return { t, clock, dispatcher: t.app.get(DispatcherService) };
}

export function api(t: TestApp, who: SignedUp) {
  const auth = { Authorization: `Bearer ${who.token}` };
  return {
    post: (path: string, body: object = {}) => request(t.http).post(path).set(auth).send(body),
    put: (path: string, body: object = {}) => request(t.http).put(path).set(auth).send(body),
    patch: (path: string, body: object = {}) => request(t.http).patch(path).set(auth).send(body),
    get: (path: string) => request(t.http).get(path).set(auth),
  };
}

export async function followUpsOf(tenantId: string, where = 'true', params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return withAdminDb(async (c) => {
    const r = await c.query(`SELECT * FROM follow_ups WHERE tenant_id = $1 AND ${where} ORDER BY due_at, rule`, [tenantId, ...params]);
    return r.rows;
  });
}

export async function messagesOf(tenantId: string): Promise<Record<string, unknown>[]> {
  return withAdminDb(async (c) => (await c.query(`SELECT * FROM messages WHERE tenant_id = $1 ORDER BY created_at`, [tenantId])).rows);
}

export { signup };
