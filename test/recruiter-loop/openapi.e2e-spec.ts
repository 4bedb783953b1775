import request from 'supertest';
import { bootTestApp, TestApp } from '../support/test-app';

describe('the recruiter loop in OpenAPI and the GraphQL schema', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('documents every new route', async () => {
    const doc = (await request(t.http).get('/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const expected: [string, string[]][] = [
      ['/v1/activities', ['get', 'post']],
      ['/v1/activities/{id}', ['get']],
      ['/v1/messages', ['get', 'post']],
      ['/v1/messages/{id}/handled', ['post']],
      ['/v1/candidates/{id}/erase', ['post']],
      ['/v1/contacts/{id}/erase', ['post']],
      ['/v1/settings/notifications', ['get', 'put']],
      ['/v1/me/notifications', ['get', 'put']],
      ['/v1/agenda', ['get']],
    ];
    for (const [path, methods] of expected) {
      expect({ path, methods: Object.keys(doc.paths[path] ?? {}).sort() }).toEqual({ path, methods: expect.arrayContaining(methods) });
    }
  });

  it('has the GraphQL operations', async () => {
    const res = await request(t.http)
      .post('/graphql')
      .send({ query: '{ __schema { queryType { fields { name } } mutationType { fields { name } } } }' })
      .expect(200);
    const names = (k: 'queryType' | 'mutationType') => (res.body.data.__schema[k].fields as { name: string }[]).map((f) => f.name);
    expect(names('queryType')).toEqual(expect.arrayContaining(['activities', 'activity', 'agenda', 'notificationSettings', 'myNotificationSettings']));
    expect(names('mutationType')).toEqual(
      expect.arrayContaining(['logActivity', 'sendMessage', 'markReplyHandled', 'eraseCandidate', 'eraseContact', 'updateNotificationSettings', 'updateMyNotificationSettings']),
    );
  });
});
