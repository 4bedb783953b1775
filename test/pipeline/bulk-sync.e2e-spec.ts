import { ManualClock } from '../../src/common/clock';
import { bootTestApp, countRows, createApiKey, gql, signup, TestApp, withAdminDb } from '../support/test-app';
import { api } from './pipeline-support';

const UPSERT = `mutation($input: [UpsertCandidatesItemInput!]!, $atomic: Boolean) {
  upsertCandidates(input: $input, atomic: $atomic) {
    atomic written failed
    results { index externalId created candidate { id name phone externalId externalSource } error { code message field } }
  }
}`;

interface UpsertAnswer {
  upsertCandidates: {
    atomic: boolean;
    written: number;
    failed: number;
    results: { index: number; externalId: string; created: boolean; candidate: { id: string; name: string; phone: string | null } | null; error: { code: string; message: string; field: string | null } | null }[];
  };
}

function batch(tag: string, n: number, invalid: Record<number, Record<string, unknown>> = {}): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    externalId: `${tag}-${i}`,
    externalSource: 'bullhorn',
    name: `Candidate ${i}`,
    email: `cand.${i}.${tag}@example.com`,
    phone: `+1415555${String(1000 + i).padStart(4, '0')}`,
    ...invalid[i],
  }));
}

const INVALID = { 5: { phone: '12' }, 42: { email: 'not-an-email' }, 77: { timeZone: 'Mars/Olympus' } };

