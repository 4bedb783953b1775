import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { Pool } from 'pg';
import type { PoolClient } from 'pg';
import { loadConfig } from '../../src/config/app-config';

/**
 * The in-run baseline of B5 and B6: a bare Fastify (the version the app runs on) and a pg Pool
 * (the app's pool size), sending PostgreSQL the same SQL the app sends for the same request and
 * answering the same JSON, byte for byte (the bench checks), with none of the framework: no Nest,
 * no guards, pipes or interceptors, no TypeORM, no Apollo, no helmet, request-id or metrics hooks.
 * Sends {type:'ready', port} over IPC; SIGTERM (or the bench process going away) closes it.
 *
 * What "the same SQL" means, per request, as the API's own statement log shows it
 * (BENCH_DEBUG=1 npm run bench -- B5 B6 prints it):
 *   1. SELECT * FROM auth_principal_status($1, $2)   the auth guard's per-request check that the
 *      user is still active and the firm not suspended (outside any transaction, as in the app);
 *   2. the tenant transaction, statement for statement: START TRANSACTION; the same set_config of
 *      role, tenant and actor; the data queries with the text TypeORM generates; COMMIT.
 * The token is checked as the app checks it (HS256 signature, exp, iss, aud, typ), with
 * node:crypto in a few lines instead of passport-jwt.
 *
 * B5, GET /v1/candidates?limit=20: exactly the app's statements: auth check, then one
 * transaction with the one keyset SELECT (limit + 1 rows).
 *
 * B6, POST /graphql with the bench's pipeline query (bench/api-benches.ts, PIPELINE_QUERY; the
 * baseline does not parse GraphQL, it answers that one query for `variables.first`): the same
 * five data queries the app's DataLoaders send (candidates page; leads of those candidates;
 * interviews of those leads; their interviewer links; the interviewer contacts), same text, same
 * rows, but all five in ONE tenant transaction, as a hand-written server would batch them. The app
 * runs each DataLoader batch in its own TenantDb.tx (four transactions: the interviews and their
 * interviewer links share one; 12 statements of BEGIN, set_config and COMMIT where the baseline
 * has 3): that difference is part of what B6 measures.
 */

const ROLE = 'touchpoint_app';

// The statement texts the app sends (TypeORM's query builder output), copied from its log.
const SET_TENANT = `SELECT set_config('role', $2, true), set_config('app.tenant_id', $1, true),
                set_config('app.actor_kind', $3, true), set_config('app.actor_id', $4, true)`;
const PRINCIPAL = 'SELECT * FROM auth_principal_status($1, $2)';

const CANDIDATE_COLUMNS =
  '"c"."tenant_id" AS "c_tenant_id", "c"."id" AS "c_id", "c"."name" AS "c_name", "c"."email" AS "c_email", "c"."phone" AS "c_phone", ' +
  '"c"."time_zone" AS "c_time_zone", "c"."preferred_channel" AS "c_preferred_channel", "c"."owner_user_id" AS "c_owner_user_id", ' +
  '"c"."status" AS "c_status", "c"."external_id" AS "c_external_id", "c"."external_source" AS "c_external_source", ' +
  '"c"."created_at" AS "c_created_at", "c"."updated_at" AS "c_updated_at", "c"."deleted_at" AS "c_deleted_at"';
/** TypeORM inlines the LIMIT (page size + 1), so the text varies with it, as in the app. */
const LIST_CANDIDATES = `SELECT ${CANDIDATE_COLUMNS} FROM "candidates" "c" WHERE "c"."tenant_id" = $1 AND "c"."deleted_at" IS NULL ORDER BY "c"."created_at" DESC, "c"."id" DESC LIMIT `;

interface Claims {
  sub: string;
  tid: string;
}

