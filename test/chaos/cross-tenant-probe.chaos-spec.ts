import type { GraphQLSchema } from 'graphql';
import type { Client } from 'pg';
import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { postTwilio, PUBLIC_URL } from '../messaging/messaging-support';
import { api } from '../pipeline/pipeline-support';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import { bootTestApp, TestApp, useIsolatedDatabase, withAdminDb } from '../support/test-app';
import {
  FieldHints,
  fetchOpenApi,
  inBatches,
  gqlOperation,
  introspect,
  isIdField,
  objectOf,
  OpenApiDoc,
  pathParamKind,
  randomId,
  restOperations,
  RestOperation,
  rootFields,
  setAt,
  ValueContext,
} from './support/http-surface';
import { buildWorld, changedTables, Kind, KINDS, kindOf, openAdminDb, tenantFingerprint, tenantTables, World } from './support/http-world';

// The worlds are built with the (cross-tenant) dispatcher: this file gets a database of its own.
useIsolatedDatabase();

const NOW = '2026-12-01T15:00:00Z'; // a Tuesday, inside every sending window (the firms are in UTC)

/** Requests of one operation in flight at once (A's rows are compared after each operation). */
const CONCURRENCY = 6;

interface Finding {
  op: string;
  variant: string;
  problem: string;
}

/**
 * Cross-tenant probe. Firm A has one (or more) of everything; firm B, signed in as its admin and
 * as an all-scopes API key, walks every REST operation in /openapi.json and every GraphQL query
 * and mutation in the schema with A's ids: in the path (the object acted on), in every id field
 * of the body, in every id filter of a list. The rest of each request is plausible and B's own
 * (B's ids, valid values), so it reaches the tenant check instead of failing validation.
 *
 * A leak is: a 2xx answer (or GraphQL data) containing any id of any row A owns, or A's marker
 * (in every name, email and text of A); A's marker in an error; or any change to A's rows
 * (a fingerprint of every tenant table, taken around each operation). Also checked: A's object
 * answers exactly like an object that does not exist (same status, same GraphQL code), and
 * nothing answers 5xx.
 */
