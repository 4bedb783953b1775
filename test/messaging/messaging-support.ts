import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import twilio from 'twilio';
import { APP_CONFIG } from '../../src/config/app-config';
import type { AppConfig } from '../../src/config/app-config';
import { OUTBOUND_MESSENGER } from '../../src/messaging/outbound.types';
import { EMPTY_PERSON_STATE } from '../../src/messaging/outbound.types';
import type { OutboundMessenger, OutboundResult, PersonRef } from '../../src/messaging/outbound.types';
import { CandidatesService } from '../../src/candidates/candidates.service';
import { ContactsService } from '../../src/contacts/contacts.service';
import { personKey } from '../../src/people/person-ref';
import { UsersService } from '../../src/users/users.service';
import { asTenantId } from '../../src/database/tenant-id';
import { api } from '../pipeline/pipeline-support';
import { SignedUp, TestApp, withAdminDb } from '../support/test-app';

export { api, EventLog, UNKNOWN_ID } from '../pipeline/pipeline-support';

/** The public URL Twilio signs; the tests' app listens on plain http behind it. */
export const PUBLIC_URL = 'https://touchpoint.example.com';

const FIXTURES = [join(__dirname, '..', 'fixtures', 'twilio'), '/work/shared/fixtures/twilio'].find((d) => existsSync(join(d, 'inbound-sms.form')))!;

/** A fixture form as Twilio posts it, as name → value. */
export function fixtureForm(name: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(readFileSync(join(FIXTURES, name), 'utf8').trim()));
}

