import { randomBytes, randomUUID } from 'node:crypto';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  GraphQLArgument,
  GraphQLEnumType,
  GraphQLField,
  GraphQLInputField,
  GraphQLInputObjectType,
  GraphQLInputType,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type IntrospectionQuery,
} from 'graphql';
import request from 'supertest';
import { STRONG_PASSWORD, TestApp } from '../../support/test-app';
import { kindOf, type Kind } from './http-world';

/**
 * The API's surface, read from what the running app publishes (/openapi.json and GraphQL
 * introspection), and plausible requests generated from it: every operation, its path
 * parameters, its body and its arguments, with the places where an object id goes ("slots")
 * named, so a probe can put another firm's ids there. New routes and fields are picked up
 * without touching the tests.
 */

export interface JsonSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  /** `null` is a value the field takes (it clears the field); otherwise `null` is refused. */
  nullable?: boolean;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

export interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  security?: Record<string, unknown>[];
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema> };
}

export interface RestOperation {
  /** "POST /v1/leads/{id}/status" */
  key: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  pathParams: string[];
  queryParams: OpenApiParameter[];
  body: JsonSchema | undefined;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export const WRITE_METHODS: readonly string[] = ['post', 'put', 'patch', 'delete'];

export async function fetchOpenApi(t: TestApp): Promise<OpenApiDoc> {
  const res = await request(t.http).get('/openapi.json').expect(200);
  return res.body as OpenApiDoc;
}

export function restOperations(doc: OpenApiDoc): RestOperation[] {
  const ops: RestOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = op.parameters ?? [];
      const json = op.requestBody?.content['application/json']?.schema;
      ops.push({
        key: `${method.toUpperCase()} ${path}`,
        method,
        path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
        queryParams: params.filter((p) => p.in === 'query'),
        body: json ? resolve(doc, json) : undefined,
      });
    }
  }
  return ops;
}

/**
 * Follows $ref and merges allOf. A property typed `string | null` in a DTO is documented by the
 * Swagger plugin as `type: object` without properties (with a string example): read as a string.
 */
export function resolve(doc: OpenApiDoc, schema: JsonSchema): JsonSchema {
  if (schema.type === 'object' && !schema.properties && (schema.example === undefined || typeof schema.example !== 'object')) {
    return { ...schema, type: 'string' };
  }
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop()!;
    const target = doc.components.schemas[name];
    if (!target) throw new Error(`unresolved ${schema.$ref}`);
    return resolve(doc, target);
  }
  if (schema.allOf) {
    return schema.allOf.map((s) => resolve(doc, s)).reduce<JsonSchema>(
      (acc, s) => ({ ...acc, ...s, properties: { ...acc.properties, ...s.properties }, required: [...(acc.required ?? []), ...(s.required ?? [])] }),
      {},
    );
  }
  return schema;
}

// ---------------------------------------------------------------------------------------------
// Plausible values

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A field that holds an object's id (not an externalId, not an email Message-ID). */
export function isIdField(name: string, schema?: JsonSchema): boolean {
  if (name === 'externalId' || !/(^id|Id|Ids)$/.test(name)) return false;
  const example = schema?.example ?? schema?.items?.example;
  return !(typeof example === 'string' && !UUID.test(example));
}

export interface ValueContext {
  /** The id to put in an id field of this kind (undefined kind: the name says nothing). */
  idFor(kind: Kind | undefined, name: string): string;
  now: Date;
}

function uniqueEmail(): string {
  return `probe.${randomBytes(4).toString('hex')}@probe-firm.example`;
}

function dateFor(name: string, now: Date): string {
  const past = /since|occurred|sent|offer|provided/i.test(name);
  return new Date(now.getTime() + (past ? -1 : 2) * 86_400_000).toISOString();
}

