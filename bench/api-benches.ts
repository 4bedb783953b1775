import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { appEnv } from './lib/app-env';
import { analyzePipeline, seedCandidates, seedPipeline } from './lib/api-seed';
import { openLoop } from './lib/open-loop';
import { rssMb, startChild } from './lib/children';
import type { Child } from './lib/children';
import type { Bench, BenchContext } from './lib/context';
import { adminClient } from './lib/database';
import { judge } from './lib/results';
import type { Figure } from './lib/results';
import { signupTenants } from './lib/seed';
import type { BenchTenant } from './lib/seed';
import { percentile, round, sleep } from './lib/stats';

/**
 * B5–B7: the real API (bench/servers/api-server.ts, the production createApp) against a plain
 * Fastify + pg server doing the same SQL (bench/servers/plain-baseline.ts), both in their own
 * processes, loaded by autocannon from this process. B5 (REST) and B6 (GraphQL) load the same
 * API process, and B7 reads its memory after both, so the three share one session: one scratch
 * database, one API, one baseline. Run alone, B7 runs B5's and B6's loads itself.
 */

const CONNECTIONS = 50;
const REST_PATH = '/v1/candidates?limit=20';
/** The B5 firm's candidates, and each of the other firms' (there for RLS to filter out). */
const REST_CANDIDATES = 1_000;
const OTHER_FIRMS = 4;
/** The B6 firm: 100 candidates, each with 2 leads, 1 interview per lead, 2 interviewers each. */
const GQL_CANDIDATES = 100;
const GQL_SHAPE = { leads: 2, interviews: 1, interviewers: 2, contacts: 40 };

/**
 * The B6 request: a page of candidates with their leads, the leads' interviews and the
 * interviewers (contacts). Complexity 1 + first × 25 (2,501 at 100; the limit is 5,000), depth 6.
 */
export const PIPELINE_QUERY = `query Pipeline($first: Int!) {
  candidates(first: $first) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name email phone status
      leads {
        id company position status
        interviews {
          id startsAt durationMinutes format status
          interviewers { id name email company }
        }
      }
    }
  }
}`;

interface Target {
  port: number;
  token: string;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  bad: number;
  /** CPU time (user + system) of the server process per response, over the measured window. */
  cpuMsPerRequest: number;
}

type LoadKind = 'rest' | 'graphql';

class ApiSession {
  /** Which loads the API process has served (B7 needs both). */
  readonly appLoads = new Set<LoadKind>();
  /** Peak RSS of the API process seen while it was under load, MB. */
  peakRssMb = 0;

  constructor(
    readonly api: Child,
    readonly baseline: Child,
    readonly apiPort: number,
    readonly baselinePort: number,
    readonly restFirm: BenchTenant,
    readonly gqlFirm: BenchTenant,
    readonly bootRssMb: number,
    readonly bootHeapUsedMb: number,
  ) {}

  app(firm: BenchTenant): Target {
    return { port: this.apiPort, token: firm.token };
  }

  plain(firm: BenchTenant): Target {
    return { port: this.baselinePort, token: firm.token };
  }

  async close(): Promise<void> {
    await Promise.all([this.api.stop(), this.baseline.stop()]);
  }
}

let session: Promise<ApiSession> | undefined;
const finished = new Set<string>();
const API_BENCHES = ['B5', 'B5B', 'B6', 'B7'];

