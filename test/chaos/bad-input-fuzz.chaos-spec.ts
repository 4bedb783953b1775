import { getNamedType, GraphQLEnumType, GraphQLSchema, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType } from 'graphql';
import type { Client } from 'pg';
import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { PUBLIC_URL, twilioSid, twilioSignature } from '../messaging/messaging-support';
import { api } from '../pipeline/pipeline-support';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import { bootTestApp, gql, TestApp, useIsolatedDatabase, withAdminDb } from '../support/test-app';
import {
  FieldHints,
  fetchOpenApi,
  gqlOperation,
  inBatches,
  introspect,
  isIdField,
  JsonSchema,
  objectOf,
  OpenApiDoc,
  pathParamKind,
  resolve,
  restOperations,
  RestOperation,
  rootFields,
  setAt,
  ValueContext,
  WRITE_METHODS,
} from './support/http-surface';
import { buildWorld, changedTables, openAdminDb, World } from './support/http-world';

// Row counts and contents of every table are compared: this file gets a database of its own, so
// nothing but its own requests can write while it looks.
useIsolatedDatabase();

const NOW = '2026-12-01T15:00:00Z';

/**
 * The database, table by table: row count and an md5 over every row. Every table of the public
 * schema is included (new tables too). None is excluded: a rejected request writes nothing
 * anywhere. There is no login-failure audit table; rate-limit counters live in memory; the
 * Idempotency-Key claim a rejected POST takes is released (deleted) before the answer, so
 * idempotency_keys is compared like any other table (some cases below send a key on purpose).
 */
async function databaseState(c: Client): Promise<Record<string, string>> {
  const tables = (
    await c.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)
  ).rows.map((r) => r.name);
  const sql = tables
    .map((t) => `SELECT '${t}' AS name, count(*)::text || ':' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS state FROM "${t}" x`)
    .join(' UNION ALL ');
  return Object.fromEntries((await c.query<{ name: string; state: string }>(sql)).rows.map((r) => [r.name, r.state]));
}

const HUGE = 'x'.repeat(250_001);
const NUL = 'Jane\u0000Doe';
const LONE_HIGH = 'Jane \uD800 Doe';
const LONE_LOW = '\uDC00Jane';

/** Malformed values for one field, by what the field is. Each is wrong for that field. */
function badValues(name: string, schema: JsonSchema): [string, unknown][] {
  const wrongTypes: [string, unknown][] = [
    ['an object', { $gt: '' }],
    ['a list', ['x', 1]],
  ];
  const text: [string, unknown][] = [
    ['a number', 12345],
    ['a 250 kB string', HUGE],
    ['a NUL character', NUL],
    ['a lone high surrogate', LONE_HIGH],
    ['a lone low surrogate', LONE_LOW],
  ];
  if (schema.type === 'array') {
    return [
      ['a string instead of a list', 'x'],
      ['a list of objects', [{ a: 1 }]],
      ['a list with null', [null]],
      ['a list of 1,000', Array.from({ length: 1000 }, () => (isIdField(name, schema) ? '00000000-0000-4000-8000-000000000000' : 'x'))],
    ];
  }
  if (isIdField(name, schema)) {
    return [
      ['not a uuid', 'not-a-uuid'],
      ['SQL', "1' OR '1'='1"],
      ['a number', 42],
      ['an RTL override', `\u202E${'0'.repeat(36)}`],
      ['an emoji', '00000000-0000-4000-8000-00000000000😀'],
      ...wrongTypes,
    ];
  }
  if (schema.format === 'date-time' || /(At|Since|^until)$/.test(name)) {
    return [
      ['February 30th', '2026-02-30T10:00:00Z'],
      ['hour 25', '2026-12-01T25:00:00Z'],
      ['an offset of +25:00', '2026-12-01T10:00:00+25:00'],
      ['beyond the last JS date', '+275760-09-14T00:00:00Z'],
      ['words', 'next tuesday'],
      ['a combining mark', '2026-12-01\u0301T10:00:00Z'],
      ['a number', 1764600000000],
      ...wrongTypes,
    ];
  }
  if (schema.enum?.length) {
    const valid = String(schema.enum[0]);
    return [
      ['a value not in the list', 'NOT_A_VALUE'],
      ['fullwidth letters', '\uFF21\uFF22'],
      ['a combining mark', `${valid}\u0301`],
      ['an emoji', `${valid}😀`],
      ['an empty string', ''],
      ['a number', 3],
      ...wrongTypes,
    ];
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    return [
      ['negative', -1],
      ['beyond a 32-bit int', 2_147_483_648],
      ['beyond a safe integer', 9_007_199_254_740_993],
      ['a fraction', 1.5],
      ['1e300', 1e300],
      ['a numeric string', '12'],
      ['a boolean', true],
      ...wrongTypes,
    ];
  }
  if (schema.type === 'boolean') return [['a string', 'yes'], ['a number', 1], ...wrongTypes];
  if (name === 'email' || /Email$|emailReplyTo|emailFromAddress/.test(name)) {
    return [
      ['not an email', 'not-an-email'],
      ['an email with a NUL', 'jane\u0000@example.com'],
      ['an email with an RTL override', 'jane\u202E@example.com'],
      ['a 320+ character email', `${'j'.repeat(320)}@example.com`],
      ...text,
    ];
  }
  if (/phone|twilioFrom/i.test(name)) {
    // (Formatting around a number is read leniently, and the number stored normalised: see the valid cases below.)
    return [['too short', '12345'], ['letters', '+1415555ABCD'], ['an emoji', '+1415555😀'], ['30 digits', `+1${'9'.repeat(30)}`], ...text];
  }
  if (/timeZone/.test(name)) {
    return [['an unknown zone', 'Mars/Olympus'], ['an offset beyond 24h', 'UTC+25:00'], ['a path', '../../../etc/passwd'], ['an emoji', 'America/New_York😀'], ...text];
  }
  if (/url$/i.test(name)) {
    return [['javascript:', 'javascript:alert(1)'], ['not a URL', 'not a url'], ['ftp', 'ftp://files.example.com/x'], ...text];
  }
  if (schema.type === 'object') return [['a string', 'x'], ['a list', []], ['a number', 1]];
  return text;
}