describe('chaos: cross-tenant probe', () => {
  const twilio = new FakeTwilioServer();
  const clock = new ManualClock(NOW);
  let t: TestApp;
  let base: string;
  let a: World;
  let b: World;
  let doc: OpenApiDoc;
  let schema: GraphQLSchema;
  let hints: FieldHints;
  let tables: string[];
  let markers: string[];
  let admin: Client;

  beforeAll(async () => {
    const { url } = await twilio.start();
    t = await bootTestApp({ clock, env: { SCHEDULER: 'off', TWILIO_API_URL: url, PUBLIC_URL } });
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    a = await buildWorld(t, twilio, clock, 1, 'Aaa');
    b = await buildWorld(t, twilio, clock, 2, 'Bbb');
    doc = await fetchOpenApi(t);
    schema = await introspect(t, b.who.token);
    hints = new FieldHints(doc);
    tables = await tenantTables();
    markers = [a.tag, a.who.webhookKey, ...a.allIds];
    admin = await openAdminDb();
  }, 120_000);
  afterAll(async () => {
    await admin?.end();
    await t?.close();
    await twilio.stop();
  });

  const credentials = (): [string, string][] => [
    ['B admin JWT', b.who.token],
    ['B API key', b.apiKey.secret],
  ];

  /** What in `text` belongs to A: a marker, if any. */
  function leakIn(text: string, strict: boolean): string | undefined {
    const lower = text.toLowerCase();
    if (lower.includes(a.tag.toLowerCase())) return a.tag;
    return strict ? markers.find((m) => lower.includes(m.toLowerCase())) : undefined;
  }

  /** B's own objects: what a valid request of B carries. */
  const ownContext: ValueContext = {
    idFor: (kind) => b.ids[kind ?? 'candidate'],
    get now() {
      return clock.now();
    },
  };

  const idsOf = (w: World, kind: Kind | undefined): { kind: string; id: string }[] =>
    kind ? [{ kind, id: w.ids[kind] }] : KINDS.map((k) => ({ kind: k, id: w.ids[k] }));

  const externalIdOf = (w: World, kind: Kind | undefined): string =>
    kind === 'contact' || kind === 'lead' ? w.externalIds[kind] : w.externalIds.candidate;

  // -------------------------------------------------------------------------------------------
  // REST

  interface RestCall {
    label: string;
    /** The body or query field holding A's id, for slot variants. */
    field?: string;
    path: string;
    query: Record<string, string>;
    body: Record<string, unknown> | undefined;
  }

  /** The value of one path parameter: A's object, B's own, or one that does not exist. */
  function pathValues(op: RestOperation, param: string, who: World | 'unknown'): { label: string; value: string }[] {
    if (param === 'tenantKey') return [{ label: 'tenantKey', value: who === 'unknown' ? `whk_${randomId().replace(/-/g, '')}` : who.who.webhookKey }];
    const kind = pathParamKind(op.path, param);
    if (param === 'externalId') return [{ label: 'externalId', value: who === 'unknown' ? `EXT-UNKNOWN-${randomId()}` : externalIdOf(who, kind) }];
    if (who === 'unknown') return [{ label: `${param}=unknown`, value: randomId() }];
    if (who === b) return [{ label: `${param}=B`, value: b.ids[kind ?? 'candidate'] }];
    return idsOf(who, kind).map((x) => ({ label: `${param}=A.${x.kind}`, value: x.id }));
  }

  /** Every combination of path values (A's ids of the matching kind; every kind when the name says nothing). */
  function paths(op: RestOperation, who: World | 'unknown'): { label: string; path: string }[] {
    let out = [{ label: '', path: op.path }];
    for (const param of op.pathParams) {
      out = out.flatMap((p) => pathValues(op, param, who).map((v) => ({ label: `${p.label} ${v.label}`.trim(), path: p.path.replace(`{${param}}`, encodeURIComponent(v.value)) })));
    }
    return out;
  }

  function restCalls(op: RestOperation): { target: RestCall[]; control: RestCall[]; slots: RestCall[] } {
    const body = op.body ? objectOf(op.body, ownContext, doc) : undefined;
    const target = paths(op, op.pathParams.length ? a : b).map((p) => ({ label: p.label || 'as is', path: p.path, query: {}, body: body?.value }));
    const control = op.pathParams.length ? paths(op, 'unknown').map((p) => ({ label: p.label, path: p.path, query: {}, body: body?.value })) : [];
    const slots: RestCall[] = [];
    const own = paths(op, b)[0]!.path;
    for (const slot of body?.slots ?? []) {
      for (const x of idsOf(a, slot.kind)) {
        const value = structuredClone(body!.value);
        setAt(value, slot.at, slot.many ? [x.id] : x.id);
        slots.push({ label: `body.${slot.at.join('.')}=A.${x.kind}`, field: slot.name, path: own, query: {}, body: value });
      }
    }
    for (const q of op.queryParams.filter((p) => isIdField(p.name, p.schema))) {
      for (const x of idsOf(a, kindOf(q.name.replace(/Ids?$/, '')))) {
        slots.push({ label: `query.${q.name}=A.${x.kind}`, field: q.name, path: own, query: { [q.name]: x.id }, body: body?.value });
      }
    }
    return { target, control, slots };
  }

  async function send(op: RestOperation, call: RestCall, token: string): Promise<request.Response> {
    const req = request(base)[op.method](call.path).set('Authorization', `Bearer ${token}`).query(call.query);
    return call.body !== undefined ? req.send(call.body) : req;
  }

  it('REST: every operation in /openapi.json, as B with A ids, leaks nothing and changes nothing of A', async () => {
    const ops = restOperations(doc);
    const findings: Finding[] = [];
    const weak: string[] = [];
    const probed = new Set<string>();
    let requests = 0;
    let baseline = await tenantFingerprint(admin, a.who.tenantId, tables);
    for (const [who, token] of credentials()) {
      for (const op of ops) {
        const calls = restCalls(op);
        const all = [...calls.target, ...calls.slots, ...calls.control];
        const answers = await inBatches(all, CONCURRENCY, (call) => send(op, call, token));
        requests += all.length;
        for (const [i, res] of answers.entries()) {
          const call = all[i]!;
          const text = res.text ?? '';
          const variant = `${who}: ${call.label}`;
          if (res.status >= 500) findings.push({ op: op.key, variant, problem: `${res.status} ${text.slice(0, 200)}` });
          const leak = leakIn(text, res.status >= 200 && res.status < 300);
          if (leak) findings.push({ op: op.key, variant, problem: `${res.status} answer contains A's ${leak}: ${text.slice(0, 300)}` });
          const fields = ((res.body?.errors ?? []) as { field?: string }[]).map((e) => String(e.field));
          if (call.field && res.status === 400 && !fields.some((f) => f.startsWith(call.field!))) {
            weak.push(`${op.key} ${variant}: refused before the id was looked at (${String(res.body?.detail).slice(0, 120)})`);
          }
        }
        // A's object answers exactly like one that does not exist.
        const statuses = answers.slice(0, calls.target.length).map((r) => r.status);
        for (const [i, control] of answers.slice(all.length - calls.control.length).entries()) {
          const got = calls.target.length === calls.control.length ? [statuses[i]!] : statuses;
          for (const status of got) {
            if (status !== control.status) {
              findings.push({ op: op.key, variant: `${who}: ${calls.control[i]!.label}`, problem: `A's object answered ${status}, a missing one ${control.status}` });
            }
          }
        }
        const after = await tenantFingerprint(admin, a.who.tenantId, tables);
        const changed = changedTables(baseline, after);
        if (changed.length) findings.push({ op: op.key, variant: who, problem: `changed A's rows in ${changed.join(', ')}` });
        baseline = after;
        probed.add(op.key);
      }
    }
    console.log(
      `cross-tenant probe, REST: ${probed.size} operations of ${ops.length} in /openapi.json, ${requests} requests, ${findings.length} findings` +
        (weak.length ? `\nweak probes (refused before the tenant check):\n  ${weak.join('\n  ')}` : ''),
    );
    expect(findings).toEqual([]);
    expect([...probed].sort()).toEqual(ops.map((o) => o.key).sort());
    expect(ops.length).toBeGreaterThan(50);
  }, 240_000);

  // -------------------------------------------------------------------------------------------
  // GraphQL

  interface GqlAnswer {
    status: number;
    data: unknown;
    errors: { message: string; extensions?: { code?: string } }[] | undefined;
    text: string;
  }

  async function gqlSend(token: string, query: string, variables: Record<string, unknown>): Promise<GqlAnswer> {
    const res = await request(base).post('/graphql').set('Authorization', `Bearer ${token}`).send({ query, variables });
    return { status: res.status, data: res.body?.data, errors: res.body?.errors, text: res.text ?? '' };
  }

  const codeOf = (r: GqlAnswer): string => (r.errors?.length ? String(r.errors[0]!.extensions?.code) : r.data ? 'DATA' : `HTTP ${r.status}`);

  it('GraphQL: every query and mutation in the schema, as B with A ids, leaks nothing and changes nothing of A', async () => {
    const fields = rootFields(schema);
    const findings: Finding[] = [];
    const probed = new Set<string>();
    let requests = 0;
    let baseline = await tenantFingerprint(admin, a.who.tenantId, tables);
    for (const [who, token] of credentials()) {
      for (const { operation, field } of fields) {
        const name = `${operation} ${field.name}`;
        const shape = gqlOperation(operation, field, ownContext, hints);
        const withTargets = (w: World | 'unknown'): { label: string; variables: Record<string, unknown> }[] => {
          let out = [{ label: '', variables: structuredClone(shape.variables) }];
          for (const target of shape.targets) {
            const values =
              w === 'unknown'
                ? [{ kind: 'unknown', id: target.external ? `EXT-UNKNOWN-${randomId()}` : randomId() }]
                : target.external
                  ? [{ kind: 'externalId', id: externalIdOf(w, target.kind) }]
                  : w === b
                    ? [{ kind: 'B', id: b.ids[target.kind ?? 'candidate'] }]
                    : idsOf(w, target.kind);
            const whose = w === 'unknown' ? 'unknown' : w === a ? 'A' : 'B';
            out = out.flatMap((o) =>
              values.map((v) => ({ label: `${o.label} ${target.arg}=${whose}.${v.kind}`.trim(), variables: { ...o.variables, [target.arg]: v.id } })),
            );
          }
          return out;
        };
        const check = (variant: string, r: GqlAnswer): void => {
          if (r.status >= 500 || r.errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
            findings.push({ op: name, variant, problem: `internal error: ${r.text.slice(0, 300)}` });
          }
          if (r.errors?.some((e) => ['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED', 'QUERY_TOO_COMPLEX'].includes(String(e.extensions?.code)))) {
            findings.push({ op: name, variant, problem: `the probe itself was refused (fix the generator): ${r.text.slice(0, 300)}` });
          }
          const inData = r.data ? leakIn(JSON.stringify(r.data), true) : undefined;
          const inErrors = r.errors ? leakIn(JSON.stringify(r.errors), false) : undefined;
          if (inData || inErrors) findings.push({ op: name, variant, problem: `answer contains A's ${inData ?? inErrors}: ${r.text.slice(0, 300)}` });
        };

        const targets = withTargets(shape.targets.length ? a : b);
        const control = shape.targets.length ? withTargets('unknown') : [];
        const own = withTargets(b)[0]!.variables;
        const slots = shape.slots.flatMap((slot) =>
          idsOf(a, slot.kind).map((x) => {
            const variables = structuredClone(own);
            setAt(variables, slot.at.slice(1), slot.many ? [x.id] : x.id);
            return { label: `${slot.at.slice(1).join('.')}=A.${x.kind}`, variables };
          }),
        );
        const all = [...targets, ...control.map((c) => ({ ...c, label: 'control' })), ...slots];
        const answers = await inBatches(all, CONCURRENCY, (v) => gqlSend(token, shape.text, v.variables));
        requests += all.length;
        for (const [i, r] of answers.entries()) check(`${who}: ${all[i]!.label || 'as is'}`, r);
        // A's object answers exactly like one that does not exist.
        const controlAnswer = answers[targets.length];
        if (controlAnswer && control.length) {
          for (const [i, answer] of answers.slice(0, targets.length).entries()) {
            if (codeOf(answer) !== codeOf(controlAnswer)) {
              findings.push({ op: name, variant: `${who}: ${targets[i]!.label}`, problem: `A's object answered ${codeOf(answer)}, a missing one ${codeOf(controlAnswer)}` });
            }
          }
        }
        const after = await tenantFingerprint(admin, a.who.tenantId, tables);
        const changed = changedTables(baseline, after);
        if (changed.length) findings.push({ op: name, variant: who, problem: `changed A's rows in ${changed.join(', ')}` });
        baseline = after;
        probed.add(name);
      }
    }
    const queries = fields.filter((f) => f.operation === 'query').length;
    console.log(`cross-tenant probe, GraphQL: ${probed.size} fields (${queries} queries, ${fields.length - queries} mutations), ${requests} requests, ${findings.length} findings`);
    expect(findings).toEqual([]);
    expect([...probed].sort()).toEqual(fields.map((f) => `${f.operation} ${f.field.name}`).sort());
  }, 240_000);

  // -------------------------------------------------------------------------------------------
  // Webhooks in (not in /openapi.json: Twilio's are excluded from it) and public routes

  it("webhooks: B's signed callbacks naming A's messages, numbers and Message-IDs change nothing of A", async () => {
    // The sweep may have changed B's sender settings; put B's own back.
    await api(t, b.who)
      .put('/v1/settings/senders', { twilioAccountSid: b.twilio.accountSid, twilioAuthToken: b.twilio.authToken, twilioFrom: b.twilio.from, inboundEmailSecret: b.inboundEmailSecret })
      .expect(200);
    const before = await tenantFingerprint(admin, a.who.tenantId, tables);
    const aOutbound = await withAdminDb(async (c) =>
      (await c.query<{ id: string }>(`SELECT id FROM messages WHERE tenant_id = $1 AND provider_id = $2`, [a.who.tenantId, a.outboundSmsSid])).rows[0]!.id,
    );
    const bPath = (kind: string): string => `/v1/webhooks/twilio/${b.who.webhookKey}/${kind}`;
    const answers: { what: string; status: number; text: string }[] = [];
    const record = (what: string, res: request.Response): void => {
      answers.push({ what, status: res.status, text: res.text ?? '' });
    };

    // A status callback to B's URL, signed by B's account, for A's SMS (21610 would opt A's person out).
    const statusParams = {
      MessageSid: a.outboundSmsSid,
      SmsSid: a.outboundSmsSid,
      MessageStatus: 'undelivered',
      ErrorCode: '21610',
      AccountSid: b.twilio.accountSid,
      To: a.candidatePhone,
      From: b.twilio.from,
    };
    record('status for A sid', await postTwilio(t, bPath('status'), statusParams, b.twilio.authToken));
    record('status for A message id', await postTwilio(t, `${bPath('status')}?messageId=${aOutbound}`, statusParams, b.twilio.authToken));
    // An inbound SMS to B from A's candidate's number: B's own unmatched message, nothing of A.
    const inboundSid = `SM${randomId().replace(/-/g, '')}`;
    record(
      'inbound from A number',
      await postTwilio(t, bPath('inbound'), { MessageSid: inboundSid, AccountSid: b.twilio.accountSid, From: a.candidatePhone, To: b.twilio.from, Body: 'STOP' }, b.twilio.authToken),
    );
    // B's signature on A's URL is refused.
    const onA = await postTwilio(t, `/v1/webhooks/twilio/${a.who.webhookKey}/status`, statusParams, b.twilio.authToken);
    expect(onA.status).toBe(403);
    // An inbound email to B replying to A's outbound Message-ID, from A's candidate.
    const email = await request(base)
      .post(`/v1/webhooks/email/${b.who.webhookKey}/inbound`)
      .set('X-Touchpoint-Webhook-Secret', b.inboundEmailSecret)
      .send({
        from: a.candidateEmail,
        to: 'replies@inbound.example',
        subject: 'Re: hello',
        text: 'YES',
        messageId: `<probe-${randomId()}@mail.example>`,
        inReplyTo: a.outboundEmailMessageId,
      });
    record('email replying to A', email);
    expect(email.body).toMatchObject({ matched: false, duplicate: false });
    // B's secret on A's URL is refused.
    await request(base)
      .post(`/v1/webhooks/email/${a.who.webhookKey}/inbound`)
      .set('X-Touchpoint-Webhook-Secret', b.inboundEmailSecret)
      .send({ from: a.candidateEmail, messageId: `<probe-${randomId()}@mail.example>`, text: 'hi' })
      .expect(403);
    // Unsubscribe links naming A's people by id are not links.
    for (const id of [a.ids.candidate, a.ids.contact, a.who.tenantId]) {
      record('unsubscribe GET', await request(base).get(`/v1/unsubscribe/${id}`));
      record('unsubscribe POST', await request(base).post(`/v1/unsubscribe/${id}`).type('form').send('List-Unsubscribe=One-Click'));
    }

    for (const x of answers) {
      expect({ what: x.what, status: x.status < 500, leak: leakIn(x.text, x.status < 300) }).toEqual({ what: x.what, status: true, leak: undefined });
    }
    expect(answers.filter((x) => x.what.startsWith('unsubscribe')).map((x) => x.status)).toEqual(Array(6).fill(404));
    expect(answers.filter((x) => !x.what.startsWith('unsubscribe')).map((x) => x.status)).toEqual([200, 200, 200, 200]);
    // B stored its own unmatched messages; A's rows are exactly as they were.
    const stored = await withAdminDb(async (c) =>
      (await c.query(`SELECT candidate_id, contact_id, matched FROM messages WHERE tenant_id = $1 AND provider_id = $2`, [b.who.tenantId, inboundSid])).rows,
    );
    expect(stored).toEqual([{ candidate_id: null, contact_id: null, matched: false }]);
    expect(changedTables(before, await tenantFingerprint(admin, a.who.tenantId, tables))).toEqual([]);
  });
});