describe('bulk upsert and incremental sync (GraphQL)', () => {
  let t: TestApp;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock(new Date());
    t = await bootTestApp({ clock, env: { SCHEDULER: 'off' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers unchanged next to written, and each item whether it changed anything; omitted fields are kept, null clears', async () => {
    const a = await signup(t);
    const Q = `mutation($input: [UpsertCandidatesItemInput!]!) {
      upsertCandidates(input: $input) { written unchanged failed results { externalId created changed candidate { email phone timeZone } } } }`;
    type Answer = { upsertCandidates: { written: number; unchanged: number; failed: number; results: { externalId: string; created: boolean; changed: boolean; candidate: { email: string | null; phone: string | null; timeZone: string | null } }[] } };
    const push = async (input: Record<string, unknown>[]) => {
      const r = await gql<Answer>(t, a.token, Q, { input });
      expect(r.errors).toBeUndefined();
      return r.data!.upsertCandidates;
    };
    const items = batch('chg', 3).map((i) => ({ ...i, timeZone: 'America/Chicago' })) as unknown as { externalId: string; name: string; email: string; phone: string }[];
    const first = await push(items);
    expect([first.written, first.unchanged, first.failed]).toEqual([3, 0, 0]);
    expect(first.results.map((r) => [r.created, r.changed])).toEqual([[true, true], [true, true], [true, true]]);

    const again = await push(items);
    expect([again.written, again.unchanged, again.failed]).toEqual([3, 3, 0]);
    expect(again.results.map((r) => [r.created, r.changed])).toEqual([[false, false], [false, false], [false, false]]);

    // Item 0: a new phone; item 1: only name and id (everything omitted is kept); item 2: email null (cleared).
    const mixed = await push([
      { ...items[0], phone: '+14155559999' },
      { externalId: items[1]!.externalId, externalSource: 'bullhorn', name: items[1]!.name },
      { ...items[2], email: null },
    ]);
    expect([mixed.written, mixed.unchanged]).toEqual([3, 1]);
    expect(mixed.results.map((r) => r.changed)).toEqual([true, false, true]);
    expect(mixed.results[0]!.candidate.phone).toBe('+14155559999');
    expect(mixed.results[1]!.candidate).toEqual({ email: items[1]!.email, phone: items[1]!.phone, timeZone: 'America/Chicago' });
    expect(mixed.results[2]!.candidate.email).toBeNull();
  });

  it('100 items with 3 invalid: per-item errors, the 97 valid rows written; re-sending changes nothing', async () => {
    const a = await signup(t);
    const input = batch('bulk', 100, INVALID);
    const res = await gql<UpsertAnswer>(t, a.token, UPSERT, { input });
    expect(res.errors).toBeUndefined();
    const out = res.data!.upsertCandidates;
    expect(out).toMatchObject({ atomic: false, written: 97, failed: 3 });
    expect(out.results).toHaveLength(100);
    expect(out.results.map((r) => r.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const errors = out.results.filter((r) => r.error).map((r) => [r.index, r.externalId, r.error!.code, r.error!.field]);
    expect(errors).toEqual([
      [5, 'bulk-5', 'VALIDATION_FAILED', 'phone'],
      [42, 'bulk-42', 'VALIDATION_FAILED', 'email'],
      [77, 'bulk-77', 'VALIDATION_FAILED', 'timeZone'],
    ]);
    expect(out.results.filter((r) => r.error).every((r) => r.candidate === null)).toBe(true);
    expect(out.results[0]).toMatchObject({ created: true, candidate: { name: 'Candidate 0', phone: '+14155551000' } });
    expect(await countRows('candidates', 'tenant_id = $1', [a.tenantId])).toBe(97);
    expect(await countRows('candidates', `tenant_id = $1 AND external_id = 'bulk-5'`, [a.tenantId])).toBe(0);

    // Idempotent: the same batch again creates nothing, changes nothing, emits nothing.
    const events = await countRows('outbox_events', 'tenant_id = $1', [a.tenantId]);
    const again = (await gql<UpsertAnswer>(t, a.token, UPSERT, { input })).data!.upsertCandidates;
    expect(again).toMatchObject({ written: 97, failed: 3 });
    expect(again.results.filter((r) => r.created)).toHaveLength(0);
    expect(await countRows('candidates', 'tenant_id = $1', [a.tenantId])).toBe(97);
    expect(await countRows('outbox_events', 'tenant_id = $1', [a.tenantId])).toBe(events);
    // Fixing the invalid rows writes them; an existing candidate is updated, not duplicated.
    const fixed = (await gql<UpsertAnswer>(t, a.token, UPSERT, { input: [{ externalId: 'bulk-5', externalSource: 'bullhorn', name: 'Five' }, { externalId: 'bulk-0', externalSource: 'bullhorn', name: 'Zero Renamed' }] })).data!.upsertCandidates;
    expect(fixed.results.map((r) => [r.created, r.candidate?.name])).toEqual([[true, 'Five'], [false, 'Zero Renamed']]);
    expect(await countRows('candidates', 'tenant_id = $1', [a.tenantId])).toBe(98);
  });

  it('atomic: true with 3 invalid items writes none of the 100', async () => {
    const a = await signup(t);
    const res = (await gql<UpsertAnswer>(t, a.token, UPSERT, { input: batch('atomic', 100, INVALID), atomic: true })).data!.upsertCandidates;
    expect(res).toMatchObject({ atomic: true, written: 0, failed: 100 });
    expect(res.results.filter((r) => r.error?.code === 'VALIDATION_FAILED').map((r) => r.index)).toEqual([5, 42, 77]);
    expect(res.results.filter((r) => r.error?.code === 'ABORTED')).toHaveLength(97);
    expect(await countRows('candidates', 'tenant_id = $1', [a.tenantId])).toBe(0);
    expect(await countRows('outbox_events', 'tenant_id = $1', [a.tenantId])).toBe(0);
    const ok = (await gql<UpsertAnswer>(t, a.token, UPSERT, { input: batch('atomic', 100), atomic: true })).data!.upsertCandidates;
    expect(ok).toMatchObject({ written: 100, failed: 0 });
    expect(await countRows('candidates', 'tenant_id = $1', [a.tenantId])).toBe(100);
  });

  it('refuses an empty or oversized batch, checks the scope, and keeps tenants apart', async () => {
    const a = await signup(t);
    const b = await signup(t);
    for (const input of [[], batch('big', 101)]) {
      const res = await gql(t, a.token, UPSERT, { input });
      expect(res.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    }
    const tenantField = await gql(t, a.token, UPSERT, { input: [{ externalId: 'x', name: 'X', tenantId: b.tenantId }] });
    expect(tenantField.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const reader = await createApiKey(t, a, ['candidates:read']);
    expect((await gql(t, reader.secret, UPSERT, { input: batch('scope', 1) })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The same external id in two tenants is two candidates; B's upsert never touches A's row.
    await gql(t, a.token, UPSERT, { input: [{ externalId: 'same', name: 'In A' }] });
    const inB = (await gql<UpsertAnswer>(t, b.token, UPSERT, { input: [{ externalId: 'same', name: 'In B' }] })).data!.upsertCandidates;
    expect(inB.results[0]!.created).toBe(true);
    const names = await withAdminDb(async (c) => (await c.query(`SELECT tenant_id, name FROM candidates WHERE external_id = 'same' AND tenant_id = ANY($1)`, [[a.tenantId, b.tenantId]])).rows);
    expect(names).toHaveLength(2);
    expect(names.find((r) => r.tenant_id === a.tenantId)!.name).toBe('In A');
    expect(await countRows('candidates', 'tenant_id = $1', [b.tenantId])).toBe(1);
  });

  it('sync: 250 candidates written in the same millisecond, paged 7 at a time with updatedSince, each change seen exactly once', async () => {
    const a = await signup(t);
    const t0 = clock.now();
    // The manual clock does not move: every row of these batches shares one updated_at.
    for (const [tag, n] of [['s1', 100], ['s2', 100], ['s3', 50]] as const) {
      const r = await gql<UpsertAnswer>(t, a.token, UPSERT, { input: batch(tag, n) });
      expect(r.data!.upsertCandidates.written).toBe(n);
    }
    const stamps = await withAdminDb(async (c) => (await c.query(`SELECT count(DISTINCT updated_at)::int AS n FROM candidates WHERE tenant_id = $1`, [a.tenantId])).rows[0].n);
    expect(stamps).toBe(1);

    const Q = `query($since: DateTime!, $after: String) {
      candidates(first: 7, updatedSince: $since, after: $after, includeDeleted: true) {
        edges { cursor node { id name updatedAt deletedAt } } pageInfo { hasNextPage endCursor } } }`;
    type Page = { candidates: { edges: { cursor: string; node: { id: string; name: string; updatedAt: string; deletedAt: string | null } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    /** Pages until the end; returns what was seen and the cursor of the last edge (where to resume). */
    const sync = async (since: Date, from?: string): Promise<{ seen: Page['candidates']['edges'][number]['node'][]; last: string | undefined; pages: number }> => {
      const seen: Page['candidates']['edges'][number]['node'][] = [];
      let after = from;
      let pages = 0;
      for (;;) {
        const res = await gql<Page>(t, a.token, Q, { since: since.toISOString(), after });
        expect(res.errors).toBeUndefined();
        const conn = res.data!.candidates;
        pages += 1;
        seen.push(...conn.edges.map((e) => e.node));
        if (conn.edges.length > 0) after = conn.edges[conn.edges.length - 1]!.cursor;
        if (!conn.pageInfo.hasNextPage) return { seen, last: after, pages };
      }
    };
    const first = await sync(t0);
    expect(first.seen).toHaveLength(250);
    expect(new Set(first.seen.map((s) => s.id)).size).toBe(250);
    expect(first.pages).toBe(36);

    // Changes after the first pass: 12 renamed and 3 deleted, again all in one millisecond.
    clock.advance(1);
    const renamed = first.seen.slice(100, 112);
    for (const c of renamed) await api(t, a).patch(`/v1/candidates/${c.id}`, { name: `${c.name} (renamed)` }).expect(200);
    const deleted = first.seen.slice(200, 203);
    for (const c of deleted) await api(t, a).delete(`/v1/candidates/${c.id}`).expect(204);
    const second = await sync(t0, first.last);
    expect(second.seen.map((s) => s.id).sort()).toEqual([...renamed, ...deleted].map((c) => c.id).sort());
    expect(second.seen.filter((s) => s.deletedAt !== null).map((s) => s.id).sort()).toEqual(deleted.map((c) => c.id).sort());
    // Nothing new: resuming again sees nothing.
    expect((await sync(t0, second.last)).seen).toEqual([]);

    // deletedSince: tombstones only, over REST and GraphQL.
    const tomb = await api(t, a).get(`/v1/candidates?deletedSince=${encodeURIComponent(t0.toISOString())}&limit=2`).expect(200);
    expect(tomb.body.items).toHaveLength(2);
    const rest = await api(t, a).get(`/v1/candidates?deletedSince=${encodeURIComponent(t0.toISOString())}&limit=2&cursor=${tomb.body.nextCursor}`).expect(200);
    expect([...tomb.body.items, ...rest.body.items].map((c: { id: string }) => c.id).sort()).toEqual(deleted.map((c) => c.id).sort());
    expect(rest.body.nextCursor).toBeNull();
    const g = await gql<{ candidates: { nodes: { id: string; deletedAt: string }[] } }>(t, a.token, `query($s: DateTime!) { candidates(deletedSince: $s, first: 100) { nodes { id deletedAt } } }`, { s: t0.toISOString() });
    expect(g.data!.candidates.nodes.map((n) => n.id).sort()).toEqual(deleted.map((c) => c.id).sort());
    await api(t, a).get('/v1/candidates?deletedSince=yesterday').expect(400);
  });

  it('deletedSince on contacts and leads', async () => {
    const a = await signup(t);
    const since = clock.advance(1);
    const contact = (await api(t, a).post('/v1/contacts', { name: 'Gone Contact' }).expect(201)).body.id as string;
    await api(t, a).post('/v1/contacts', { name: 'Kept Contact' }).expect(201);
    const candidateId = (await api(t, a).post('/v1/candidates', { name: 'Lead Owner' }).expect(201)).body.id as string;
    const lead = (await api(t, a).post('/v1/leads', { candidateId, company: 'Globex', position: 'Dev' }).expect(201)).body.id as string;
    await api(t, a).post('/v1/leads', { candidateId, company: 'Initech', position: 'Dev' }).expect(201);
    clock.advance(1);
    await api(t, a).delete(`/v1/contacts/${contact}`).expect(204);
    await api(t, a).delete(`/v1/leads/${lead}`).expect(204);
    const s = encodeURIComponent(since.toISOString());
    expect((await api(t, a).get(`/v1/contacts?deletedSince=${s}`).expect(200)).body.items.map((c: { id: string }) => c.id)).toEqual([contact]);
    expect((await api(t, a).get(`/v1/leads?deletedSince=${s}`).expect(200)).body.items.map((c: { id: string }) => c.id)).toEqual([lead]);
    const g = await gql<{ contacts: { nodes: { id: string }[] }; leads: { nodes: { id: string }[] } }>(
      t,
      a.token,
      `query($s: DateTime!) { contacts(deletedSince: $s) { nodes { id } } leads(deletedSince: $s) { nodes { id } } }`,
      { s: since.toISOString() },
    );
    expect(g.data).toEqual({ contacts: { nodes: [{ id: contact }] }, leads: { nodes: [{ id: lead }] } });
    // Another tenant's tombstones are not listed.
    const b = await signup(t);
    expect((await api(t, b).get(`/v1/contacts?deletedSince=${s}`).expect(200)).body.items).toEqual([]);
  });
});
