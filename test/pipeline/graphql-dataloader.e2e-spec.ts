import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { bootTestApp, createApiKey, gql, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';
import { api, inDays } from './pipeline-support';

/**
 * A page of N candidates with their leads, each lead's referrer and interviews, each
 * interview's interviewers, and each candidate's references must cost a constant number of
 * SQL statements, whatever N is. Every statement the app sends goes through
 * PostgresQueryRunner.query, so counting its calls counts the SQL (BEGIN/COMMIT included).
 */
describe('GraphQL nested fields are batched (DataLoader)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No dispatcher in this process: its background claims would be counted with the request's SQL.
    t = await bootTestApp({ env: { SCHEDULER: 'off' } });
  });
  afterAll(async () => {
    await t.close();
  });

  const QUERY = `query($n: Int!) {
    candidates(first: $n) {
      nodes {
        id name
        leads {
          id company status
          history { from to at }
          referrer { name }
          employerContact { name }
          interviews { id startsAt interviewers { id name email } reschedules { newStartsAt } }
        }
        references { id relationship contact { name } providedTo { leadId } }
      }
    }
  }`;

  async function seed(tenant: SignedUp, n: number): Promise<void> {
    const ann = (await api(t, tenant).post('/v1/contacts', { name: 'Ann Interviewer' }).expect(201)).body.id;
    const bob = (await api(t, tenant).post('/v1/contacts', { name: 'Bob Interviewer' }).expect(201)).body.id;
    const ref = (await api(t, tenant).post('/v1/contacts', { name: 'Rita Referrer' }).expect(201)).body.id;
    for (let i = 0; i < n; i++) {
      const candidateId = (await api(t, tenant).post('/v1/candidates', { name: `Candidate ${i}` }).expect(201)).body.id;
      await api(t, tenant).post('/v1/references', { candidateId, contactId: ref, relationship: 'Former boss' }).expect(201);
      for (let j = 0; j < 2; j++) {
        const leadId = (await api(t, tenant).post('/v1/leads', { candidateId, company: `Co ${j}`, position: 'Dev', referrerContactId: ref, employerContactId: ann }).expect(201)).body.id;
        await api(t, tenant).post('/v1/interviews', { leadId, startsAt: inDays(2 + j), durationMinutes: 30, format: 'video', interviewerIds: [ann, bob] }).expect(201);
      }
    }
  }

  async function countQueries(tenant: SignedUp, n: number): Promise<{ statements: number; candidates: number; interviewers: number }> {
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
    try {
      const res = await gql<{ candidates: { nodes: { leads: { interviews: { interviewers: unknown[] }[] }[] }[] } }>(t, tenant.token, QUERY, { n });
      expect(res.errors).toBeUndefined();
      const nodes = res.data!.candidates.nodes;
      if (process.env.DEBUG_SQL) process.stderr.write(`--- n=${n}\n${spy.mock.calls.map((c) => String(c[0]).replace(/\s+/g, ' ').slice(0, 90)).join('\n')}\n`);
      return {
        statements: spy.mock.calls.length,
        candidates: nodes.length,
        interviewers: nodes.flatMap((c) => c.leads.flatMap((l) => l.interviews.flatMap((i) => i.interviewers))).length,
      };
    } finally {
      spy.mockRestore();
    }
  }

  it('costs the same number of SQL statements for 2 candidates as for 12', async () => {
    const a = await signup(t);
    await seed(a, 12);
    const small = await countQueries(a, 2);
    const large = await countQueries(a, 12);
    expect(small.candidates).toBe(2);
    expect(large.candidates).toBe(12);
    expect(large.interviewers).toBe(12 * 2 * 2);
    expect(large.statements).toBe(small.statements);
    // And the constant is small: one transaction for the whole query (BEGIN, set_config, a read per
    // loader, COMMIT), not one per loader or per row.
    if (process.env.DEBUG_SQL) process.stderr.write(`statements: ${large.statements}\n`);
    const reads = large.statements - 3;
    expect(reads).toBeLessThanOrEqual(12);
  });

  it('and for a full page of 100 (seeded in bulk with SQL)', async () => {
    const a = await signup(t);
    await seed(a, 2);
    // 98 more candidates, each with two leads (referrer + employer contact), an interview per
    // lead with the same two interviewers, and a reference, copied from the API-made ones.
    await withAdminDb(async (c) => {
      await c.query(
        `WITH src AS (SELECT * FROM candidates WHERE tenant_id = $1 ORDER BY created_at LIMIT 1),
              n AS (SELECT g FROM generate_series(1, 98) g),
              cand AS (
                INSERT INTO candidates (tenant_id, id, name, status, external_source, created_at, updated_at)
                SELECT $1, gen_random_uuid(), 'Bulk ' || g, 'active', 'api', now() - make_interval(secs => g), now() FROM n
                RETURNING id),
              l AS (
                INSERT INTO leads (tenant_id, id, candidate_id, company, position, source, referrer_contact_id, employer_contact_id, status, status_changed_at, external_source, created_at, updated_at)
                SELECT $1, gen_random_uuid(), cand.id, 'Co ' || k, 'Dev', 'other', tl.referrer_contact_id, tl.employer_contact_id, 'identified', now(), 'api', now(), now()
                FROM cand CROSS JOIN generate_series(0, 1) k CROSS JOIN (SELECT * FROM leads WHERE tenant_id = $1 LIMIT 1) tl
                RETURNING id, candidate_id),
              i AS (
                INSERT INTO interviews (tenant_id, id, lead_id, candidate_id, starts_at, duration_minutes, format, scheduled_by, status, status_changed_at, external_source, created_at, updated_at)
                SELECT $1, gen_random_uuid(), l.id, l.candidate_id, now() + interval '3 days', 30, 'video', 'employer', 'scheduled', now(), 'api', now(), now() FROM l
                RETURNING id),
              ii AS (
                INSERT INTO interview_interviewers (tenant_id, interview_id, contact_id, position)
                SELECT $1, i.id, x.contact_id, x.position FROM i
                CROSS JOIN (SELECT DISTINCT ON (contact_id) contact_id, position FROM interview_interviewers WHERE tenant_id = $1) x
                RETURNING 1)
         INSERT INTO candidate_references (tenant_id, id, candidate_id, contact_id, relationship, external_source, created_at, updated_at)
         SELECT $1, gen_random_uuid(), cand.id, r.contact_id, 'Former boss', 'api', now(), now()
         FROM cand CROSS JOIN (SELECT contact_id FROM candidate_references WHERE tenant_id = $1 LIMIT 1) r`,
        [a.tenantId],
      );
    });
    const small = await countQueries(a, 2);
    const page = await countQueries(a, 100);
    expect(page.candidates).toBe(100);
    expect(page.interviewers).toBe(100 * 2 * 2);
    expect(page.statements).toBe(small.statements);
  });

  it('a page preloads its nested lists (FieldPreloads): the same answer as one candidate at a time, through nodes, edges, fragments and aliases', async () => {
    const a = await signup(t);
    await seed(a, 3);
    const pageQuery = `fragment Pipeline on Candidate { id name leads { id company interviews { id startsAt ... on Interview { panel: interviewers { id name } } } } }
      query { candidates(first: 10) { nodes { ...Pipeline } edges { node { id leads { id interviews { interviewers { name } } } } } } }`;
    const page = await gql<{
      candidates: {
        nodes: { id: string; leads: { id: string; interviews: { id: string; panel: { name: string }[] }[] }[] }[];
        edges: { node: { id: string; leads: { interviews: { interviewers: { name: string }[] }[] }[] } }[];
      };
    }>(t, a.token, pageQuery);
    expect(page.errors).toBeUndefined();
    const nodes = page.data!.candidates.nodes;
    expect(nodes).toHaveLength(3);
    // One at a time: candidate(id) is not a page, so its nested fields go through the DataLoaders.
    for (const node of nodes) {
      const one = await gql<{ candidate: unknown }>(
        t,
        a.token,
        `query($id: ID!) { candidate(id: $id) { id name leads { id company interviews { id startsAt panel: interviewers { id name } } } } }`,
        { id: node.id },
      );
      expect(one.errors).toBeUndefined();
      expect(one.data!.candidate).toEqual(node);
      expect(node.leads).toHaveLength(2);
      expect(node.leads.flatMap((l) => l.interviews.flatMap((i) => i.panel.map((c) => c.name)))).toEqual(['Ann Interviewer', 'Bob Interviewer', 'Ann Interviewer', 'Bob Interviewer']);
    }
    expect(page.data!.candidates.edges.map((e) => e.node.leads.flatMap((l) => l.interviews.flatMap((i) => i.interviewers)).length)).toEqual([4, 4, 4]);
    // A key that may read leads but not interviews: the leads come (preloaded), the interviews are refused as before.
    const key = await createApiKey(t, a, ['candidates:read', 'leads:read']);
    const partial = await gql<{ candidates: { nodes: { leads: { id: string }[] }[] } | null }>(t, key.secret, `{ candidates { nodes { leads { id interviews { id } } } } }`);
    expect(partial.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['interviews:read'] });
  });

  it('checks scopes on nested fields too: a key with candidates:read alone cannot read leads through Candidate.leads', async () => {
    const a = await signup(t);
    await seed(a, 1);
    const key = await createApiKey(t, a, ['candidates:read']);
    const ok = await gql<{ candidates: { nodes: { name: string }[] } }>(t, key.secret, `{ candidates { nodes { name } } }`);
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.candidates.nodes).toHaveLength(1);
    const nested = await gql(t, key.secret, `{ candidates { nodes { name leads { id } } } }`);
    expect(nested.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['leads:read'] });
    const full = await createApiKey(t, a, ['candidates:read', 'leads:read', 'interviews:read', 'contacts:read', 'references:read']);
    const all = await gql(t, full.secret, QUERY, { n: 5 });
    expect(all.errors).toBeUndefined();
  });
});
