import { bootTestApp, countRows, gql, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';
import { api, EventLog, UNKNOWN_ID } from './pipeline-support';

const CANDIDATE_FIELDS = 'id name email phone timeZone preferredChannel ownerUserId status externalId externalSource createdAt updatedAt warnings { field code message }';

describe('candidates over REST and GraphQL', () => {
  let t: TestApp;
  let log: EventLog;
  beforeAll(async () => {
    t = await bootTestApp();
    log = new EventLog(t);
  });
  afterAll(async () => {
    log.close();
    await t.close();
  });

  const count = (tenant: SignedUp): Promise<number> => countRows('candidates', 'tenant_id = $1', [tenant.tenantId]);

  it('creates, reads, updates, lists and soft-deletes a candidate over REST', async () => {
    const a = await signup(t);
    const created = await api(t, a)
      .post('/v1/candidates', { name: 'Jane Dow', email: 'jane.doe@gmial.com', phone: '+1 (415) 555-2671', timeZone: 'America/New_York', preferredChannel: 'sms', ownerUserId: a.userId })
      .expect(201);
    expect(created.body).toMatchObject({ name: 'Jane Dow', phone: '+14155552671', status: 'active', ownerUserId: a.userId, externalSource: 'api' });
    expect(created.body.warnings.map((w: { code: string }) => w.code).sort()).toEqual(['EMAIL_DOMAIN_TYPO', 'EMAIL_NAME_MISMATCH']);
    const id = created.body.id as string;

    const got = await api(t, a).get(`/v1/candidates/${id}`).expect(200);
    expect(got.body).toMatchObject({ id, name: 'Jane Dow', email: 'jane.doe@gmial.com', warnings: [] });

    const patched = await api(t, a).patch(`/v1/candidates/${id}`, { name: 'Jane Doe', email: 'jane.doe@gmail.com', status: 'placed', phone: null }).expect(200);
    expect(patched.body).toMatchObject({ name: 'Jane Doe', email: 'jane.doe@gmail.com', status: 'placed', phone: null, warnings: [] });

    const list = await api(t, a).get('/v1/candidates?status=placed').expect(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect(list.body.nextCursor).toBeNull();

    await api(t, a).delete(`/v1/candidates/${id}`).expect(204);
    await api(t, a).get(`/v1/candidates/${id}`).expect(404);
    expect((await api(t, a).get('/v1/candidates').expect(200)).body.items).toEqual([]);
    expect(await countRows('candidates', 'tenant_id = $1 AND deleted_at IS NOT NULL', [a.tenantId])).toBe(1);

    expect(log.of(a.tenantId).filter((e) => e.type.startsWith('candidate.')).map((e) => e.type)).toEqual([
      'candidate.created',
      'candidate.updated',
      'candidate.deleted',
    ]);
    const updated = log.of(a.tenantId, 'candidate.updated')[0]!;
    expect(updated.payload).toMatchObject({ candidateId: id, fields: expect.arrayContaining(['name', 'email', 'status', 'phone']) });
    expect(updated.actor).toEqual({ kind: 'user', id: a.userId });
  });

  it('does the same over GraphQL, with a Relay connection', async () => {
    const a = await signup(t);
    const c = await gql<{ createCandidate: { id: string; phone: string; warnings: unknown[] } }>(
      t,
      a.token,
      `mutation($input: CreateCandidateInput!) { createCandidate(input: $input) { ${CANDIDATE_FIELDS} } }`,
      { input: { name: 'Sam Lee', email: 'sam.lee@example.com', phone: '+44 20 7946 0958' } },
    );
    expect(c.errors).toBeUndefined();
    expect(c.data?.createCandidate.phone).toBe('+442079460958');
    const id = c.data!.createCandidate.id;

    const one = await gql<{ candidate: { name: string } }>(t, a.token, `query($id: ID!) { candidate(id: $id) { name } }`, { id });
    expect(one.data?.candidate.name).toBe('Sam Lee');

    const up = await gql<{ updateCandidate: { status: string } }>(
      t,
      a.token,
      `mutation($id: ID!) { updateCandidate(id: $id, input: { status: inactive }) { status } }`,
      { id },
    );
    expect(up.errors).toBeUndefined();
    expect(up.data?.updateCandidate.status).toBe('inactive');

    const conn = await gql<{ candidates: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
      t,
      a.token,
      `{ candidates(first: 10, status: inactive) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(conn.errors).toBeUndefined();
    expect(conn.data?.candidates.edges.map((e) => e.node.id)).toEqual([id]);
    expect(conn.data?.candidates.pageInfo).toEqual({ hasNextPage: false, endCursor: null });

    const del = await gql<{ deleteCandidate: boolean }>(t, a.token, `mutation($id: ID!) { deleteCandidate(id: $id) }`, { id });
    expect(del.data?.deleteCandidate).toBe(true);
    const gone = await gql(t, a.token, `query($id: ID!) { candidate(id: $id) { id } }`, { id });
    expect(gone.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('pages with a stable order, filters by text, owner and updatedSince', async () => {
    const a = await signup(t);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await api(t, a).post('/v1/candidates', { name: `Person ${i}`, email: `person${i}@example.com`, ...(i % 2 === 0 ? { ownerUserId: a.userId } : {}) }).expect(201)).body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await api(t, a).get(`/v1/candidates?limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const q = await api(t, a).get('/v1/candidates?q=PERSON3').expect(200);
    expect(q.body.items.map((c: { id: string }) => c.id)).toEqual([ids[3]]);
    const owned = await api(t, a).get(`/v1/candidates?ownerUserId=${a.userId}`).expect(200);
    expect(owned.body.items).toHaveLength(3);

    const since = new Date().toISOString();
    await api(t, a).patch(`/v1/candidates/${ids[1]}`, { name: 'Person One' }).expect(200);
    const sync = await api(t, a).get(`/v1/candidates?updatedSince=${encodeURIComponent(since)}`).expect(200);
    expect(sync.body.items.map((c: { id: string }) => c.id)).toEqual([ids[1]]);

    // Deletions reach a sync too, with includeDeleted.
    await api(t, a).delete(`/v1/candidates/${ids[2]}`).expect(204);
    const withDeleted = await api(t, a).get(`/v1/candidates?updatedSince=${encodeURIComponent(since)}&includeDeleted=true`).expect(200);
    expect(withDeleted.body.items.map((c: { id: string; deletedAt: string | null }) => [c.id, c.deletedAt !== null])).toEqual([
      [ids[1], false],
      [ids[2], true],
    ]);
    expect((await api(t, a).get(`/v1/candidates?updatedSince=${encodeURIComponent(since)}`).expect(200)).body.items).toHaveLength(1);
    const g = await gql<{ candidates: { nodes: { id: string; deletedAt: string | null }[] } }>(t, a.token, `query($s: DateTime) { candidates(updatedSince: $s, includeDeleted: true) { nodes { id deletedAt } } }`, { s: since });
    expect(g.data?.candidates.nodes.map((n) => n.id)).toEqual([ids[1], ids[2]]);
    await api(t, a).get('/v1/candidates?includeDeleted=maybe').expect(400);

    // GraphQL walks the same pages with first/after.
    const first = await gql<{ candidates: { nodes: { id: string }[]; pageInfo: { endCursor: string } } }>(t, a.token, `{ candidates(first: 3) { nodes { id } pageInfo { hasNextPage endCursor } } }`);
    const second = await gql<{ candidates: { nodes: { id: string }[] } }>(t, a.token, `query($after: String) { candidates(first: 3, after: $after) { nodes { id } } }`, {
      after: first.data!.candidates.pageInfo.endCursor,
    });
    expect([...first.data!.candidates.nodes, ...second.data!.candidates.nodes].map((n) => n.id)).toEqual([...ids].reverse().filter((id) => id !== ids[2]));
  });

  it('refuses bad input with the right 4xx and writes nothing', async () => {
    const a = await signup(t);
    const b = await signup(t);
    const existing = (await api(t, a).post('/v1/candidates', { name: 'Kept Person' }).expect(201)).body.id as string;
    const before = await count(a);
    const cases: { name: string; run: () => Promise<{ status: number; body: { code?: string; errors?: { field: string }[] } }>; status: number; field?: string }[] = [
      { name: 'bad phone', run: () => api(t, a).post('/v1/candidates', { name: 'X', phone: '555-0100' }), status: 400, field: 'phone' },
      { name: 'bad email', run: () => api(t, a).post('/v1/candidates', { name: 'X', email: 'not-an-email' }), status: 400, field: 'email' },
      { name: 'bad time zone', run: () => api(t, a).post('/v1/candidates', { name: 'X', timeZone: 'Mars/Olympus' }), status: 400, field: 'timeZone' },
      { name: 'bad status', run: () => api(t, a).post('/v1/candidates', { name: 'X', status: 'hired' }), status: 400, field: 'status' },
      { name: 'missing name', run: () => api(t, a).post('/v1/candidates', { email: 'x@example.com' }), status: 400, field: 'name' },
      { name: 'unknown field tenantId', run: () => api(t, a).post('/v1/candidates', { name: 'X', tenantId: b.tenantId }), status: 400, field: 'tenantId' },
      { name: 'owner of another tenant', run: () => api(t, a).post('/v1/candidates', { name: 'X', ownerUserId: b.userId }), status: 400, field: 'ownerUserId' },
      { name: 'unknown owner', run: () => api(t, a).post('/v1/candidates', { name: 'X', ownerUserId: UNKNOWN_ID }), status: 400, field: 'ownerUserId' },
      { name: 'limit=1000', run: () => api(t, a).get('/v1/candidates?limit=1000'), status: 400, field: 'limit' },
      { name: 'bad cursor', run: () => api(t, a).get('/v1/candidates?cursor=bm90LWEtY3Vyc29y'), status: 400, field: 'cursor' },
      { name: 'unknown query param', run: () => api(t, a).get('/v1/candidates?tenantId=x'), status: 400, field: 'tenantId' },
      { name: 'unknown id (get)', run: () => api(t, a).get(`/v1/candidates/${UNKNOWN_ID}`), status: 404 },
      { name: 'malformed id', run: () => api(t, a).get('/v1/candidates/not-a-uuid'), status: 404 },
      { name: 'unknown id (patch)', run: () => api(t, a).patch(`/v1/candidates/${UNKNOWN_ID}`, { name: 'Y' }), status: 404 },
      { name: 'unknown id (delete)', run: () => api(t, a).delete(`/v1/candidates/${UNKNOWN_ID}`), status: 404 },
      { name: 'bad phone on patch', run: () => api(t, a).patch(`/v1/candidates/${existing}`, { phone: '+1 555' }), status: 400, field: 'phone' },
      { name: 'tenantId on patch', run: () => api(t, a).patch(`/v1/candidates/${existing}`, { tenantId: b.tenantId }), status: 400, field: 'tenantId' },
      { name: 'bad external id on upsert', run: () => api(t, a).put('/v1/candidates/by-external-id/has%20space', { name: 'X' }), status: 400, field: 'externalId' },
    ];
    const eventsBefore = log.of(a.tenantId).length;
    for (const c of cases) {
      const res = await c.run();
      expect({ name: c.name, status: res.status }).toEqual({ name: c.name, status: c.status });
      if (c.field) expect({ name: c.name, fields: res.body.errors?.map((e) => e.field) }).toEqual({ name: c.name, fields: expect.arrayContaining([c.field]) });
    }
    expect(await count(a)).toBe(before);
    expect((await api(t, a).get(`/v1/candidates/${existing}`).expect(200)).body.name).toBe('Kept Person');
    expect(log.of(a.tenantId)).toHaveLength(eventsBefore);

    const gqlCases: [string, string, Record<string, unknown>, string][] = [
      ['bad phone', `mutation($i: CreateCandidateInput!) { createCandidate(input: $i) { id } }`, { i: { name: 'X', phone: 'abc' } }, 'VALIDATION_FAILED'],
      ['tenantId in input', `mutation($i: CreateCandidateInput!) { createCandidate(input: $i) { id } }`, { i: { name: 'X', tenantId: b.tenantId } }, 'BAD_USER_INPUT'],
      ['tenantId argument', `{ candidates(tenantId: "${b.tenantId}") { nodes { id } } }`, {}, 'GRAPHQL_VALIDATION_FAILED'],
      ['first: 1000', `{ candidates(first: 1000) { nodes { id } } }`, {}, 'VALIDATION_FAILED'],
      ['bad cursor', `{ candidates(after: "garbage") { nodes { id } } }`, {}, 'VALIDATION_FAILED'],
      ['unknown id', `{ candidate(id: "${UNKNOWN_ID}") { id } }`, {}, 'NOT_FOUND'],
    ];
    for (const [name, query, variables, code] of gqlCases) {
      const res = await gql(t, a.token, query, variables);
      expect({ name, code: res.errors?.[0]?.extensions?.code }).toEqual({ name, code });
    }
    expect(await count(a)).toBe(before);
  });

  it('keeps tenants apart: B cannot read, list, update or delete A’s candidate', async () => {
    const a = await signup(t);
    const b = await signup(t);
    const id = (await api(t, a).post('/v1/candidates', { name: 'Private Person', email: 'private@example.com' }).expect(201)).body.id as string;

    await api(t, b).get(`/v1/candidates/${id}`).expect(404);
    expect((await api(t, b).get('/v1/candidates').expect(200)).body.items).toEqual([]);
    expect((await api(t, b).get('/v1/candidates?q=Private').expect(200)).body.items).toEqual([]);
    await api(t, b).patch(`/v1/candidates/${id}`, { name: 'Hijacked' }).expect(404);
    await api(t, b).delete(`/v1/candidates/${id}`).expect(404);

    expect((await gql(t, b.token, `query($id: ID!) { candidate(id: $id) { id } }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql<{ candidates: { nodes: unknown[] } }>(t, b.token, `{ candidates { nodes { id } } }`)).data?.candidates.nodes).toEqual([]);
    expect((await gql(t, b.token, `mutation($id: ID!) { updateCandidate(id: $id, input: { name: "Hijacked" }) { id } }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql(t, b.token, `mutation($id: ID!) { deleteCandidate(id: $id) }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const row = await withAdminDb((c) => c.query('SELECT name, deleted_at FROM candidates WHERE id = $1', [id]));
    expect(row.rows[0]).toEqual({ name: 'Private Person', deleted_at: null });
    expect(log.of(b.tenantId).filter((e) => e.type.startsWith('candidate.'))).toEqual([]);
  });

  it('upserts by externalId: twice gives one row, and an unchanged upsert emits nothing', async () => {
    const a = await signup(t);
    const body = { name: 'Ada Ats', email: 'ada@example.com', phone: '+14155550199' };
    const first = await api(t, a).put('/v1/candidates/by-external-id/BH-1?source=bullhorn', body).expect(200);
    const second = await api(t, a).put('/v1/candidates/by-external-id/BH-1?source=bullhorn', body).expect(200);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body).toMatchObject({ externalId: 'BH-1', externalSource: 'bullhorn', phone: '+14155550199' });
    expect(await count(a)).toBe(1);
    expect(log.of(a.tenantId, 'candidate.created')).toHaveLength(1);
    expect(log.of(a.tenantId, 'candidate.updated')).toHaveLength(0);

    // The same external id from another source is another candidate.
    await api(t, a).put('/v1/candidates/by-external-id/BH-1', body).expect(200);
    expect(await count(a)).toBe(2);

    const m = `mutation($input: UpsertCandidateInput!) { upsertCandidate(externalId: "BH-1", externalSource: "bullhorn", input: $input) { id name } }`;
    const g1 = await gql<{ upsertCandidate: { id: string; name: string } }>(t, a.token, m, { input: { ...body, name: 'Ada Lovelace' } });
    const g2 = await gql<{ upsertCandidate: { id: string; name: string } }>(t, a.token, m, { input: { ...body, name: 'Ada Lovelace' } });
    expect(g1.errors).toBeUndefined();
    expect(g1.data?.upsertCandidate).toEqual({ id: first.body.id, name: 'Ada Lovelace' });
    expect(g2.data?.upsertCandidate.id).toBe(first.body.id);
    expect(await count(a)).toBe(2);
    expect(log.of(a.tenantId, 'candidate.updated')).toHaveLength(1);

    // Concurrent upserts of a new external id still make one row.
    const results = await Promise.all(
      Array.from({ length: 5 }, () => api(t, a).put('/v1/candidates/by-external-id/RACE-1', { name: 'Racer' })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await countRows('candidates', 'tenant_id = $1 AND external_id = $2', [a.tenantId, 'RACE-1'])).toBe(1);

    // Deleting and upserting again restores the same row (an update, not a second candidate).
    await api(t, a).delete(`/v1/candidates/${first.body.id}`).expect(204);
    const restored = await api(t, a).put('/v1/candidates/by-external-id/BH-1?source=bullhorn', { ...body, name: 'Ada Lovelace' }).expect(200);
    expect(restored.body.id).toBe(first.body.id);
    await api(t, a).get(`/v1/candidates/${first.body.id}`).expect(200);
    expect(log.of(a.tenantId, 'candidate.updated').filter((e) => e.payload.candidateId === first.body.id).pop()?.payload.fields).toEqual(['deletedAt']);

    // A POST with an external id already taken is a 409, not a second row.
    const dup = await api(t, a).post('/v1/candidates', { name: 'Ada', externalId: 'BH-1', externalSource: 'bullhorn' }).expect(409);
    expect(dup.body.errors[0].field).toBe('externalId');
  });

  it('honours Idempotency-Key: a replay answers the same and writes one row', async () => {
    const a = await signup(t);
    const body = { name: 'Idem Potent', email: 'idem@example.com' };
    const first = await api(t, a).post('/v1/candidates', body).set('Idempotency-Key', 'key-1').expect(201);
    const again = await api(t, a).post('/v1/candidates', body).set('Idempotency-Key', 'key-1').expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await count(a)).toBe(1);
    expect(log.of(a.tenantId, 'candidate.created')).toHaveLength(1);

    const reused = await api(t, a).post('/v1/candidates', { ...body, name: 'Someone Else' }).set('Idempotency-Key', 'key-1').expect(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count(a)).toBe(1);

    // Keys belong to a tenant: B's identical key is unrelated.
    const b = await signup(t);
    await api(t, b).post('/v1/candidates', body).set('Idempotency-Key', 'key-1').expect(201);
    expect(await count(b)).toBe(1);

    // A failed request frees its key for a corrected retry.
    await api(t, a).post('/v1/candidates', { name: 'X', phone: 'bad' }).set('Idempotency-Key', 'key-2').expect(400);
    await api(t, a).post('/v1/candidates', { name: 'X', phone: '+14155552671' }).set('Idempotency-Key', 'key-2').expect(201);
    expect(await count(a)).toBe(2);

    // Concurrent duplicates: one runs, the others replay it or are told to retry; one row.
    const burst = await Promise.all(
      Array.from({ length: 6 }, () => api(t, a).post('/v1/candidates', { name: 'Burst' }).set('Idempotency-Key', 'key-3')),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(new Set(burst.filter((r) => r.status === 201).map((r) => r.body.id)).size).toBe(1);
    expect(await countRows('candidates', 'tenant_id = $1 AND name = $2', [a.tenantId, 'Burst'])).toBe(1);
    expect(await countRows('idempotency_keys', 'tenant_id = $1', [a.tenantId])).toBe(3);

    await api(t, a).post('/v1/candidates', body).set('Idempotency-Key', 'x'.repeat(300)).expect(400);
  });

  it('emits nothing when the transaction rolls back after the change', async () => {
    const a = await signup(t);
    await withAdminDb(async (c) => {
      await c.query(`
        CREATE OR REPLACE FUNCTION test_refuse_rollback_me() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.name = 'Rollback Me' THEN RAISE EXCEPTION 'refused at commit'; END IF;
          RETURN NEW;
        END $$`);
      await c.query(`DROP TRIGGER IF EXISTS test_refuse_rollback_me ON candidates`);
      await c.query(`
        CREATE CONSTRAINT TRIGGER test_refuse_rollback_me AFTER INSERT OR UPDATE ON candidates
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_refuse_rollback_me()`);
    });
    try {
      // The insert succeeds and the event is queued; COMMIT then fails, so nothing is published.
      await api(t, a).post('/v1/candidates', { name: 'Rollback Me' }).expect(500);
      const id = (await api(t, a).post('/v1/candidates', { name: 'Fine' }).expect(201)).body.id as string;
      await api(t, a).patch(`/v1/candidates/${id}`, { name: 'Rollback Me' }).expect(500);
    } finally {
      await withAdminDb(async (c) => {
        await c.query(`DROP TRIGGER IF EXISTS test_refuse_rollback_me ON candidates`);
        await c.query(`DROP FUNCTION IF EXISTS test_refuse_rollback_me()`);
      });
    }
    expect(await count(a)).toBe(1);
    expect(log.of(a.tenantId).filter((e) => e.type.startsWith('candidate.')).map((e) => e.type)).toEqual(['candidate.created']);
  });
});
