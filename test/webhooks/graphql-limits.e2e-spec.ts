import request from 'supertest';
import { bootTestApp, gql, signup, SignedUp, TestApp } from '../support/test-app';

/** An ATS-style sync query: a connection whose every node carries nested lists. */
const syncQuery = (first: number): string => `{
  candidates(first: ${first}) {
    edges { cursor node {
      id name email phone status externalId updatedAt deletedAt
      leads { id company position status resumeSentAt offerAt
        referrer { id name email } employerContact { id name email }
        interviews { id startsAt durationMinutes status format
          interviewers { id name email phone company title } } }
      references { id relationship contact { id name email phone } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('GraphQL bounds for integrators', () => {
  let t: TestApp;
  let a: SignedUp;
  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('prices a connection as first × its children: the same shape passes with first: 5 and is refused with first: 100', async () => {
    const small = await gql(t, a.token, syncQuery(5));
    expect(small.errors).toBeUndefined();
    const big = await gql(t, a.token, syncQuery(100));
    expect(big.data).toBeUndefined();
    expect(big.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(big.errors?.[0]?.message).toMatch(/complexity \d+ exceeds the limit of 5000/);
  });

  it('refuses a query that multiplies connections through aliases', async () => {
    const aliased = Array.from({ length: 31 }, (_, i) => `c${i}: candidates(first: 1) { nodes { id } }`).join(' ');
    const res = await gql(t, a.token, `{ ${aliased} }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses batched operations (an array of queries in one request)', async () => {
    const res = await request(t.http)
      .post('/graphql')
      .set('Authorization', `Bearer ${a.token}`)
      .set('Content-Type', 'application/json')
      .send([{ query: '{ me { kind } }' }, { query: '{ me { kind } }' }]);
    expect(res.status).toBe(400);
  });
});