export function twilioSid(prefix = 'SM'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

export function accountSid(): string {
  return `AC${randomBytes(16).toString('hex')}`;
}

export function serviceSid(): string {
  return `MG${randomBytes(16).toString('hex')}`;
}

export function authToken(): string {
  return randomBytes(16).toString('hex');
}

/** A US number unique enough per test: +1415555xxxx. */
export function phone(): string {
  return `+1415555${String(1000 + Math.floor(Math.random() * 8999)).padStart(4, '0')}`;
}

/**
 * Posts a form to a Twilio webhook exactly as Twilio does: signed with twilio.getExpectedTwilioSignature
 * over PUBLIC_URL + path (+ query), sent to the app's plain-http listener.
 */
export function postTwilio(
  t: TestApp,
  path: string,
  params: Record<string, string>,
  token: string | undefined,
  options: { signature?: string | null; publicUrl?: string } = {},
): request.Test {
  // Twilio names the account it signs with: a request signed with a known account's token
  // carries that AccountSid, unless the test set one of its own (the fixtures' is made up).
  const account = token === undefined ? undefined : accountOfToken(t, token);
  if (account && (params.AccountSid === undefined || params.AccountSid === FIXTURE_ACCOUNT_SID)) params = { ...params, AccountSid: account };
  const url = `${options.publicUrl ?? PUBLIC_URL}${path}`;
  const signature = options.signature === undefined ? twilio.getExpectedTwilioSignature(token ?? '', url, params) : options.signature;
  const req = request(t.http).post(path).set('Content-Type', 'application/x-www-form-urlencoded').set('User-Agent', 'TwilioProxy/1.1');
  if (signature !== null) req.set('X-Twilio-Signature', signature);
  return req.send(new URLSearchParams(params).toString());
}

export function twilioSignature(token: string, pathOrUrl: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(token, pathOrUrl.startsWith('/') ? `${PUBLIC_URL}${pathOrUrl}` : pathOrUrl, params);
}

export function inboundSms(overrides: Record<string, string>): Record<string, string> {
  const sid = overrides.MessageSid ?? twilioSid();
  return { ...fixtureForm('inbound-sms.form'), SmsMessageSid: sid, SmsSid: sid, MessageSid: sid, ...overrides };
}

/**
 * Candidates are created `inactive` unless a test says otherwise: the follow-up engine plans no
 * check-ins for them, so a dispatcher of another suite sharing the database (with its clock moved
 * weeks ahead) never sends anything to this suite's people behind its back.
 */
export async function createCandidate(t: TestApp, who: SignedUp, fields: Record<string, unknown>): Promise<string> {
  const res = await api(t, who).post('/v1/candidates', { name: 'Zoë Ångström', status: 'inactive', ...fields });
  if (res.status !== 201) throw new Error(`create candidate: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function createContact(t: TestApp, who: SignedUp, fields: Record<string, unknown>): Promise<string> {
  const res = await api(t, who).post('/v1/contacts', { name: 'Jürgen Müller', ...fields });
  if (res.status !== 201) throw new Error(`create contact: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** The AccountSid of the fixture forms (made up). */
export const FIXTURE_ACCOUNT_SID = 'AC00000000000000000000000000000000';

/** Accounts by auth token: the firms' own (useOwnTwilio, knownTwilioAccount) and the platform's (from the app's config). */
const accountsByToken = new Map<string, string>();

export function knownTwilioAccount(accountSid: string, authToken: string): void {
  accountsByToken.set(authToken, accountSid);
}

export function accountOfToken(t: TestApp, token: string): string | undefined {
  const platform = t.app.get<AppConfig>(APP_CONFIG).twilio;
  if (platform && platform.authToken === token) return platform.accountSid;
  return accountsByToken.get(token);
}

/** Gives the tenant its own Twilio account (through the API, as an admin would). */
export async function useOwnTwilio(t: TestApp, who: SignedUp, account: { accountSid: string; authToken: string; messagingServiceSid?: string; from?: string }): Promise<void> {
  knownTwilioAccount(account.accountSid, account.authToken);
  const res = await api(t, who).put('/v1/settings/senders', {
    twilioAccountSid: account.accountSid,
    twilioAuthToken: account.authToken,
    ...(account.messagingServiceSid ? { twilioMessagingServiceSid: account.messagingServiceSid } : {}),
    ...(account.from ? { twilioFrom: account.from } : {}),
  });
  if (res.status !== 200) throw new Error(`senders: ${res.status} ${JSON.stringify(res.body)}`);
}

export function messenger(t: TestApp): OutboundMessenger {
  return t.app.get<OutboundMessenger>(OUTBOUND_MESSENGER);
}

export interface SendInput {
  channel: 'email' | 'sms';
  subject?: string;
  text: string;
  automated: boolean;
  /** A one-off message's author. */
  userId?: string;
}

/**
 * One message through messaging's three steps, the way the engine drives them: the person as the
 * services read them now (a deleted or another firm's person has no address), messaging's context,
 * the final text (SMS compliance), prepare, deliver, complete.
 */
export async function send(t: TestApp, who: SignedUp, person: PersonRef, rest: SendInput): Promise<OutboundResult> {
  const tenantId = asTenantId(who.tenantId);
  const m = messenger(t);
  const found =
    person.type === 'candidate'
      ? (await t.app.get(CandidatesService).findByIds(tenantId, [person.id]))[0]
      : (await t.app.get(ContactsService).findByIds(tenantId, [person.id]))[0];
  const context = await m.context(tenantId, [person]);
  const state = context.people.get(personKey(person)) ?? EMPTY_PERSON_STATE;
  const address = (rest.channel === 'email' ? found?.email : found?.phone) ?? '';
  const author = rest.userId ? { userId: rest.userId, name: (await t.app.get(UsersService).get(tenantId, rest.userId)).name } : undefined;
  const [prepared] = await m.prepare(
    [{
      tenantId,
      person,
      recipient: { name: found?.name ?? '', address },
      channel: rest.channel,
      subject: rest.subject,
      text: m.finalText(rest.channel, rest.text, state),
      automated: rest.automated,
      ...(author ? { author } : {}),
    }],
    context,
  );
  const [result] = await m.complete([{ send: prepared!, outcome: await m.deliver(prepared!) }]);
  return result!;
}

export interface MessageRow {
  id: string;
  tenant_id: string;
  candidate_id: string | null;
  contact_id: string | null;
  direction: string;
  channel: string;
  status: string;
  provider: string;
  provider_id: string | null;
  from_address: string | null;
  to_address: string | null;
  subject: string | null;
  body: string | null;
  error_code: string | null;
  reply_state: string | null;
  matched: boolean;
  updated_at: Date;
}

export function messagesOf(tenantId: string, where = 'true', params: unknown[] = []): Promise<MessageRow[]> {
  return withAdminDb(async (c) => {
    const r = await c.query(`SELECT * FROM messages WHERE tenant_id = $1 AND (${where}) ORDER BY created_at, id`, [tenantId, ...params]);
    return r.rows as MessageRow[];
  });
}

export async function consentOf(tenantId: string, person: PersonRef, channel: string): Promise<{ status: string; source: string } | undefined> {
  return withAdminDb(async (c) => {
    const col = person.type === 'candidate' ? 'candidate_id' : 'contact_id';
    const r = await c.query(`SELECT status, source FROM consents WHERE tenant_id = $1 AND ${col} = $2 AND channel = $3`, [tenantId, person.id, channel]);
    return r.rows[0] as { status: string; source: string } | undefined;
  });
}

export async function engagementOf(tenantId: string, person: PersonRef): Promise<Record<string, unknown> | undefined> {
  return withAdminDb(async (c) => {
    const col = person.type === 'candidate' ? 'candidate_id' : 'contact_id';
    const r = await c.query(`SELECT * FROM person_engagement WHERE tenant_id = $1 AND ${col} = $2`, [tenantId, person.id]);
    return r.rows[0] as Record<string, unknown> | undefined;
  });
}
