import request from 'supertest';
import { bootTestApp, TestApp } from '../support/test-app';

describe('the pipeline in OpenAPI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('documents every endpoint, the list parameters and Idempotency-Key on the POSTs', async () => {
    const doc = (await request(t.http).get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
      components: { schemas: Record<string, { properties?: Record<string, { example?: unknown }> }> };
    };
    const expected: [string, string[]][] = [
      ['/v1/candidates', ['get', 'post']],
      ['/v1/candidates/{id}', ['get', 'patch', 'delete']],
      ['/v1/candidates/by-external-id/{externalId}', ['put']],
      ['/v1/candidates/{id}/timeline', ['get']],
      ['/v1/contacts', ['get', 'post']],
      ['/v1/contacts/{id}', ['get', 'patch', 'delete']],
      ['/v1/contacts/by-external-id/{externalId}', ['put']],
      ['/v1/leads', ['get', 'post']],
      ['/v1/leads/{id}', ['get', 'patch', 'delete']],
      ['/v1/leads/{id}/status', ['post']],
      ['/v1/leads/{id}/history', ['get']],
      ['/v1/leads/{id}/references', ['post']],
      ['/v1/leads/by-external-id/{externalId}', ['put']],
      ['/v1/interviews', ['get', 'post']],
      ['/v1/interviews/{id}', ['get', 'patch', 'delete']],
      ['/v1/interviews/{id}/reschedule', ['post']],
      ['/v1/interviews/{id}/cancel', ['post']],
      ['/v1/interviews/{id}/complete', ['post']],
      ['/v1/interviews/{id}/no-show', ['post']],
      ['/v1/interviews/{id}/reschedules', ['get']],
      ['/v1/references', ['get', 'post']],
      ['/v1/references/{id}', ['get', 'patch', 'delete']],
    ];
    for (const [path, methods] of expected) {
      expect({ path, methods: Object.keys(doc.paths[path] ?? {}).sort() }).toEqual({ path, methods: expect.arrayContaining(methods) });
    }
    for (const path of ['/v1/candidates', '/v1/contacts', '/v1/leads', '/v1/interviews', '/v1/references', '/v1/leads/{id}/status', '/v1/interviews/{id}/reschedule']) {
      const names = (doc.paths[path]!.post!.parameters ?? []).map((p) => p.name);
      expect({ path, names }).toEqual({ path, names: expect.arrayContaining(['Idempotency-Key']) });
    }
    const listParams = (doc.paths['/v1/candidates']!.get!.parameters ?? []).map((p) => p.name);
    expect(listParams).toEqual(expect.arrayContaining(['limit', 'cursor', 'status', 'ownerUserId', 'updatedSince', 'q']));
    expect(doc.components.schemas.CreateCandidateDto?.properties?.phone?.example).toBe('+14155552671');
    expect(doc.components.schemas.ScheduleInterviewDto?.properties?.startsAt?.example).toBeDefined();
  });
});