/** A value a careful client would send for this field. */
export function plausible(name: string, schema: JsonSchema | undefined, ctx: ValueContext, doc?: OpenApiDoc): unknown {
  const s = schema && doc ? resolve(doc, schema) : schema;
  if (s?.type === 'array' || (s === undefined && /Ids$/.test(name))) {
    const item = s?.items;
    if (isIdField(name, s)) return [ctx.idFor(kindOf(name.replace(/Ids$/, '')), name)];
    if (Array.isArray(s?.example)) return structuredClone(s.example);
    return [plausible(name.replace(/s$/, ''), item, ctx, doc)];
  }
  if (isIdField(name, s)) return ctx.idFor(name === 'id' ? undefined : kindOf(name), name);
  if (name === 'email') return uniqueEmail();
  if (name === 'password') return STRONG_PASSWORD;
  if (s?.format === 'date-time' || /(At|Since|^until)$/.test(name)) return dateFor(name, ctx.now);
  if (s?.example !== undefined) return structuredClone(s.example);
  if (s?.enum?.length) return s.enum[0];
  if (/timeZone/.test(name)) return 'America/New_York';
  if (/url$/i.test(name)) return 'http://127.0.0.1:9/probe';
  if (/phone/i.test(name)) return '+14155552671';
  if (/^(limit|first)$/.test(name)) return 5;
  if (s?.type === 'integer' || s?.type === 'number') return typeof s.minimum === 'number' ? Math.max(1, s.minimum) : 1;
  if (s?.type === 'boolean') return false;
  if (s?.type === 'object' || s?.properties) return objectOf(s ?? {}, ctx, doc).value;
  return `Probe ${name}`;
}

/** A place in a request where an object id goes. */
export interface Slot {
  /** Where, in the body (['referrerContactId']) or in GraphQL's arguments (['args', 'input', 'contactId']). */
  at: (string | number)[];
  name: string;
  kind: Kind | undefined;
  many: boolean;
}

export interface Generated<T> {
  value: T;
  /** Id fields: the required ones (present, with the prober's own ids) and the optional ones (absent). */
  slots: Slot[];
}

/** An object with its required properties, and its id slots (optional id fields included). */
export function objectOf(schema: JsonSchema, ctx: ValueContext, doc: OpenApiDoc | undefined, at: (string | number)[] = []): Generated<Record<string, unknown>> {
  const value: Record<string, unknown> = {};
  const slots: Slot[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, raw] of Object.entries(schema.properties ?? {})) {
    const prop = doc ? resolve(doc, raw) : raw;
    const id = isIdField(name, prop);
    if (id) slots.push({ at: [...at, name], name, kind: kindOf(name.replace(/Ids?$/, '')), many: prop.type === 'array' });
    if (!required.has(name)) continue;
    if (!id && prop.properties) {
      const nested = objectOf(prop, ctx, doc, [...at, name]);
      value[name] = nested.value;
      slots.push(...nested.slots);
    } else {
      value[name] = plausible(name, prop, ctx, doc);
    }
  }
  return { value, slots };
}

export function setAt(target: Record<string, unknown>, at: (string | number)[], value: unknown): void {
  let cursor: Record<string | number, unknown> = target;
  for (const key of at.slice(0, -1)) {
    if (cursor[key] === undefined || cursor[key] === null) cursor[key] = {};
    cursor = cursor[key] as Record<string | number, unknown>;
  }
  cursor[at[at.length - 1]!] = value;
}

/** The kind of object a path parameter names: the nearest resource segment before it. */
export function pathParamKind(path: string, param: string): Kind | undefined {
  const segments = path.split('/');
  return segments
    .slice(0, segments.indexOf(`{${param}}`))
    .reverse()
    .map((s) => (s.startsWith('{') ? undefined : kindOf(s)))
    .find((k) => k !== undefined);
}

/** Runs `fn` over the items, `limit` at a time; answers in the items' order. */
export async function inBatches<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R> | PromiseLike<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += limit) out.push(...(await Promise.all(items.slice(i, i + limit).map((item) => fn(item)))));
  return out;
}

export function randomId(): string {
  return randomUUID();
}

// ---------------------------------------------------------------------------------------------
// GraphQL

export async function introspect(t: TestApp, token: string): Promise<GraphQLSchema> {
  const res = await request(t.http).post('/graphql').set('Authorization', `Bearer ${token}`).send({ query: getIntrospectionQuery() }).expect(200);
  if (res.body.errors) throw new Error(`introspection: ${JSON.stringify(res.body.errors)}`);
  return buildClientSchema(res.body.data as IntrospectionQuery);
}

