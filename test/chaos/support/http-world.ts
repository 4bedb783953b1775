import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import type { Clock } from '../../../src/common/clock';
import { DispatcherService } from '../../../src/follow-ups/dispatch/dispatcher.service';
import { SCOPES } from '../../../src/auth/scopes';
import { postTwilio } from '../../messaging/messaging-support';
import { api } from '../../pipeline/pipeline-support';
import type { FakeTwilioServer } from '../../support/fake-twilio.server';
import { createApiKey, signup, SignedUp, TestApp, testDatabaseUrl, withAdminDb } from '../../support/test-app';

/** The kinds of object an id can name, as the API's paths and arguments call them. */
export const KINDS = [
  'candidate',
  'contact',
  'lead',
  'interview',
  'reference',
  'followUp',
  'message',
  'activity',
  'webhookSubscription',
  'webhookDelivery',
  'apiKey',
  'user',
] as const;
export type Kind = (typeof KINDS)[number];

/**
 * Which kind of object a path segment, argument or field name refers to ("interviewerIds" are
 * contacts, "ownerUserId" a user, "redeliverWebhook" a delivery...). Undefined when the name says
 * nothing: callers then try every kind.
 */
export function kindOf(name: string): Kind | undefined {
  const rules: [RegExp, Kind][] = [
    [/webhook-?subscription|subscription/i, 'webhookSubscription'],
    [/deliver/i, 'webhookDelivery'],
    [/api-?key/i, 'apiKey'],
    [/follow-?up/i, 'followUp'],
    [/candidate/i, 'candidate'],
    [/contact|interviewer|referrer|employer/i, 'contact'],
    [/lead/i, 'lead'],
    [/interview/i, 'interview'],
    [/reference/i, 'reference'],
    [/message|repl(y|ies)/i, 'message'],
    [/activit/i, 'activity'],
    [/user|owner|actor/i, 'user'],
    [/webhook/i, 'webhookSubscription'],
  ];
  return rules.find(([re]) => re.test(name))?.[1];
}

/** One firm with at least one of every resource the API has, built through the public API. */
export interface World {
  who: SignedUp;
  /** A marker in every name, email, subject and text of this firm: finding it elsewhere is a leak. */
  tag: string;
  firmName: string;
  apiKey: { id: string; secret: string };
  ids: Record<Kind, string>;
  /** Every id of every row this firm owns (for leak detection), the tenant's own included. */
  allIds: string[];
  externalIds: { candidate: string; contact: string; lead: string };
  candidatePhone: string;
  candidateEmail: string;
  twilio: { accountSid: string; authToken: string; from: string };
  inboundEmailSecret: string;
  /** The provider id (SM…) of an outbound SMS and the Message-ID of an outbound email. */
  outboundSmsSid: string;
  outboundEmailMessageId: string;
}