/**
 * Strings an enum (a GraphQL enum: its values are names, spelled as REST spells them) does not
 * have, each wrong in its own way; GraphQL refuses them all before a resolver runs.
 */
function enumBadValues(type: GraphQLEnumType): [string, string][] {
  const valid = type.getValues()[0]!.name;
  return [
    ['a value not in the enum', 'NOT_A_VALUE'],
    ['a value in upper case', valid.toUpperCase() === valid ? valid.toLowerCase() : valid.toUpperCase()],
    ['a value with a space', ` ${valid}`],
    ['fullwidth letters', '\uFF21\uFF22'],
    ['a combining mark', `${valid}\u0301`],
    ['an emoji', `${valid}😀`],
    ['a NUL character', `${valid}\u0000`],
    ['an empty string', ''],
    ['a 250 kB string', HUGE],
  ];
}

/** The JSON type a field documented by `schema` takes. */
function jsonTypeOf(schema: JsonSchema): 'string' | 'number' | 'boolean' | 'object' | 'array' {
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.type === 'boolean' || schema.type === 'object' || schema.type === 'array') return schema.type;
  return 'string';
}

/**
 * `null` (unless the field is documented nullable: then null clears it, a valid write) and a value
 * of every other JSON type, each alone: none is the field's, so each is a 4xx naming the field.
 */
function wrongJsonTypes(schema: JsonSchema): [string, unknown][] {
  const all: [ReturnType<typeof jsonTypeOf>, string, unknown][] = [
    ['string', 'the string "x"', 'x'],
    ['number', 'the number 7', 7],
    ['boolean', 'true', true],
    ['object', 'the object {"a":1}', { a: 1 }],
    ['array', 'the list ["x"]', ['x']],
  ];
  const own = jsonTypeOf(schema);
  const out: [string, unknown][] = all.filter(([type]) => type !== own).map(([, what, value]) => [`as ${what} (a wrong JSON type)`, value]);
  if (schema.nullable !== true) out.unshift(['null', null]);
  return out;
}

/** Requests in flight at once: the cases are independent; a little parallelism keeps the file quick. */
const CONCURRENCY = 8;

/**
 * What a required-fields-only body lacks for a few operations to be valid: "exactly one of
 * candidateId and contactId" cannot be read from the schema.
 */
const VALID_BODY_EXTRAS = (f: World): Record<string, Record<string, unknown>> => ({
  'POST /v1/activities': { candidateId: f.ids.candidate },
  'POST /v1/messages': { candidateId: f.ids.candidate },
});
const VALID_INPUT_EXTRAS = (f: World): Record<string, Record<string, unknown>> => ({
  logActivity: { candidateId: f.ids.candidate },
  sendMessage: { candidateId: f.ids.candidate },
});