type Row = Record<string, unknown>;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const pool = new Pool({ connectionString: config.databaseUrl, max: config.databasePoolSize, application_name: 'plain-baseline' });
  const secret = Buffer.from(config.jwt.secret, 'utf8');
  const { issuer, audience } = config.jwt;

  /** HS256 only, signature first, then exp, iss, aud and typ: what passport-jwt checks for the app. */
  const verify = (header: string | undefined): Claims | undefined => {
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    const [h, p, sig] = token?.split('.') ?? [];
    if (!h || !p || !sig) return undefined;
    const alg = (JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string }).alg;
    const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
    const given = Buffer.from(sig, 'base64url');
    if (alg !== 'HS256' || given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const c = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const ok = c.typ === 'access' && c.iss === issuer && c.aud === audience && typeof c.exp === 'number' && c.exp * 1000 > Date.now();
    return ok && typeof c.sub === 'string' && typeof c.tid === 'string' ? { sub: c.sub, tid: c.tid } : undefined;
  };

  /** The auth guard's database check, then `work` in one tenant transaction. */
  const inTenant = async <T>(authorization: string | undefined, work: (c: PoolClient, tenantId: string) => Promise<T>): Promise<T | undefined> => {
    const claims = verify(authorization);
    if (!claims) return undefined;
    const status = (await pool.query(PRINCIPAL, [claims.tid, claims.sub])).rows[0] as
      | { deleted: boolean; user_status: string; tenant_status: string }
      | undefined;
    if (!status || status.deleted || status.user_status !== 'active' || status.tenant_status !== 'active') return undefined;
    const client = await pool.connect();
    try {
      await client.query('START TRANSACTION');
      await client.query(SET_TENANT, [claims.tid, ROLE, 'user', claims.sub]);
      const result = await work(client, claims.tid);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  };

  const app = Fastify({ logger: false });

  app.get('/v1/candidates', async (req, reply) => {
    const limit = Number((req.query as { limit?: string }).limit ?? 20);
    if (!validPageSize(limit)) return reply.status(400).send({ status: 400 });
    const page = await inTenant(req.headers.authorization, async (c, tenantId) => (await c.query(`${LIST_CANDIDATES}${limit + 1}`, [tenantId])).rows as Row[]);
    if (!page) return reply.status(401).send({ status: 401 });
    const items = page.slice(0, limit).map(candidateView);
    const last = page.length > limit ? items[items.length - 1] : undefined;
    return { items, nextCursor: last ? cursor(last.createdAt, last.id) : null };
  });

  app.post('/graphql', async (req, reply) => {
    const first = Number((req.body as { variables?: { first?: number } }).variables?.first ?? 20);
    if (!validPageSize(first)) return reply.status(400).send({ errors: [{ message: 'first must be 1 to 100' }] });
    const data = await inTenant(req.headers.authorization, (c, tenantId) => pipeline(c, tenantId, first));
    if (!data) return reply.status(401).send({ errors: [{ message: 'unauthenticated' }] });
    return { data };
  });

  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  });
}

function validPageSize(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 100;
}

function cursor(k: Date, id: string): string {
  return Buffer.from(JSON.stringify({ k: k.toISOString(), id }), 'utf8').toString('base64url');
}

/** The REST CandidateView, fields in the app's order. */
function candidateView(r: Row): { id: string; createdAt: Date } & Row {
  return {
    id: r.c_id as string,
    name: r.c_name,
    email: r.c_email,
    phone: r.c_phone,
    timeZone: r.c_time_zone,
    preferredChannel: r.c_preferred_channel,
    ownerUserId: r.c_owner_user_id,
    status: r.c_status,
    externalId: r.c_external_id,
    externalSource: r.c_external_source,
    createdAt: r.c_created_at as Date,
    updatedAt: r.c_updated_at,
    deletedAt: r.c_deleted_at,
    warnings: [],
  };
}

/** The five data queries of the B6 pipeline query, and its answer (the fields it selects, in its order). */
async function pipeline(c: PoolClient, tenantId: string, first: number): Promise<unknown> {
  const page = (await c.query(`${LIST_CANDIDATES}${first + 1}`, [tenantId])).rows as Row[];
  const candidates = page.slice(0, first);
  const last = page.length > first ? candidates[candidates.length - 1] : undefined;
  const leads = await byIds(c, PIPELINE_SQL.leads, tenantId, candidates.map((r) => r.c_id as string));
  const interviews = await byIds(c, PIPELINE_SQL.interviews, tenantId, leads.map((r) => r.l_id as string));
  const links = await byIds(c, PIPELINE_SQL.links, tenantId, interviews.map((r) => r.i_id as string));
  const contactIds = [...new Set(links.map((r) => r.contact_id as string))];
  const contacts = new Map((await byIds(c, PIPELINE_SQL.contacts, tenantId, contactIds)).map((r) => [r.p_id as string, r] as const));
  const group = (rows: Row[], key: string): Map<string, Row[]> => {
    const m = new Map<string, Row[]>();
    for (const r of rows) {
      const k = r[key] as string;
      const list = m.get(k);
      if (list) list.push(r);
      else m.set(k, [r]);
    }
    return m;
  };
  const leadsOf = group(leads, 'l_candidate_id');
  const interviewsOf = group(interviews, 'i_lead_id');
  const linksOf = group(links, 'interview_id');
  return {
    candidates: {
      pageInfo: { hasNextPage: last !== undefined, endCursor: last ? cursor(last.c_created_at as Date, last.c_id as string) : null },
      nodes: candidates.map((cand) => ({
        id: cand.c_id,
        name: cand.c_name,
        email: cand.c_email,
        phone: cand.c_phone,
        status: cand.c_status,
        leads: (leadsOf.get(cand.c_id as string) ?? []).map((l) => ({
          id: l.l_id,
          company: l.l_company,
          position: l.l_position,
          status: l.l_status,
          interviews: (interviewsOf.get(l.l_id as string) ?? []).map((i) => ({
            id: i.i_id,
            startsAt: i.i_starts_at,
            durationMinutes: i.i_duration_minutes,
            format: i.i_format,
            status: i.i_status,
            interviewers: (linksOf.get(i.i_id as string) ?? []).flatMap((link) => {
              const p = contacts.get(link.contact_id as string);
              return p ? [{ id: p.p_id, name: p.p_name, email: p.p_email, company: p.p_company }] : [];
            }),
          })),
        })),
      })),
    },
  };
}