async function openSession(ctx: BenchContext): Promise<ApiSession> {
  const url = await ctx.server.newDatabase();
  // BENCH_COUNT_QUERIES: api-server.ts counts the statements it sends (one increment each).
  const api = startChild(ctx.root, 'api-server', appEnv(url, { BENCH_COUNT_QUERIES: '1', JWT_ACCESS_TTL_SECONDS: '7200' }), 'api');
  const baseline = startChild(ctx.root, 'plain-baseline', appEnv(url), 'plain-baseline');
  try {
    const [{ port: apiPort }, { port: baselinePort }] = (await Promise.all([api.ready, baseline.ready])) as [{ port: number }, { port: number }];
    const boot = (await api.request({ cmd: 'rss' })) as unknown as { rssMb: number; heapUsedMb: number };
    const firms = await signupTenants(`http://127.0.0.1:${apiPort}`, 2 + OTHER_FIRMS, 'api');
    const [restFirm, gqlFirm, ...others] = firms as [BenchTenant, BenchTenant, ...BenchTenant[]];
    const admin = await adminClient(url);
    try {
      await seedCandidates(admin, restFirm.tenantId, REST_CANDIDATES, 'rest');
      await seedCandidates(admin, gqlFirm.tenantId, GQL_CANDIDATES, 'gql');
      await seedPipeline(admin, gqlFirm.tenantId, GQL_SHAPE, 'gql');
      for (const [i, other] of others.entries()) {
        await seedCandidates(admin, other.tenantId, REST_CANDIDATES, `other${i}`);
        await seedPipeline(admin, other.tenantId, GQL_SHAPE, `other${i}`);
      }
      await analyzePipeline(admin);
    } finally {
      await admin.end();
    }
    ctx.log(
      `B5-B7 seeded ${firms.length} firms: ${REST_CANDIDATES} candidates (B5 firm), ${GQL_CANDIDATES} with ${GQL_SHAPE.leads} leads, ` +
        `${GQL_SHAPE.interviews} interview/lead, ${GQL_SHAPE.interviewers} interviewers each (B6 firm); ${OTHER_FIRMS} other firms with both`,
    );
    return new ApiSession(api, baseline, apiPort, baselinePort, restFirm, gqlFirm, boot.rssMb, boot.heapUsedMb);
  } catch (err) {
    await Promise.all([api.stop(), baseline.stop()]);
    throw err;
  }
}

/**
 * Runs `work` on the shared session, opening it on first use. The session closes once every
 * B5–B7 bench this run selected has finished (run.ts's selection: the ids on the command line,
 * or all), or as soon as one fails. The servers also exit by themselves if this process dies.
 */
async function withSession(ctx: BenchContext, id: string, work: (s: ApiSession) => Promise<Figure[]>): Promise<Figure[]> {
  session ??= openSession(ctx);
  const s = await session;
  let failed = true;
  try {
    const figures = await work(s);
    failed = false;
    return figures;
  } finally {
    finished.add(id);
    const wanted = process.argv.slice(2).map((a) => a.toUpperCase());
    const selected = API_BENCHES.filter((b) => wanted.length === 0 || wanted.includes(b));
    if (failed || selected.every((b) => finished.has(b))) {
      session = undefined;
      await s.close();
    }
  }
}

function restRequest(t: Target): { url: string; method: 'GET'; headers: Record<string, string> } {
  return { url: `http://127.0.0.1:${t.port}${REST_PATH}`, method: 'GET', headers: { authorization: `Bearer ${t.token}` } };
}

function gqlRequest(t: Target, first: number): { url: string; method: 'POST'; headers: Record<string, string>; body: string } {
  return {
    url: `http://127.0.0.1:${t.port}/graphql`,
    method: 'POST',
    headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ operationName: 'Pipeline', query: PIPELINE_QUERY, variables: { first } }),
  };
}

