import { isNonNullType } from 'graphql';
import { introspect, rootFields } from '../chaos/support/http-surface';
import { api, UNKNOWN_ID } from './pipeline-support';
import { bootTestApp, createApiKey, gql, signup, SignedUp, TestApp } from '../support/test-app';

/**
 * Relay and Apollo clients send `after: null` (and often `first: null`) for the first page: a
 * cursor given as null is a cursor not given, on every list that takes one.
 */
describe('a null cursor is the first page', () => {
  let t: TestApp;
  let a: SignedUp;

  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
    for (const name of ['Ada One', 'Bea Two', 'Cy Three']) await api(t, a).post('/v1/candidates', { name }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('candidates(first: 20, after: null) answers the first page, as Relay asks for it', async () => {
    const res = await gql<{ candidates: { nodes: { name: string }[]; pageInfo: { hasNextPage: boolean } } }>(
      t,
      a.token,
      'query($first: Int, $after: String) { candidates(first: $first, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } } }',
      { first: 20, after: null },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.candidates.nodes.map((n) => n.name).sort()).toEqual(['Ada One', 'Bea Two', 'Cy Three']);
    // first: null too (the default page size), and the filters given as null ("any").
    const loose = await gql<{ candidates: { nodes: unknown[] } }>(t, a.token, '{ candidates(first: null, after: null, status: null, q: null) { nodes { id } } }');
    expect(loose.errors).toBeUndefined();
    expect(loose.data?.candidates.nodes).toHaveLength(3);
    // An inline literal null, the same.
    const inline = await gql(t, a.token, '{ candidates(after: null) { pageInfo { hasNextPage } } }');
    expect(inline.errors).toBeUndefined();
  });

  it('every list that takes a cursor (after or cursor) takes null as the first page', async () => {
    // An admin key with every scope reads every list.
    const schema = await introspect(t, a.token);
    const lists = rootFields(schema).filter(({ operation, field }) => operation === 'query' && field.args.some((x) => x.name === 'after' || x.name === 'cursor'));
    expect(lists.length).toBeGreaterThanOrEqual(10);
    const problems: string[] = [];
    for (const { field } of lists) {
      const paging = field.args.filter((x) => ['after', 'cursor', 'first', 'limit'].includes(x.name));
      const required = field.args.filter((x) => isNonNullType(x.type) && x.defaultValue === undefined);
      const args = [...paging.map((x) => `${x.name}: null`), ...required.map((x) => `${x.name}: "${UNKNOWN_ID}"`)].join(', ');
      const res = await gql(t, a.token, `{ ${field.name}(${args}) { __typename } }`);
      // A list under an unknown parent may be a 404; never a cursor or page-size complaint.
      const complaints = (res.errors ?? []).filter((e) => /cursor|after|first|limit/i.test(`${e.message} ${JSON.stringify(e.extensions ?? {})}`));
      if (complaints.length > 0 || (required.length === 0 && res.errors)) problems.push(`${field.name}(${args}): ${JSON.stringify(res.errors)}`);
    }
    expect(problems).toEqual([]);
  });

  it('REST: an empty cursor is the first page; a malformed one is still a 400 naming cursor', async () => {
    const key = await createApiKey(t, a, ['candidates:read']);
    const first = await api(t, key.secret).get('/v1/candidates?cursor=&limit=2').expect(200);
    expect(first.body.items).toHaveLength(2);
    const bad = await api(t, key.secret).get('/v1/candidates?cursor=null').expect(400);
    expect(JSON.stringify(bad.body)).toMatch(/cursor/i);
  });
});
