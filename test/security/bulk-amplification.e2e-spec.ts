import request from 'supertest';
import { bootTestApp, countRows, createApiKey, gql, signup, TestApp } from '../support/test-app';

/**
 * Issue 18: 30 aliased upsertCandidates of 100 items each counted as one request. Now every item
 * counts against the firm's rate limit, and a mutation request holds at most
 * GRAPHQL_MAX_MUTATIONS (10) root fields.
 */
const items = (prefix: string, n = 100) => Array.from({ length: n }, (_, i) => ({ externalId: `${prefix}-${i}`, name: `Bulk ${prefix} ${i}` }));
const aliased = (n: number) =>
  `mutation(${Array.from({ length: n }, (_, i) => `$i${i}: [UpsertCandidatesItemInput!]!`).join(', ')}) { ${Array.from({ length: n }, (_, i) => `u${i}: upsertCandidates(input: $i${i}) { written }`).join(' ')} }`;
const vars = (prefix: string, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`i${i}`, items(`${prefix}${i}`)]));

describe('security: bulk amplification', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A firm may make 250 calls a minute.
    t = await bootTestApp({ env: { RATE_LIMIT_PER_TENANT_PER_MINUTE: '250' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('30 aliased upsertCandidates of 100 items are refused before execution (400), nothing written', async () => {
    const a = await signup(t);
    const key = await createApiKey(t, a, ['candidates:write', 'candidates:read']);
    const res = await request(t.http).post('/graphql').set('Authorization', `Bearer ${key.secret}`).send({ query: aliased(30), variables: vars('A', 30) });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.body.errors[0].message).toBe('The mutation has 30 fields; the limit is 10 per request');
    expect(await countRows('candidates', 'tenant_id = $1', [a.tenantId])).toBe(0);
    // Fragments do not hide fields.
    const frag = await request(t.http)
      .post('/graphql')
      .set('Authorization', `Bearer ${key.secret}`)
      .send({ query: `mutation { ...F ... on Mutation { ${Array.from({ length: 6 }, (_, i) => `y${i}: logout`).join(' ')} } } fragment F on Mutation { ${Array.from({ length: 6 }, (_, i) => `x${i}: logout`).join(' ')} }` });
    expect(frag.body.errors?.[0]?.message).toBe('The mutation has 12 fields; the limit is 10 per request');
  });

  it('every item counts against the firm\'s limit: the third bulk of 100 in a minute is a 429; the first two were written', async () => {
    const a = await signup(t);
    const q = 'mutation($input: [UpsertCandidatesItemInput!]!) { upsertCandidates(input: $input) { written } }';
    expect((await gql<{ upsertCandidates: { written: number } }>(t, a.token, q, { input: items('B1') })).data?.upsertCandidates.written).toBe(100);
    expect((await gql<{ upsertCandidates: { written: number } }>(t, a.token, q, { input: items('B2') })).data?.upsertCandidates.written).toBe(100);
    const third = await gql(t, a.token, q, { input: items('B3') });
    expect(third.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(await countRows('candidates', 'tenant_id = $1', [a.tenantId])).toBe(200);
    // The budget is the firm's: a plain REST call is refused too, another firm is not.
    await request(t.http).get('/v1/candidates').set('Authorization', `Bearer ${a.token}`).expect(429);
    const b = await signup(t);
    await request(t.http).get('/v1/candidates').set('Authorization', `Bearer ${b.token}`).expect(200);
  });

  it('10 aliased bulks (within the mutation cap) stop at the limit: the field over it is RATE_LIMITED and the rest never run', async () => {
    const a = await signup(t);
    const res = await gql<Record<string, { written: number } | null>>(t, a.token, aliased(10), vars('C', 10));
    expect((res.errors ?? []).map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect(res.errors?.[0]?.message).toMatch(/Too many requests for this account/);
    // Two bulks fit in the budget of 250; the third (items 201-300) is refused before it writes.
    expect(await countRows('candidates', 'tenant_id = $1', [a.tenantId])).toBe(200);
  });
});