describe('chaos: bad-input fuzz', () => {
  const twilio = new FakeTwilioServer();
  const clock = new ManualClock(NOW);
  let t: TestApp;
  let base: string;
  let f: World;
  let doc: OpenApiDoc;
  let schema: GraphQLSchema;
  let hints: FieldHints;
  /** Every malformed request sent, and what was wrong with its answer (if anything). */
  const sent: { label: string; status: number }[] = [];
  const findings: string[] = [];
  let state: Record<string, string>;
  let admin: Client;

  const own: ValueContext = {
    idFor: (kind) => f.ids[kind ?? 'candidate'],
    get now() {
      return clock.now();
    },
  };

  beforeAll(async () => {
    const { url } = await twilio.start();
    t = await bootTestApp({ clock, env: { SCHEDULER: 'off', TWILIO_API_URL: url, PUBLIC_URL } });
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    f = await buildWorld(t, twilio, clock, 1, 'Fuzz');
    doc = await fetchOpenApi(t);
    schema = await introspect(t, f.who.token);
    hints = new FieldHints(doc);
    admin = await openAdminDb();
    state = await databaseState(admin);
  }, 120_000);
  afterAll(async () => {
    await admin?.end();
    await t?.close();
    await twilio.stop();
  });

  beforeEach(() => {
    findings.length = 0;
  });

  /** After a group of requests: nothing in the database changed. */
  async function assertNothingWritten(group: string): Promise<void> {
    const now = await databaseState(admin);
    const changed = changedTables(state, now);
    if (changed.length) findings.push(`${group}: wrote to ${changed.join(', ')}`);
    state = now;
  }

  interface RestCase {
    label: string;
    /** The field the case is about: a 400 must name it. */
    field?: string;
    send: () => request.Test;
  }

  /** Sends the cases a few at a time (they are independent), then checks every answer. */
  async function expectRejected(cases: RestCase[], options: { html?: boolean } = {}): Promise<void> {
    const answers = await inBatches(cases, CONCURRENCY, (c) => c.send());
    for (const [i, res] of answers.entries()) restRejected(cases[i]!, res, options.html === true);
  }

  function restRejected(c: RestCase, res: request.Response, html: boolean): void {
    sent.push({ label: c.label, status: res.status });
    if (res.status < 400 || res.status > 499) {
      findings.push(`${c.label}: ${res.status} ${(res.text ?? '').slice(0, 200)}`);
      return;
    }
    const type = String(res.headers['content-type']);
    if (!type.startsWith('application/problem+json') && !(html && type.startsWith('text/html'))) findings.push(`${c.label}: ${res.status} is ${type}, not problem+json`);
    // A validation failure names the field it is about.
    const fields = ((res.body?.errors ?? []) as { field?: string }[]).map((e) => String(e.field));
    if (c.field && res.status === 400 && res.body?.code === 'VALIDATION_FAILED' && !fields.some((x) => x === c.field || x.startsWith(`${c.field}.`) || x.startsWith(`${c.field}[`))) {
      findings.push(`${c.label}: 400 without naming ${c.field}: ${JSON.stringify(res.body?.errors ?? res.body?.detail)}`);
    }
  }

  // -------------------------------------------------------------------------------------------

  it('REST: malformed bodies, fields and ids to every write operation in /openapi.json answer 4xx and write nothing', async () => {
    const ops = restOperations(doc).filter((op) => WRITE_METHODS.includes(op.method));
    const pathOf = (op: RestOperation, params: Record<string, string> = {}): string =>
      op.pathParams.reduce((p, name) => {
        const defaults: Record<string, string> = { tenantKey: f.who.webhookKey, externalId: f.externalIds.candidate, token: 'not-a-token' };
        const value = params[name] ?? defaults[name] ?? f.ids[pathParamKind(op.path, name) ?? 'candidate'];
        return p.replace(`{${name}}`, encodeURIComponent(value));
      }, op.path);
    let keys = 0;
    const call = (op: RestOperation, path: string): request.Test =>
      request(base)[op.method](path).set('Authorization', `Bearer ${f.who.token}`).set('Idempotency-Key', `fuzz-${(keys += 1)}`);
    const before = sent.length;

    for (const op of ops) {
      const cases: RestCase[] = [];
      // A valid body of the firm's own objects, so that only the one thing each case breaks is wrong.
      const body = op.body ? { ...objectOf(op.body, own, doc).value, ...VALID_BODY_EXTRAS(f)[op.key] } : undefined;
      // The ids in the path: malformed.
      for (const [what, value] of [
        ['not a uuid', 'not-a-uuid'],
        ['SQL', "1' OR '1'='1"],
        ['a 2,000 character id', 'a'.repeat(2000)],
      ] as const) {
        for (const param of op.pathParams.filter((p) => p !== 'tenantKey' && p !== 'externalId')) {
          cases.push({ label: `${op.key} with ${param} ${what}`, send: () => call(op, pathOf(op, { [param]: value })).send(body ?? {}) });
        }
      }
      if (op.path.includes('{externalId}')) {
        cases.push({ label: `${op.key} with a 2,000 character externalId`, send: () => call(op, pathOf(op, { externalId: 'E'.repeat(2000) })).send(body ?? {}) });
        cases.push({ label: `${op.key} with a NUL in externalId`, send: () => call(op, pathOf(op, { externalId: 'EXT\u0000-1' })).send(body ?? {}) });
      }
      if (op.body && body) {
        const path = pathOf(op);
        // The body as a whole.
        for (const [what, raw] of [
          ['a JSON array', '[]'],
          ['a JSON string', '"hello"'],
          ['JSON null', 'null'],
          ['a number', '42'],
          ['truncated JSON', '{"name": "Jane'],
          ['a __proto__ key', JSON.stringify({ ...body, ['__proto__']: { isAdmin: true } })],
        ] as const) {
          cases.push({ label: `${op.key} with ${what} as the body`, send: () => call(op, path).set('Content-Type', 'application/json').send(raw) });
        }
        cases.push({ label: `${op.key} as a form`, send: () => call(op, path).type('form').send('name=Jane') });
        // Extra fields.
        for (const extra of ['tenantId', 'isAdmin', 'createdAt']) {
          cases.push({ label: `${op.key} with an extra field ${extra}`, field: extra, send: () => call(op, path).send({ ...body, [extra]: extra === 'tenantId' ? f.who.tenantId : true }) });
        }
        // Each field, one at a time, wrong.
        const required = op.body.required ?? [];
        for (const [name, raw] of Object.entries(op.body.properties ?? {})) {
          const prop = resolve(doc, raw);
          for (const [what, value] of [...badValues(name, prop), ...wrongJsonTypes(prop)]) {
            cases.push({ label: `${op.key} with ${name} ${what}`, field: name, send: () => call(op, path).send({ ...body, [name]: value }) });
          }
          if (required.includes(name)) {
            const { [name]: _dropped, ...rest } = body;
            cases.push({ label: `${op.key} without ${name}`, field: name, send: () => call(op, path).send(rest) });
          }
        }
      }
      // Links people open from email answer pages: unsubscribe, and the signup's verification.
      await expectRejected(cases, { html: op.path.startsWith('/v1/unsubscribe/') || op.path.startsWith('/v1/auth/verify-email/') });
      await assertNothingWritten(op.key);
    }
    console.log(`bad-input fuzz, REST: ${sent.length - before} malformed requests to ${ops.length} write operations`);
    expect(findings).toEqual([]);
  }, 240_000);

  // -------------------------------------------------------------------------------------------

  it('GraphQL: malformed arguments to every mutation answer 400 or a non-internal error, and write nothing', async () => {
    const mutations = rootFields(schema).filter((x) => x.operation === 'mutation');
    const before = sent.length;
    const post = (query: string, variables: Record<string, unknown>) =>
      request(base).post('/graphql').set('Authorization', `Bearer ${f.who.token}`).send({ query, variables });

    for (const { field } of mutations) {
      const shape = gqlOperation('mutation', field, own, hints, { declareAll: true });
      const withUnknownArg = gqlOperation('mutation', field, own, hints, { declareAll: true, extraArgs: { tenantId: 'ID' } }).text;
      const variables = structuredClone(shape.variables);
      const extras = VALID_INPUT_EXTRAS(f)[field.name];
      if (extras) Object.assign(variables.input as Record<string, unknown>, extras);
      for (const target of shape.targets) {
        variables[target.arg] = target.external ? f.externalIds.candidate : f.ids[target.kind ?? 'candidate'];
      }
      // Every argument and every field of every input is declared as a variable, so each can be wrong.
      const cases: { label: string; variables: Record<string, unknown>; text?: string; field?: string }[] = [];
      const walk = (type: GraphQLInputType, name: string, at: (string | number)[], owner: string | undefined): void => {
        const inner = isNonNullType(type) ? type.ofType : type;
        const named = getNamedType(inner);
        if (isInputObjectType(named) && !isListType(inner)) {
          cases.push({ label: `${at.join('.')} with an unknown field tenantId`, variables: withValue(variables, [...at, 'tenantId'], f.who.tenantId) });
          for (const sub of Object.values(named.getFields())) walk(sub.type, sub.name, [...at, sub.name], named.name);
          return;
        }
        const hint = hints.of(owner, name) ?? {};
        const scalar = isScalarType(named) ? named.name : isEnumType(named) ? 'Enum' : 'Other';
        const values: [string, unknown][] =
          scalar === 'Int'
            ? [
                ['negative', -1],
                ['beyond a 32-bit int', 2_147_483_648],
                ['a fraction', 1.5],
                ['a string', '12'],
              ]
            : scalar === 'Boolean'
              ? [['a string', 'yes']]
              : scalar === 'JSON'
                ? [
                    ['a string', 'x'],
                    ['a list', [1, 2]],
                    ['a NUL in a key', { 'a\u0000b': { enabled: true } }],
                  ]
                : isListType(inner)
                  ? [
                      ['a list with an object', [{ a: 1 }]],
                      ['a list of 1,000', Array.from({ length: 1000 }, () => '00000000-0000-4000-8000-000000000000')],
                      ...(isEnumType(named) ? enumBadValues(named).map(([what, v]): [string, unknown] => [`a list with ${what}`, [named.getValues()[0]!.name, v]]) : []),
                    ]
                  : isEnumType(named)
                    ? [...enumBadValues(named), ['an object', { a: 1 }]]
                    : [
                        ...badValues(name, { ...hint, type: hint.type === 'array' ? 'string' : hint.type }).filter(([, v]) => typeof v === 'string'),
                        ['an object', { a: 1 }],
                      ];
        // null and every wrong JSON type, each alone (a JSON argument takes any type: only null).
        // null is a value where the field is documented nullable, and for an optional argument
        // outside an input (GraphQL's "not given", as for a list query's filters).
        const nullable = hint.nullable === true || (owner === undefined && !isNonNullType(type));
        const own: JsonSchema['type'] = isListType(inner) ? 'array' : scalar === 'Int' || scalar === 'Float' ? 'number' : scalar === 'Boolean' ? 'boolean' : 'string';
        const wrong = scalar === 'JSON' ? wrongJsonTypes({ nullable }).filter(([, v]) => v === null) : wrongJsonTypes({ type: own, nullable });
        for (const [what, value] of [...values, ...wrong]) cases.push({ label: `${at.join('.')} ${what}`, field: name, variables: withValue(variables, at, value) });
      };
      for (const arg of field.args) walk(arg.type, arg.name, [arg.name], undefined);
      cases.push({ label: 'an unknown argument tenantId', variables: { ...variables, tenantId: f.who.tenantId }, text: withUnknownArg });

      const answers = await inBatches(cases, CONCURRENCY, (c) => post(c.text ?? shape.text, c.variables));
      for (const [i, res] of answers.entries()) {
        const label = `mutation ${field.name}: ${cases[i]!.label}`;
        sent.push({ label, status: res.status });
        // Refused: HTTP 400 (the request could not run at all), or errors without data for the
        // field, none of them internal.
        const errors = (res.body?.errors ?? []) as { extensions?: { code?: string; errors?: { field: string }[] } }[];
        const data = res.body?.data as Record<string, unknown> | null | undefined;
        const refused = res.status === 400 || (res.status === 200 && errors.length > 0 && (data === null || data === undefined || data[field.name] === null));
        const internal = res.status >= 500 || (res.status !== 400 && errors.some((e) => e.extensions?.code === undefined || e.extensions.code === 'INTERNAL_SERVER_ERROR'));
        if (!refused || internal) findings.push(`${label}: ${res.status} ${String(res.text).slice(0, 300)}`);
        // A validation failure names the field it is about, as over REST; so does GraphQL's refusal
        // of a value its enum does not have (BAD_USER_INPUT with the app's errors: [{ field, message }]).
        const about = cases[i]!.field;
        const invalid = errors.find((e) => e.extensions?.code === 'VALIDATION_FAILED' || e.extensions?.errors !== undefined);
        if (about && invalid && !(invalid.extensions?.errors ?? []).some((e) => e.field.split(/[.[]/).includes(about))) {
          findings.push(`${label}: ${invalid.extensions?.code} without naming ${about}: ${JSON.stringify(invalid.extensions?.errors)}`);
        }
      }
      await assertNothingWritten(`mutation ${field.name}`);
    }
    console.log(`bad-input fuzz, GraphQL: ${sent.length - before} malformed requests to ${mutations.length} mutations`);
    expect(findings).toEqual([]);
  }, 240_000);

  // -------------------------------------------------------------------------------------------

  it('inbound webhooks (Twilio, email): malformed posts answer 4xx and write nothing', async () => {
    const before = sent.length;
    const smsPath = `/v1/webhooks/twilio/${f.who.webhookKey}/inbound`;
    const statusPath = `/v1/webhooks/twilio/${f.who.webhookKey}/status`;
    const emailPath = `/v1/webhooks/email/${f.who.webhookKey}/inbound`;
    const form = { MessageSid: twilioSid(), AccountSid: f.twilio.accountSid, From: f.candidatePhone, To: f.twilio.from, Body: 'Hello', NumMedia: '0' };
    const twilioPost = (path: string, params: Record<string, string>, signature: string | null, contentType = 'application/x-www-form-urlencoded', raw?: string) => {
      const req = request(base).post(path).set('Content-Type', contentType);
      if (signature !== null) req.set('X-Twilio-Signature', signature);
      return req.send(raw ?? new URLSearchParams(params).toString());
    };
    const signed = (path: string, params: Record<string, string>) => twilioSignature(f.twilio.authToken, path, params);

    const twilioCases: [string, () => request.Test][] = [
      ['no signature', () => twilioPost(smsPath, form, null)],
      ['an empty signature', () => twilioPost(smsPath, form, '')],
      ['a wrong signature', () => twilioPost(smsPath, form, 'bm90IGEgc2lnbmF0dXJl')],
      ['a signature over other params', () => twilioPost(smsPath, form, signed(smsPath, { ...form, Body: 'Something else' }))],
      ['a signature by another token', () => twilioPost(smsPath, form, twilioSignature('another-token-0123456789', smsPath, form))],
      ['a signature over another URL', () => twilioPost(smsPath, form, signed(statusPath, form))],
      ['an unknown tenant key', () => twilioPost('/v1/webhooks/twilio/whk_unknown/inbound', form, signed('/v1/webhooks/twilio/whk_unknown/inbound', form))],
      ['a 2,000 character tenant key', () => twilioPost(`/v1/webhooks/twilio/${'k'.repeat(2000)}/inbound`, form, 'x')],
      ['a JSON body, signed', () => twilioPost(smsPath, form, signed(smsPath, form), 'application/json', JSON.stringify(form))],
      ['a text/plain body', () => twilioPost(smsPath, form, signed(smsPath, form), 'text/plain', 'Body=Hello')],
      ['a 2 MB body', () => twilioPost(smsPath, { ...form, Body: 'x'.repeat(2 * 1024 * 1024) }, signed(smsPath, { ...form, Body: 'x'.repeat(2 * 1024 * 1024) }))],
      ['a malformed form encoding', () => twilioPost(smsPath, form, signed(smsPath, form), 'application/x-www-form-urlencoded', 'Body=%E0%A4%A&MessageSid=%ZZ')],
      ['a NUL in Body, signed', () => twilioPost(smsPath, { ...form, Body: NUL }, signed(smsPath, { ...form, Body: NUL }))],
      ['a NUL in From, signed', () => twilioPost(smsPath, { ...form, From: `${f.candidatePhone}\u0000` }, signed(smsPath, { ...form, From: `${f.candidatePhone}\u0000` }))],
      ['a status callback with no signature', () => twilioPost(statusPath, { MessageSid: f.outboundSmsSid, MessageStatus: 'delivered' }, null)],
      ['a status callback with a wrong signature', () => twilioPost(statusPath, { MessageSid: f.outboundSmsSid, MessageStatus: 'failed', ErrorCode: '21610' }, 'AAAA')],
      [
        'a status callback with a NUL in MessageStatus, signed',
        () => twilioPost(statusPath, { MessageSid: f.outboundSmsSid, MessageStatus: 'deliv\u0000ered' }, signed(statusPath, { MessageSid: f.outboundSmsSid, MessageStatus: 'deliv\u0000ered' })),
      ],
      [
        'a status callback with a NUL in messageId, signed',
        () => {
          const params = { MessageSid: f.outboundSmsSid, MessageStatus: 'delivered' };
          return twilioPost(`${statusPath}?messageId=%00`, params, signed(`${statusPath}?messageId=%00`, params));
        },
      ],
    ];
    await expectRejected(twilioCases.map(([what, send]) => ({ label: `Twilio webhook with ${what}`, send })));
    // Not counted as refused: a correctly signed post that carries no message (no MessageSid) is
    // authenticated Twilio traffic; it gets empty TwiML (a 2xx, so Twilio logs no error) and is
    // recorded nowhere (checked with the rest below).
    const noSid = { AccountSid: f.twilio.accountSid, From: f.candidatePhone, To: f.twilio.from, Body: 'Hello' };
    const empty = await twilioPost(smsPath, noSid, signed(smsPath, noSid));
    expect([empty.status, empty.text]).toEqual([200, expect.stringMatching(/<Response\/>$/)]);

    const email = { from: `Candidate <${f.candidateEmail}>`, to: 'replies@inbound.example', subject: 'Re: hello', text: 'Yes', messageId: '<fuzz-1@mail.example>' };
    const emailPost = (body: unknown, secret: string | null = f.inboundEmailSecret, contentType = 'application/json'): request.Test => {
      const req = request(base).post(emailPath).set('Content-Type', contentType);
      if (secret !== null) req.set('X-Touchpoint-Webhook-Secret', secret);
      return req.send(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const emailCases: RestCase[] = [
      { label: 'no secret', send: () => emailPost(email, null) },
      { label: 'a wrong secret', send: () => emailPost(email, 'wrong-secret') },
      { label: 'an unknown tenant key', send: () => request(base).post('/v1/webhooks/email/whk_unknown/inbound').set('X-Touchpoint-Webhook-Secret', f.inboundEmailSecret).send(email) },
      { label: 'a JSON array', send: () => emailPost([email]) },
      { label: 'JSON null', send: () => emailPost('null') },
      { label: 'truncated JSON', send: () => emailPost('{"from": "a@b.c", ') },
      { label: 'a form body', send: () => emailPost('from=a%40b.c&messageId=x', f.inboundEmailSecret, 'application/x-www-form-urlencoded') },
      { label: 'an extra field tenantId', field: 'tenantId', send: () => emailPost({ ...email, tenantId: f.who.tenantId }) },
    ];
    const emailSchema = resolve(doc, { $ref: '#/components/schemas/InboundEmailDto' });
    for (const [name, raw] of Object.entries(emailSchema.properties ?? {})) {
      const prop = resolve(doc, raw);
      const values: [string, unknown][] = [...badValues(name, prop), ...(emailSchema.required?.includes(name) ? ([['missing', undefined]] as [string, unknown][]) : [])];
      for (const [i, [what, value]] of values.entries()) {
        emailCases.push({ label: `${name} ${what}`, field: name, send: () => emailPost({ ...email, messageId: `<fuzz-${name}-${i}@mail.example>`, [name]: value }) });
      }
    }
    await expectRejected(emailCases.map((c) => ({ ...c, label: `email webhook with ${c.label}` })));
    await assertNothingWritten('inbound webhooks');
    console.log(`bad-input fuzz, webhooks: ${sent.length - before} malformed requests`);
    expect(findings).toEqual([]);
  });

  it(`counts: at least 200 malformed requests, every one refused`, () => {
    console.log(`bad-input fuzz: ${sent.length} malformed requests in all; statuses ${JSON.stringify(countBy(sent.map((s) => s.status)))}`);
    expect(sent.length).toBeGreaterThanOrEqual(200);
    expect(sent.filter((s) => s.status >= 500)).toEqual([]);
    // null and each wrong JSON type reached every write: a few that once were 500s, for the record.
    const labels = new Set(sent.map((s) => s.label));
    for (const label of [
      'PATCH /v1/users/{id} with role null',
      'PATCH /v1/candidates/{id} with status null',
      'PATCH /v1/webhook-subscriptions/{id} with eventTypes null',
      'PATCH /v1/interviews/{id} with format as the number 7 (a wrong JSON type)',
      'mutation updateUser: input.role null',
      'mutation updateLead: input.company null',
      'mutation updateReference: input.relationship as true (a wrong JSON type)',
      // Enums: values GraphQL's enum does not have, and wrong JSON types.
      'mutation createLead: input.source a value not in the enum',
      'mutation changeLeadStatus: input.status a value in upper case',
      'mutation createContact: input.roles a list with a value not in the enum',
      'mutation setCandidateConsent: input.channel as the number 7 (a wrong JSON type)',
    ]) {
      expect([label, labels.has(label)]).toEqual([label, true]);
    }
    console.log(`bad-input fuzz: ${sent.filter((s) => / null$|a wrong JSON type/.test(s.label)).length} of them null or a wrong JSON type`);
  });

  // -------------------------------------------------------------------------------------------

  describe('valid input that looks dangerous is stored verbatim', () => {
    const names = [
      "Robert'); DROP TABLE candidates;--",
      '<script>alert("x")</script> & <b>Bold</b>',
      'Zoë 👩🏽‍💻 Ångström',
      'Zoe\u0308 e\u0301\u0301 (combining marks)',
      '\u202Eevil.exe\u202C and \u200F RTL marks',
      'Mc\'Donald "Quote" `Tick` \\backslash\\ %_ wildcard',
      '𝕏 mathematical ℵ and 中文名字 and العربية',
    ];

    it.each(names.map((n) => [n]))('a candidate named %j, over REST and GraphQL', async (name) => {
      const rows = await withAdminDb(async (c) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM candidates`)).rows[0]!.n);
      const created = await api(t, f.who).post('/v1/candidates', { name, status: 'inactive' }).expect(201);
      expect(created.body.name).toBe(name);
      const read = await api(t, f.who).get(`/v1/candidates/${created.body.id}`).expect(200);
      expect(read.body.name).toBe(name);
      const viaGql = await gql<{ createCandidate: { id: string; name: string } }>(
        t,
        f.who.token,
        'mutation($input: CreateCandidateInput!) { createCandidate(input: $input) { id name } }',
        { input: { name, status: 'inactive' } },
      );
      expect(viaGql.errors).toBeUndefined();
      expect(viaGql.data?.createCandidate.name).toBe(name);
      const stored = await withAdminDb(async (c) =>
        (await c.query<{ name: string }>(`SELECT name FROM candidates WHERE id = ANY($1::uuid[]) ORDER BY created_at`, [[created.body.id, viaGql.data!.createCandidate.id]])).rows.map(
          (r) => r.name,
        ),
      );
      expect(stored).toEqual([name, name]);
      // Nothing else broke: the table is all there and searchable by that very text.
      expect(await withAdminDb(async (c) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM candidates`)).rows[0]!.n)).toBe(rows + 2);
      const found = await api(t, f.who).get(`/v1/candidates?q=${encodeURIComponent(name.slice(0, 12))}`).expect(200);
      expect(found.body.items.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([created.body.id]));
      await api(t, f.who).get('/v1/candidates?limit=100').expect(200);
    });

    it('formatting and invisible marks around a phone number are read leniently; the number is stored normalised', async () => {
      for (const phone of ['\u202E+1 (415) 555-2671', '+1\u00A0415\u2011555\u20112671', ' +1-415-555-2671 ']) {
        const res = await api(t, f.who).post('/v1/candidates', { name: 'Formatted Phone', phone, status: 'inactive' }).expect(201);
        expect(res.body.phone).toBe('+14155552671');
        const stored = await withAdminDb(async (c) => (await c.query<{ phone: string }>(`SELECT phone FROM candidates WHERE id = $1`, [res.body.id])).rows[0]!.phone);
        expect(stored).toBe('+14155552671');
      }
    });

    it('SQL and HTML in a contact, a lead, an activity and an inbound email are kept as written', async () => {
      const sql = "x'); DELETE FROM leads; --";
      const html = '<img src=x onerror=alert(1)>';
      const contact = await api(t, f.who).post('/v1/contacts', { name: html, company: sql, title: '"; DROP SCHEMA public CASCADE; --' }).expect(201);
      const lead = await api(t, f.who).post('/v1/leads', { candidateId: f.ids.candidate, company: html, position: sql }).expect(201);
      const activity = await api(t, f.who).post('/v1/activities', { contactId: contact.body.id, kind: 'note', direction: 'out', summary: `${sql} ${html} 👍` }).expect(201);
      const inbound = await request(base)
        .post(`/v1/webhooks/email/${f.who.webhookKey}/inbound`)
        .set('X-Touchpoint-Webhook-Secret', f.inboundEmailSecret)
        .send({ from: f.candidateEmail, subject: html, text: sql, messageId: `<${sql}@mail.example>` })
        .expect(200);
      const stored = await withAdminDb(async (c) => ({
        contact: (await c.query(`SELECT name, company, title FROM contacts WHERE id = $1`, [contact.body.id])).rows[0],
        lead: (await c.query(`SELECT company, position FROM leads WHERE id = $1`, [lead.body.id])).rows[0],
        activity: (await c.query(`SELECT summary FROM activities WHERE id = $1`, [activity.body.id])).rows[0],
        message: (await c.query(`SELECT subject, body FROM messages WHERE id = $1`, [inbound.body.messageId])).rows[0],
        leads: (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM leads WHERE tenant_id = $1`, [f.who.tenantId])).rows[0]!.n,
      }));
      expect(stored).toEqual({
        contact: { name: html, company: sql, title: '"; DROP SCHEMA public CASCADE; --' },
        lead: { company: html, position: sql },
        activity: { summary: `${sql} ${html} 👍` },
        message: { subject: html, body: sql },
        leads: expect.any(Number),
      });
      expect(stored.leads).toBeGreaterThanOrEqual(2);
    });
  });
});

function withValue(variables: Record<string, unknown>, at: (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(variables);
  if (value === undefined) return copy;
  setAt(copy, at, value);
  return copy;
}

function countBy(values: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