async function byIds(c: PoolClient, sql: string, tenantId: string, ids: string[]): Promise<Row[]> {
  return ids.length === 0 ? [] : ((await c.query(sql, [tenantId, ids])).rows as Row[]);
}

const LEAD_COLUMNS =
  '"l"."tenant_id" AS "l_tenant_id", "l"."id" AS "l_id", "l"."candidate_id" AS "l_candidate_id", "l"."company" AS "l_company", ' +
  '"l"."position" AS "l_position", "l"."source" AS "l_source", "l"."referrer_contact_id" AS "l_referrer_contact_id", ' +
  '"l"."employer_contact_id" AS "l_employer_contact_id", "l"."status" AS "l_status", "l"."resume_sent_at" AS "l_resume_sent_at", ' +
  '"l"."offer_at" AS "l_offer_at", "l"."status_changed_at" AS "l_status_changed_at", "l"."external_id" AS "l_external_id", ' +
  '"l"."external_source" AS "l_external_source", "l"."created_at" AS "l_created_at", "l"."updated_at" AS "l_updated_at", "l"."deleted_at" AS "l_deleted_at"';
const INTERVIEW_COLUMNS =
  '"i"."tenant_id" AS "i_tenant_id", "i"."id" AS "i_id", "i"."lead_id" AS "i_lead_id", "i"."candidate_id" AS "i_candidate_id", ' +
  '"i"."starts_at" AS "i_starts_at", "i"."duration_minutes" AS "i_duration_minutes", "i"."format" AS "i_format", "i"."location" AS "i_location", ' +
  '"i"."meeting_url" AS "i_meeting_url", "i"."time_zone" AS "i_time_zone", "i"."scheduled_by" AS "i_scheduled_by", ' +
  '"i"."scheduled_by_contact_id" AS "i_scheduled_by_contact_id", "i"."status" AS "i_status", "i"."status_changed_at" AS "i_status_changed_at", ' +
  '"i"."cancel_reason" AS "i_cancel_reason", "i"."external_id" AS "i_external_id", "i"."external_source" AS "i_external_source", ' +
  '"i"."created_at" AS "i_created_at", "i"."updated_at" AS "i_updated_at", "i"."deleted_at" AS "i_deleted_at"';
const CONTACT_COLUMNS =
  '"p"."tenant_id" AS "p_tenant_id", "p"."id" AS "p_id", "p"."name" AS "p_name", "p"."email" AS "p_email", "p"."phone" AS "p_phone", ' +
  '"p"."company" AS "p_company", "p"."title" AS "p_title", "p"."time_zone" AS "p_time_zone", "p"."preferred_channel" AS "p_preferred_channel", ' +
  '"p"."roles" AS "p_roles", "p"."external_id" AS "p_external_id", "p"."external_source" AS "p_external_source", ' +
  '"p"."created_at" AS "p_created_at", "p"."updated_at" AS "p_updated_at", "p"."deleted_at" AS "p_deleted_at"';

/** The DataLoader batches' SQL (LeadsService.findByCandidateIds, InterviewsService.findByLeadIds and links, PersonStore.findByIds). */
const PIPELINE_SQL = {
  leads: `SELECT ${LEAD_COLUMNS} FROM "leads" "l" WHERE "l"."tenant_id" = $1 AND "l"."candidate_id" = ANY($2) AND "l"."deleted_at" IS NULL ORDER BY "l"."created_at" ASC, "l"."id" ASC`,
  interviews: `SELECT ${INTERVIEW_COLUMNS} FROM "interviews" "i" WHERE "i"."tenant_id" = $1 AND "i"."lead_id" = ANY($2) AND "i"."deleted_at" IS NULL ORDER BY "i"."starts_at" ASC, "i"."id" ASC`,
  links: `SELECT interview_id, contact_id FROM interview_interviewers
       WHERE tenant_id = $1 AND interview_id = ANY($2::uuid[])
       ORDER BY interview_id, position, contact_id`,
  contacts: `SELECT ${CONTACT_COLUMNS} FROM "contacts" "p" WHERE "p"."tenant_id" = $1 AND "p"."id" = ANY($2) AND "p"."deleted_at" IS NULL`,
};

main().catch((err: unknown) => {
  process.stderr.write(`plain baseline failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