/** One request; its JSON and its exact text (which every answer under load must then equal). */
async function once(req: { url: string; method: string; headers: Record<string, string>; body?: string }): Promise<{ json: unknown; text: string }> {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${req.method} ${req.url} answered ${res.status}: ${text.slice(0, 500)}`);
  const json = JSON.parse(text) as { errors?: unknown };
  if (json.errors) throw new Error(`${req.url} answered errors: ${JSON.stringify(json.errors).slice(0, 500)}`);
  return { json, text };
}

/**
 * The baseline must answer exactly what the app answers (same rows, same fields, same JSON),
 * or the comparison would not be of the same work.
 */
function assertSameAnswer(label: string, app: { json: unknown }, plain: { json: unknown }): void {
  const a = JSON.stringify(app.json);
  const b = JSON.stringify(plain.json);
  if (a !== b) throw new Error(`${label}: the baseline's answer differs from the app's\napp:      ${a.slice(0, 600)}\nbaseline: ${b.slice(0, 600)}`);
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * autocannon against one server (process `pid`) for `warm` + `run` seconds in one go, and
 * figures from the responses of the last `run` seconds only. Two separate runs would leave the
 * server still busy with the warm-up's in-flight requests when the measured run starts. Every
 * answer must be `expect`, byte for byte (a GraphQL error is a 200 too). `sample` is called
 * every 500 ms while it runs.
 */
async function load(
  req: { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  expect: string,
  pid: number,
  warm: number,
  run: number,
  sample?: () => void,
): Promise<LoadResult> {
  const timer = sample ? setInterval(sample, 500) : undefined;
  const latencies: number[] = [];
  let badStatus = 0;
  const from = performance.now() + warm * 1000;
  let cpuFrom = Number.NaN;
  const opening = setTimeout(() => {
    cpuFrom = cpuMs(pid);
  }, warm * 1000);
  try {
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const options: autocannon.Options = { ...req, expectBody: expect, connections: CONNECTIONS, duration: warm + run };
      const instance = autocannon(options, (err: unknown, r: autocannon.Result) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(r),
      );
      instance.on('response', (_client, status, _bytes, ms) => {
        if (performance.now() < from) return;
        latencies.push(ms);
        if (status < 200 || status > 299) badStatus += 1;
      });
    });
    const seconds = (performance.now() - from) / 1000;
    return {
      rps: latencies.length / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      requests: latencies.length,
      bad: badStatus + result.errors + result.timeouts + result.mismatches,
      cpuMsPerRequest: (cpuMs(pid) - cpuFrom) / latencies.length,
    };
  } finally {
    clearTimeout(opening);
    if (timer) clearInterval(timer);
  }
}

function describe(r: LoadResult): string {
  return (
    `${round(r.rps, 0)} req/s, p50 ${round(r.p50, 1)} ms, p99 ${round(r.p99, 1)} ms, ${r.requests} requests, ` +
    `${round(r.cpuMsPerRequest, 2)} ms of server CPU per request${r.bad ? `, ${r.bad} failed` : ''}`
  );
}

function durations(ctx: BenchContext, full: number): { warm: number; run: number } {
  return ctx.quick ? { warm: 2, run: Math.max(3, Math.round(full / 4)) } : { warm: 3, run: full };
}

/** Baseline first, then the app, each after its own warm-up, under the same load. */
async function compare(
  ctx: BenchContext,
  s: ApiSession,
  label: string,
  kind: LoadKind,
  request: (t: Target) => { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  firm: BenchTenant,
  seconds: number,
  expect: { app: string; plain: string },
): Promise<{ app: LoadResult; plain: LoadResult }> {
  const d = durations(ctx, seconds);
  let peak = 0;
  const sampleApi = (): void => {
    peak = Math.max(peak, rssMb(s.api.pid));
    s.peakRssMb = Math.max(s.peakRssMb, peak);
  };
  const plain = await load(request(s.plain(firm)), expect.plain, s.baseline.pid, d.warm, d.run);
  ctx.log(`${label} baseline: ${describe(plain)}`);
  await sleep(1000); // the baseline finishes the requests it still had in flight
  const app = await load(request(s.app(firm)), expect.app, s.api.pid, d.warm, d.run, sampleApi);
  await drain(s);
  s.appLoads.add(kind);
  ctx.log(`${label} app:      ${describe(app)}; API RSS peak ${round(peak)} MB`);
  if (app.bad > 0 || plain.bad > 0) throw new Error(`${label}: failed requests under load (app ${app.bad}, baseline ${plain.bad})`);
  return { app, plain };
}

const REST_SECONDS = 20;
const GQL_SECONDS = 12;

async function restLoad(ctx: BenchContext, s: ApiSession): Promise<{ app: LoadResult; plain: LoadResult }> {
  await s.api.request({ cmd: 'queries', record: true });
  const app = await once(restRequest(s.app(s.restFirm)));
  const { texts } = (await s.api.request({ cmd: 'queries' })) as unknown as { texts: string[] };
  if (process.env.BENCH_DEBUG) ctx.log(`B5   statements of one request:\n${texts.join('\n---\n')}`);
  const plain = await once(restRequest(s.plain(s.restFirm)));
  assertSameAnswer('B5', app, plain);
  return compare(ctx, s, 'B5  ', 'rest', restRequest, s.restFirm, REST_SECONDS, { app: app.text, plain: plain.text });
}

async function gqlLoad(ctx: BenchContext, s: ApiSession): Promise<{ app: LoadResult; plain: LoadResult }> {
  const req = (t: Target): ReturnType<typeof gqlRequest> => gqlRequest(t, GQL_CANDIDATES);
  const app = await once(req(s.app(s.gqlFirm)));
  const plain = await once(req(s.plain(s.gqlFirm)));
  assertSameAnswer('B6', app, plain);
  return compare(ctx, s, 'B6  ', 'graphql', req, s.gqlFirm, GQL_SECONDS, { app: app.text, plain: plain.text });
}

export const b5: Bench = {
  id: 'B5',
  title: 'REST list throughput and latency (GET /v1/candidates?limit=20)',
  run: (ctx) =>
    withSession(ctx, 'B5', async (s) => {
      const { app, plain } = await restLoad(ctx, s);
      const how =
        `${CONNECTIONS} connections, ${durations(ctx, REST_SECONDS).run} s each; baseline: plain Fastify + pg, same SQL; ` +
        `server CPU per request: app ${round(app.cpuMsPerRequest, 2)} ms, baseline ${round(plain.cpuMsPerRequest, 2)} ms`;
      return [
        judge({
          bench: 'B5',
          name: 'GET /v1/candidates?limit=20 throughput',
          value: app.rps,
          unit: 'req/s',
          baseline: plain.rps,
          target: { kind: 'ratio>=', limit: 0.5, text: '>= 0.5 of plain Fastify + pg' },
          note: how,
        }),
        judge({
          bench: 'B5',
          name: 'GET /v1/candidates?limit=20 p99 latency',
          value: app.p99,
          unit: 'ms',
          baseline: plain.p99,
          target: { kind: 'value<', limit: 50, text: '< 50 ms' },
          note: `p50 ${round(app.p50, 1)} ms (baseline ${round(plain.p50, 1)} ms); closed loop, so mean latency = ${CONNECTIONS} / throughput; ${how}`,
        }),
      ];
    }),
};

/** B5b: a steady load at a fixed arrival rate, the way a latency target means it. */
const OPEN_LOOP_RATE = 300;
const OPEN_LOOP_SECONDS = 20;

export const b5b: Bench = {
  id: 'B5B',
  title: `REST latency at a steady ${OPEN_LOOP_RATE} req/s (open loop, GET /v1/candidates?limit=20)`,
  run: (ctx) =>
    withSession(ctx, 'B5B', async (s) => {
      const d = durations(ctx, OPEN_LOOP_SECONDS);
      const app = await once(restRequest(s.app(s.restFirm)));
      const plain = await once(restRequest(s.plain(s.restFirm)));
      assertSameAnswer('B5b', app, plain);
      const base = await openLoop(restRequest(s.plain(s.restFirm)), plain.text, { rate: OPEN_LOOP_RATE, warm: d.warm, run: d.run });
      await sleep(1000);
      let peak = 0;
      const sampleApi = setInterval(() => {
        peak = Math.max(peak, rssMb(s.api.pid));
        s.peakRssMb = Math.max(s.peakRssMb, peak);
      }, 500);
      let got;
      await s.api.request({ cmd: 'loop' });
      try {
        got = await openLoop(restRequest(s.app(s.restFirm)), app.text, { rate: OPEN_LOOP_RATE, warm: d.warm, run: d.run });
      } finally {
        clearInterval(sampleApi);
      }
      const loop = (await s.api.request({ cmd: 'loop' })) as unknown as { p50: number; p99: number; max: number };
      await drain(s);
      const line = (r: typeof got): string => `${round(r.rps, 0)} req/s answered, p50 ${round(r.p50, 1)} ms, p99 ${round(r.p99, 1)} ms, max ${round(r.max, 1)} ms${r.bad ? `, ${r.bad} failed` : ''}`;
      ctx.log(`B5b  baseline: ${line(base)}`);
      ctx.log(`B5b  app:      ${line(got)}; API RSS peak ${round(peak)} MB; API event loop delay p50 ${round(loop.p50, 1)} ms, p99 ${round(loop.p99, 1)} ms, max ${round(loop.max, 1)} ms`);
      if (got.bad > 0 || base.bad > 0) throw new Error(`B5b: failed requests (app ${got.bad}, baseline ${base.bad})`);
      return [
        judge({
          bench: 'B5B',
          name: `GET /v1/candidates?limit=20 p99 latency at ${OPEN_LOOP_RATE} req/s (open loop)`,
          value: got.p99,
          unit: 'ms',
          baseline: base.p99,
          target: { kind: 'value<', limit: 50, text: '< 50 ms' },
          note: `p50 ${round(got.p50, 1)} ms (baseline ${round(base.p50, 1)} ms), max ${round(got.max, 1)} ms; requests sent at fixed times for ${d.run} s after ${d.warm} s of warm-up, latency counted from the scheduled moment`,
        }),
      ];
    }),
};

interface StatementCount {
  total: number;
  data: number;
  auth: number;
  transaction: number;
}

/** Splits the API's statements: the tenant transactions' own, the auth lookup, and the data queries. */
function classify(texts: readonly string[]): StatementCount {
  const out: StatementCount = { total: texts.length, data: 0, auth: 0, transaction: 0 };
  for (const t of texts) {
    const sql = t.trim();
    if (/^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK)\b/i.test(sql) || /^SELECT set_config\('role'/i.test(sql)) out.transaction += 1;
    else if (/auth_principal_status|auth_api_key_lookup/i.test(sql)) out.auth += 1;
    else out.data += 1;
  }
  return out;
}

/**
 * Waits until the API has sent no statement for a quarter of a second: the requests a load run
 * left in flight when autocannon stopped are done (they would count in the next measurement).
 */
async function drain(s: ApiSession): Promise<void> {
  const until = Date.now() + 60_000;
  await s.api.request({ cmd: 'queries' });
  for (;;) {
    await sleep(250);
    const { count } = (await s.api.request({ cmd: 'queries' })) as unknown as { count: number };
    if (count === 0) return;
    if (Date.now() > until) throw new Error('the API is still busy a minute after the load stopped');
  }
}

/** Statements per request for a page of `first` candidates, from REPEAT sequential requests. */
async function countStatements(ctx: BenchContext, s: ApiSession, first: number): Promise<StatementCount> {
  const REPEAT = 5;
  const req = gqlRequest(s.app(s.gqlFirm), first);
  await once(req);
  await drain(s);
  await s.api.request({ cmd: 'queries', record: true });
  for (let i = 0; i < REPEAT; i += 1) await once(req);
  const { count, texts } = (await s.api.request({ cmd: 'queries' })) as unknown as { count: number; texts: string[] };
  if (count % REPEAT !== 0) throw new Error(`B6: ${count} statements for ${REPEAT} requests is not a whole number per request`);
  const c = classify(texts);
  if (process.env.BENCH_DEBUG) ctx.log(`B6   statements for first: ${first}:\n${texts.slice(0, count / REPEAT).join('\n---\n')}`);
  return { total: count / REPEAT, data: c.data / REPEAT, auth: c.auth / REPEAT, transaction: c.transaction / REPEAT };
}

export const b6: Bench = {
  id: 'B6',
  title: 'GraphQL: 100 candidates with leads, interviews and interviewers',
  run: (ctx) =>
    withSession(ctx, 'B6', async (s) => {
      const counts: Record<number, StatementCount> = {};
      for (const first of [1, 10, GQL_CANDIDATES]) counts[first] = await countStatements(ctx, s, first);
      const at100 = counts[GQL_CANDIDATES] as StatementCount;
      const per = (n: number): string => {
        const c = counts[n] as StatementCount;
        return `${n}: ${c.data} data + ${c.auth} auth + ${c.transaction} transaction = ${c.total}`;
      };
      ctx.log(`B6   statements per request (candidates: data + auth lookup + BEGIN/set_config/COMMIT) ${[1, 10, GQL_CANDIDATES].map(per).join('; ')}`);
      const totals = Object.values(counts).map((c) => c.total);
      const { app, plain } = await gqlLoad(ctx, s);
      return [
        judge({
          bench: 'B6',
          name: `SQL data queries per request (${GQL_CANDIDATES} candidates, leads, interviews, interviewers)`,
          value: at100.data,
          unit: 'queries',
          target: { kind: 'value<=', limit: 5, text: '<= 5 data queries' },
          note:
            `plus ${at100.auth} auth lookup and ${at100.transaction} statements of the tenant transactions (BEGIN, set_config, COMMIT), ` +
            `${at100.total} statements in all; the target is read as data queries`,
        }),
        judge({
          bench: 'B6',
          name: `SQL statements per request (${GQL_CANDIDATES} candidates), all of them`,
          value: at100.total,
          unit: 'statements',
          target: { kind: 'value<=', limit: 8, text: '<= 8 (one tenant transaction per operation)' },
          note: `${at100.data} data + ${at100.auth} auth lookup + ${at100.transaction} BEGIN/set_config/COMMIT`,
        }),
        judge({
          bench: 'B6',
          name: 'SQL statements per request, largest minus smallest over 1, 10 and 100 candidates',
          value: Math.max(...totals) - Math.min(...totals),
          unit: 'statements',
          target: { kind: 'value<=', limit: 0, text: 'constant (0)' },
          note: per(1).concat('; ', per(10), '; ', per(GQL_CANDIDATES)),
        }),
        judge({
          bench: 'B6',
          name: `GraphQL pipeline query (${GQL_CANDIDATES} candidates) throughput`,
          value: app.rps,
          unit: 'req/s',
          baseline: plain.rps,
          target: { kind: 'ratio>=', limit: 0.4, text: '>= 0.4 of plain Fastify + pg' },
          note:
            `p99 ${round(app.p99, 1)} ms (baseline ${round(plain.p99, 1)} ms); ${CONNECTIONS} connections, ${durations(ctx, GQL_SECONDS).run} s each; ` +
            `server CPU per request: app ${round(app.cpuMsPerRequest, 2)} ms, baseline ${round(plain.cpuMsPerRequest, 2)} ms; ` +
            'baseline: the same data queries in one tenant transaction (the app: one per query operation)',
        }),
      ];
    }),
};

interface Memory {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
}

/** The longest B7 waits, idle, for V8 to collect the loads' garbage (its memory reducer runs after ~30 s). */
const IDLE_GC_SECONDS = 60;

export const b7: Bench = {
  id: 'B7',
  title: 'API memory after the B5 and B6 loads',
  run: (ctx) =>
    withSession(ctx, 'B7', async (s) => {
      // Run alone (or without B5/B6), B7 puts the same loads on the API first.
      if (!s.appLoads.has('rest')) await restLoad(ctx, s);
      if (!s.appLoads.has('graphql')) await gqlLoad(ctx, s);
      const memory = async (): Promise<Memory> => (await s.api.request({ cmd: 'rss' })) as unknown as Memory;
      // Judged: the RSS right after the loads (the in-flight requests drained), as asked.
      const right = await memory();
      const plain = rssMb(s.baseline.pid);
      // Informational: what the process keeps once V8, idle, has collected the loads' garbage
      // (the heap back near its size after boot), or after IDLE_GC_SECONDS.
      const limit = ctx.quick ? 5 : IDLE_GC_SECONDS;
      let idle = right;
      let waited = 0;
      while (waited < limit && idle.heapUsedMb > 1.5 * s.bootHeapUsedMb) {
        await sleep(1000);
        waited += 1;
        idle = await memory();
      }
      const heap = (m: Memory): string => `V8 heap ${round(m.heapUsedMb)} MB used of ${round(m.heapTotalMb)} MB`;
      ctx.log(
        `B7   API RSS: ${round(s.bootRssMb)} MB after boot, peak ${round(s.peakRssMb)} MB under load, ${round(right.rssMb)} MB right after ` +
          `(${heap(right)}), ${round(idle.rssMb)} MB after ${waited} s idle (${heap(idle)}); baseline ${round(plain)} MB`,
      );
      return [
        judge({
          bench: 'B7',
          name: 'API RSS right after the B5 and B6 loads',
          value: right.rssMb,
          unit: 'MB',
          target: { kind: 'value<', limit: 300, text: '< 300 MB' },
          note:
            `${round(s.bootRssMb)} MB after boot; ${heap(right)}, mostly garbage V8 has not collected yet; the plain baseline process: ${round(plain)} MB; ` +
            `HEAP_GROWTH_PERCENT ${process.env.HEAP_GROWTH_PERCENT ?? '100 (the default)'}`,
        }),
        judge({
          bench: 'B7',
          name: 'API RSS once idle after the loads',
          value: idle.rssMb,
          unit: 'MB',
          note:
            idle.heapUsedMb > 1.5 * s.bootHeapUsedMb
              ? `after ${waited} s idle V8 had still not collected the loads' garbage (${heap(idle)}; ${round(s.bootHeapUsedMb)} MB used after boot)`
              : `after ${waited} s idle, once V8 had collected (${heap(idle)}; ${round(s.bootHeapUsedMb)} MB used after boot): what the process keeps`,
        }),
        judge({
          bench: 'B7',
          name: 'API RSS peak under the B5 and B6 loads',
          value: s.peakRssMb,
          unit: 'MB',
          target: { kind: 'value<', limit: 450, text: '< 450 MB' },
          note: `sampled every 500 ms; ${CONNECTIONS} GraphQL requests of ${GQL_CANDIDATES} candidates in flight at once drive it`,
        }),
      ];
    }),
};