export function rootFields(schema: GraphQLSchema): { operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[] {
  const out: { operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[] = [];
  for (const [operation, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(type?.getFields() ?? {})) out.push({ operation, field });
  }
  return out;
}

/** A selection of the type's fields: every scalar, and nested objects down to `depth`. */
export function selectionOf(type: GraphQLObjectType, depth: number): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (isObjectType(named) && depth > 1) {
      const inner = selectionOf(named, depth - 1);
      if (inner) parts.push(`${field.name} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

export function selectionFor(field: GraphQLField<unknown, unknown>, depth = 3): string {
  const named = getNamedType(field.type);
  if (isLeafType(named)) return '';
  if (isObjectType(named)) return `{ ${selectionOf(named, depth) || '__typename'} }`;
  return '{ __typename }';
}

/** Looks up what the REST side documents for a field of the same name (the DTO classes are shared). */
export class FieldHints {
  private readonly byName = new Map<string, JsonSchema>();

  constructor(private readonly doc: OpenApiDoc) {
    for (const schema of Object.values(doc.components.schemas)) {
      for (const [name, raw] of Object.entries(schema.properties ?? {})) {
        const prop = resolve(doc, raw);
        const known = this.byName.get(name);
        if (!known || (known.example === undefined && prop.example !== undefined)) this.byName.set(name, prop);
      }
    }
  }

  /** The property as documented on the DTO behind an input type (`XInput` ↔ `XDto`), else anywhere. */
  of(inputType: string | undefined, name: string): JsonSchema | undefined {
    const base = inputType?.replace(/Input$/, '');
    const dto = base ? (this.doc.components.schemas[`${base}Dto`] ?? this.doc.components.schemas[base]) : undefined;
    const own = dto?.properties?.[name];
    return own ? resolve(this.doc, own) : this.byName.get(name);
  }
}

/** Plausible GraphQL argument values, shaped by the GraphQL types and the REST documentation. */
export function gqlValue(type: GraphQLInputType, name: string, owner: string | undefined, ctx: ValueContext, hints: FieldHints, at: (string | number)[], slots: Slot[]): unknown {
  if (isNonNullType(type)) return gqlValue(type.ofType, name, owner, ctx, hints, at, slots);
  if (isListType(type)) {
    const inner = type.ofType as GraphQLInputType;
    if (isInputObjectType(getNamedType(inner))) return [gqlValue(inner, name, owner, ctx, hints, [...at, 0], slots)];
    const v = gqlValue(inner, name, owner, ctx, hints, at, slots);
    return Array.isArray(v) ? v : [v];
  }
  if (isInputObjectType(type)) return gqlInputObject(type, ctx, hints, at, slots);
  const hint = hints.of(owner, name);
  if (isEnumType(type)) return (type as GraphQLEnumType).getValues()[0]?.value;
  const scalar = (type as GraphQLScalarType).name;
  if (scalar === 'ID' || (scalar === 'String' && isIdField(name, hint))) return ctx.idFor(name === 'id' ? undefined : kindOf(name), name);
  if (scalar === 'Int' || scalar === 'Float') {
    const v = plausible(name, hint, ctx);
    return typeof v === 'number' && (scalar === 'Float' || Number.isInteger(v)) ? v : 1;
  }
  if (scalar === 'Boolean') return typeof hint?.example === 'boolean' ? hint.example : false;
  if (scalar === 'DateTime') return dateFor(name, ctx.now);
  if (scalar === 'JSON') {
    const v = hint?.example;
    return v !== null && typeof v === 'object' ? structuredClone(v) : {};
  }
  const v = plausible(name, hint ?? { type: 'string' }, ctx);
  return typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : JSON.stringify(v);
}

/** An input object with its required fields; every id field (required or not) is a slot. */
function gqlInputObject(type: GraphQLInputObjectType, ctx: ValueContext, hints: FieldHints, at: (string | number)[], slots: Slot[]): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const field of Object.values(type.getFields()) as GraphQLInputField[]) {
    const named = getNamedType(field.type);
    const id = isGqlIdField(field.name, named, hints.of(type.name, field.name));
    if (id) slots.push({ at: [...at, field.name], name: field.name, kind: kindOf(field.name.replace(/Ids?$/, '')), many: isListType(unwrapNonNull(field.type)) });
    if (!isNonNullType(field.type)) continue;
    value[field.name] = gqlValue(field.type, field.name, type.name, ctx, hints, [...at, field.name], slots);
  }
  return value;
}

function unwrapNonNull(type: GraphQLInputType): GraphQLInputType {
  return isNonNullType(type) ? (type as GraphQLNonNull<GraphQLInputType>).ofType : type;
}

function isGqlIdField(name: string, named: unknown, hint: JsonSchema | undefined): boolean {
  if (!(named instanceof GraphQLScalarType)) return false;
  return (named.name === 'ID' && name !== 'externalId') || (named.name === 'String' && isIdField(name, hint));
}

export interface GqlRequestShape {
  text: string;
  variables: Record<string, unknown>;
  /** Required id-like top-level arguments (the object the field acts on): id, leadId, externalId… */
  targets: { arg: string; kind: Kind | undefined; external: boolean }[];
  slots: Slot[];
}

/**
 * One operation for a root field: every required argument (and every optional id argument is a
 * slot), a selection of the result's fields. Variables are named after the arguments.
 */
export function gqlOperation(
  operation: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
  ctx: ValueContext,
  hints: FieldHints,
  options: { declareAll?: boolean; extraArgs?: Record<string, string> } = {},
): GqlRequestShape {
  const variables: Record<string, unknown> = {};
  const slots: Slot[] = [];
  const targets: GqlRequestShape['targets'] = [];
  const defs: string[] = [];
  const uses: string[] = [];
  for (const arg of field.args as readonly GraphQLArgument[]) {
    const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
    const named = getNamedType(arg.type);
    const idLike = named instanceof GraphQLScalarType && (named.name === 'ID' || (named.name === 'String' && isIdField(arg.name, hints.of(undefined, arg.name))));
    const external = arg.name === 'externalId';
    if (required && (idLike || external)) {
      // `id` and `externalId` name the field's own object (updateLead → lead); `leadId` a lead.
      const kind = kindOf(arg.name === 'id' || external ? field.name : arg.name.replace(/Ids?$/, '')) ?? kindOf(field.name);
      targets.push({ arg: arg.name, kind, external });
    } else if (idLike) {
      slots.push({ at: ['args', arg.name], name: arg.name, kind: kindOf(arg.name.replace(/Ids?$/, '')), many: isListType(unwrapNonNull(arg.type)) });
    }
    const argSlots: Slot[] = [];
    if (required || idLike || options.declareAll) {
      defs.push(`$${arg.name}: ${String(arg.type)}`);
      uses.push(`${arg.name}: $${arg.name}`);
    }
    if (required) {
      variables[arg.name] = gqlValue(arg.type, arg.name, undefined, ctx, hints, ['args', arg.name], argSlots);
      slots.push(...argSlots.filter((s) => s.at.length > 2));
    } else if (isInputObjectType(named)) {
      // an optional input: its id fields are slots too, sent with the input's required fields
      const value = gqlValue(arg.type, arg.name, undefined, ctx, hints, ['args', arg.name], argSlots);
      const nested = argSlots.filter((s) => s.at.length > 2);
      if (nested.length) {
        if (!options.declareAll) {
          defs.push(`$${arg.name}: ${String(arg.type)}`);
          uses.push(`${arg.name}: $${arg.name}`);
        }
        variables[arg.name] = value;
        slots.push(...nested);
      }
    }
  }
  for (const [name, type] of Object.entries(options.extraArgs ?? {})) {
    defs.push(`$${name}: ${type}`);
    uses.push(`${name}: $${name}`);
  }
  const head = defs.length ? `${operation} Probe(${defs.join(', ')})` : `${operation} Probe`;
  const call = uses.length ? `${field.name}(${uses.join(', ')})` : field.name;
  return { text: `${head} { ${call} ${selectionFor(field)} }`, variables, targets, slots };
}