function ok(res: request.Response, what: string, status = [200, 201, 202]): request.Response {
  if (!status.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/**
 * Builds a firm with one (or more) of everything: users (admin, invited recruiter), an API key,
 * a webhook subscription and its deliveries, a candidate, a contact, a lead with status history,
 * an interview with a reschedule, a reference provided for the lead, a consent, an activity,
 * follow-ups (planned and sent), messages in and out on both channels.
 *
 * `n` (1 to 9) picks distinct Twilio credentials and numbers; the Twilio account is registered with the
 * fake server so the firm's SMS really go out. The dispatcher is drained once (it is
 * cross-tenant: callers use an isolated database).
 */
export async function buildWorld(t: TestApp, twilio: FakeTwilioServer, clock: Clock, n: number, label: string): Promise<World> {
  const tag = `${label}${randomBytes(4).toString('hex')}`;
  const firmName = `Firm ${tag}`;
  const who = await signup(t, { firmName, name: `Admin ${tag}`, email: `admin.${tag}@${label.toLowerCase()}-firm.example` });
  const x = api(t, who);
  const twilioAccount = { accountSid: `AC${String(n).repeat(32)}`, authToken: `token-of-${tag}-0123456789abcdef`, from: `+1415555030${n}` };
  twilio.addAccount(twilioAccount.accountSid, twilioAccount.authToken);
  const inboundEmailSecret = `inbound-secret-${tag}-0123456789`;
  ok(
    await x.put('/v1/settings/senders', {
      twilioAccountSid: twilioAccount.accountSid,
      twilioAuthToken: twilioAccount.authToken,
      twilioFrom: twilioAccount.from,
      inboundEmailSecret,
      emailFromName: `Recruiting ${tag}`,
    }),
    'senders',
  );
  // A subscription first, so every change below also queues a delivery.
  const subscription = ok(await x.post('/v1/webhook-subscriptions', { url: `http://127.0.0.1:9/hooks/${tag}`, eventTypes: ['*'], description: `Hook ${tag}` }), 'subscription');
  const subscriptionId = subscription.body.subscription.id as string;
  const recruiter = ok(await x.post('/v1/users', { email: `recruiter.${tag}@${label.toLowerCase()}-firm.example`, name: `Recruiter ${tag}`, role: 'recruiter' }), 'invite');
  const apiKey = await createApiKey(t, who, [...SCOPES]);

  const candidatePhone = `+14155550${n}01`;
  const candidateEmail = `cand.${tag}@mail.example`;
  // Not tagged: another firm may legitimately use the same external ids (and see them echoed).
  const ext = randomBytes(4).toString('hex');
  const externalIds = { candidate: `EXT-C-${ext}`, contact: `EXT-P-${ext}`, lead: `EXT-L-${ext}` };
  const candidateId = ok(
    await x.post('/v1/candidates', {
      name: `Candidate ${tag}`,
      email: candidateEmail,
      phone: candidatePhone,
      status: 'inactive',
      ownerUserId: who.userId,
      externalId: externalIds.candidate,
      externalSource: 'bullhorn',
    }),
    'candidate',
  ).body.id as string;
  const contactId = ok(
    await x.post('/v1/contacts', {
      name: `Contact ${tag}`,
      email: `contact.${tag}@employer.example`,
      phone: `+14155550${n}02`,
      company: `Company ${tag}`,
      roles: ['employer_contact', 'interviewer', 'referrer', 'reference'],
      externalId: externalIds.contact,
      externalSource: 'bullhorn',
    }),
    'contact',
  ).body.id as string;
  const leadId = ok(
    await x.post('/v1/leads', {
      candidateId,
      company: `Company ${tag}`,
      position: `Position ${tag}`,
      employerContactId: contactId,
      externalId: externalIds.lead,
      externalSource: 'bullhorn',
    }),
    'lead',
  ).body.id as string;
  ok(await x.post(`/v1/leads/${leadId}/status`, { status: 'applied', note: `Applied ${tag}` }), 'lead status');
  const startsAt = new Date(clock.now().getTime() + 3 * 86_400_000).toISOString();
  const interviewId = ok(
    await x.post('/v1/interviews', { leadId, startsAt, durationMinutes: 45, format: 'video', interviewerIds: [contactId], meetingUrl: `https://meet.example.com/${tag}` }),
    'interview',
  ).body.id as string;
  ok(
    await x.post(`/v1/interviews/${interviewId}/reschedule`, { startsAt: new Date(clock.now().getTime() + 4 * 86_400_000).toISOString(), reason: `Moved ${tag}` }),
    'reschedule',
  );
  const referenceId = ok(await x.post('/v1/references', { candidateId, contactId, relationship: `Manager ${tag}` }), 'reference').body.id as string;
  ok(await x.post(`/v1/leads/${leadId}/references`, { referenceIds: [referenceId] }), 'provide references');
  ok(await x.put(`/v1/candidates/${candidateId}/consent`, { channel: 'email', status: 'opted_in' }), 'consent');
  const activityId = ok(
    await x.post('/v1/activities', { candidateId, kind: 'call', direction: 'out', summary: `Called ${tag}` }),
    'activity',
  ).body.id as string;
  const testDelivery = ok(await x.post(`/v1/webhook-subscriptions/${subscriptionId}/test`), 'test webhook');
  const deliveryId = (testDelivery.body.id ?? testDelivery.body.delivery?.id) as string;

  // Messages out on both channels (the dispatcher sends them), and in on both.
  const followUpId = ok(await x.post('/v1/messages', { candidateId, channel: 'email', subject: `Hello ${tag}`, text: `Email text ${tag}` }), 'one-off email').body
    .followUpId as string;
  ok(await x.post('/v1/messages', { candidateId, channel: 'sms', text: `SMS text ${tag}` }), 'one-off sms');
  await t.app.get(DispatcherService).drain();
  const sent = await withAdminDb(async (c) =>
    (
      await c.query<{ channel: string; provider_id: string | null; status: string }>(
        `SELECT channel, provider_id, status FROM messages WHERE tenant_id = $1 AND direction = 'out' ORDER BY channel`,
        [who.tenantId],
      )
    ).rows,
  );
  const sms = sent.find((m) => m.channel === 'sms' && m.provider_id?.startsWith('SM'));
  const email = sent.find((m) => m.channel === 'email' && m.provider_id);
  if (!sms || !email) throw new Error(`world ${label}: outbound messages not sent: ${JSON.stringify(sent)}`);

  const inbound = ok(
    await request(t.http)
      .post(`/v1/webhooks/email/${who.webhookKey}/inbound`)
      .set('X-Touchpoint-Webhook-Secret', inboundEmailSecret)
      .send({
        from: `Candidate ${tag} <${candidateEmail}>`,
        to: 'replies@inbound.example',
        subject: `Re: Hello ${tag}`,
        text: `Reply ${tag}`,
        messageId: `<reply-${tag}@mail.example>`,
        inReplyTo: email.provider_id,
      }),
    'inbound email',
  );
  const messageId = inbound.body.messageId as string;
  ok(
    await postTwilio(
      t,
      `/v1/webhooks/twilio/${who.webhookKey}/inbound`,
      { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: twilioAccount.accountSid, From: candidatePhone, To: twilioAccount.from, Body: `Texted reply ${tag}`, NumMedia: '0' },
      twilioAccount.authToken,
    ),
    'inbound sms',
  );

  const ids: Record<Kind, string> = {
    candidate: candidateId,
    contact: contactId,
    lead: leadId,
    interview: interviewId,
    reference: referenceId,
    followUp: followUpId,
    message: messageId,
    activity: activityId,
    webhookSubscription: subscriptionId,
    webhookDelivery: deliveryId,
    apiKey: apiKey.id,
    user: recruiter.body.user.id as string,
  };
  for (const [kind, id] of Object.entries(ids)) if (typeof id !== 'string' || id.length < 30) throw new Error(`world ${label}: no ${kind} id (${String(id)})`);
  return {
    who,
    tag,
    firmName,
    apiKey,
    ids,
    allIds: await idsOfTenant(who.tenantId),
    externalIds,
    candidatePhone,
    candidateEmail,
    twilio: twilioAccount,
    inboundEmailSecret,
    outboundSmsSid: sms.provider_id!,
    outboundEmailMessageId: email.provider_id!,
  };
}

/** The tables with a tenant_id column (every tenant table), from the catalog: new tables are included. */
export async function tenantTables(): Promise<string[]> {
  return withAdminDb(async (c) =>
    (
      await c.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.columns
          WHERE table_schema = 'public' AND column_name = 'tenant_id'
            AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE')
          ORDER BY table_name`,
      )
    ).rows.map((r) => r.table_name),
  );
}

async function idsOfTenant(tenantId: string): Promise<string[]> {
  const tables = await tenantTables();
  return withAdminDb(async (c) => {
    const withId = (
      await c.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id' AND data_type = 'uuid' AND table_name = ANY($1)`,
        [tables],
      )
    ).rows.map((r) => r.table_name);
    const ids = new Set<string>([tenantId]);
    for (const table of withId) {
      for (const r of (await c.query<{ id: string }>(`SELECT id::text AS id FROM "${table}" WHERE tenant_id = $1`, [tenantId])).rows) ids.add(r.id);
    }
    return [...ids];
  });
}

/** A superuser connection kept open for a whole file (fingerprints are taken hundreds of times). */
export async function openAdminDb(): Promise<Client> {
  const c = new Client({ connectionString: testDatabaseUrl() });
  await c.connect();
  return c;
}

/**
 * A fingerprint of everything a tenant owns: per tenant table, an md5 over its rows (every
 * column), plus the tenant's own row. Any insert, update or delete changes it.
 */
export async function tenantFingerprint(c: Client, tenantId: string, tables: string[]): Promise<Record<string, string>> {
  const parts = tables.map(
    (table) => `SELECT '${table}' AS name, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS hash FROM "${table}" x WHERE x.tenant_id = $1`,
  );
  parts.push(`SELECT 'tenants' AS name, md5(coalesce(string_agg(x::text, '|'), '')) AS hash FROM tenants x WHERE x.id = $1`);
  return Object.fromEntries((await c.query<{ name: string; hash: string }>(parts.join(' UNION ALL '), [tenantId])).rows.map((r) => [r.name, r.hash]));
}

export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
}
