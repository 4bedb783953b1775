import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  GraphQLArgument,
  GraphQLEnumType,
  GraphQLSchema,
  GraphQLType,
  isEnumType,
  isInputObjectType,
  isObjectType,
  type IntrospectionQuery,
} from 'graphql';
import { ACTIVITY_CHANNELS, ACTIVITY_KINDS } from '../../src/activities/activity.entity';
import { AUDIT_ACTIONS } from '../../src/audit/audit.dto';
import { ACTOR_KINDS, PRINCIPAL_KINDS } from '../../src/auth/principal';
import { SCOPE_PRESET_NAMES } from '../../src/auth/scopes';
import { CANDIDATE_STATUSES } from '../../src/candidates/candidate.entity';
import { CONTACT_ROLES } from '../../src/contacts/contact.entity';
import { REACTION_STATES, REACTION_STATUSES } from '../../src/events/reactions/reaction-store';
import { AGENDA_OWNERS } from '../../src/follow-ups/agenda-owner';
import { PREVIEW_OUTCOMES } from '../../src/follow-ups/compose/draft';
import { RECIPIENT_TYPES } from '../../src/follow-ups/domain/dedupe';
import { AUDIENCES, TEMPLATE_VARIABLES } from '../../src/follow-ups/domain/templates';
import { FOLLOW_UP_CHANNELS, FOLLOW_UP_KINDS, FOLLOW_UP_STATUSES } from '../../src/follow-ups/follow-up.entity';
import { FOLLOW_UP_RULES } from '../../src/follow-ups/rules';
import { INTERVIEW_FORMATS, INTERVIEW_STATUSES, SCHEDULED_BY } from '../../src/interviews/interview.entity';
import { LEAD_SOURCES } from '../../src/leads/lead.entity';
import { LEAD_STATUSES } from '../../src/leads/lead-status';
import { CHANNELS, DIRECTIONS } from '../../src/messaging/domain/channel';
import { PERSON_TYPES } from '../../src/messaging/domain/person';
import { CONSENT_SOURCES, CONSENT_STATUSES } from '../../src/messaging/entities/consent.entity';
import { MESSAGE_PROVIDERS, MESSAGE_STATUSES, REPLY_STATES } from '../../src/messaging/entities/message.entity';
import { EMAIL_SENDERS, SMS_SENDERS } from '../../src/messaging/entities/tenant-sender.entity';
import { SUPPRESSION_KINDS } from '../../src/people/suppressions';
import { WARNING_CODES } from '../../src/people/warning-codes';
import { TENANT_STATUSES } from '../../src/tenancy/tenant.entity';
import { USER_ROLES, USER_STATUSES } from '../../src/users/user.entity';
import { DELIVERY_STATUSES, SUBSCRIPTION_STATUSES } from '../../src/webhooks/webhook.entity';
import { bootTestApp, countRows, gql, signup, TestApp, withAdminDb } from '../support/test-app';

/**
 * Statuses, roles, channels, formats, sources and rules are GraphQL enums (src/graphql/enums.ts),
 * spelled as REST spells them, each built from the one list REST validates with.
 */

/** Each enum, and the list it must hold exactly. */
const ENUMS: Record<string, readonly string[]> = {
  ActivityChannel: ACTIVITY_CHANNELS,
  ActivityKind: ACTIVITY_KINDS,
  ActorKind: ACTOR_KINDS,
  AgendaOwner: AGENDA_OWNERS,
  Audience: AUDIENCES,
  AuditAction: AUDIT_ACTIONS,
  CandidateStatus: CANDIDATE_STATUSES,
  Channel: CHANNELS,
  ConsentSource: CONSENT_SOURCES,
  ConsentStatus: CONSENT_STATUSES,
  ContactRole: CONTACT_ROLES,
  Direction: DIRECTIONS,
  EmailSender: EMAIL_SENDERS,
  FollowUpChannel: FOLLOW_UP_CHANNELS,
  FollowUpKind: FOLLOW_UP_KINDS,
  FollowUpStatus: FOLLOW_UP_STATUSES,
  InterviewFormat: INTERVIEW_FORMATS,
  InterviewStatus: INTERVIEW_STATUSES,
  LeadSource: LEAD_SOURCES,
  LeadStatus: LEAD_STATUSES,
  MessageProvider: MESSAGE_PROVIDERS,
  MessageStatus: MESSAGE_STATUSES,
  PersonType: PERSON_TYPES,
  PreviewOutcome: PREVIEW_OUTCOMES,
  PrincipalKind: PRINCIPAL_KINDS,
  ReactionState: REACTION_STATES,
  ReactionStatus: REACTION_STATUSES,
  RecipientType: RECIPIENT_TYPES,
  ReplyState: REPLY_STATES,
  Rule: FOLLOW_UP_RULES,
  ScheduledBy: SCHEDULED_BY,
  ScopePreset: SCOPE_PRESET_NAMES,
  SmsSender: SMS_SENDERS,
  SuppressionKind: SUPPRESSION_KINDS,
  TemplateVariable: TEMPLATE_VARIABLES,
  TenantStatus: TENANT_STATUSES,
  UserRole: USER_ROLES,
  UserStatus: USER_STATUSES,
  WarningCode: WARNING_CODES,
  WebhookDeliveryStatus: DELIVERY_STATUSES,
  WebhookSubscriptionStatus: SUBSCRIPTION_STATUSES,
};

/** Where each enum is used: `Type.field` (object and input types) and `Query.field(argument)`. */
const USES: Record<string, string[]> = {
  ActivityChannel: ['Activity.channel', 'LogActivityInput.channel'],
  ActivityKind: ['Activity.kind', 'LogActivityInput.kind', 'Query.activities(kind)'],
  ActorKind: ['AuditEntry.actorKind', 'ConsentEvent.actorKind', 'Reaction.actorKind'],
  AgendaOwner: ['Query.agenda(owner)'],
  Audience: ['AnalyticsFilterInput.audience', 'PreviewTemplateInput.audience', 'VariantComparison.audience'],
  AuditAction: ['AuditEntry.action'],
  CandidateStatus: ['Candidate.status', 'CreateCandidateInput.status', 'Query.candidates(status)', 'UpdateCandidateInput.status', 'UpsertCandidateInput.status', 'UpsertCandidatesItemInput.status'],
  Channel: [
    'AnalyticsFilterInput.channel',
    'Candidate.preferredChannel',
    'ConsentEvent.channel',
    'ConsentState.channel',
    'Contact.preferredChannel',
    'ConversationLastMessage.channel',
    'ConversationMessage.channel',
    'ConversationReply.channel',
    'CreateCandidateInput.preferredChannel',
    'CreateContactInput.preferredChannel',
    'FollowUpPreview.channel',
    'Message.channel',
    'OneOffMessage.channel',
    'PreviewTemplateInput.channel',
    'Query.messages(channel)',
    'SendMessageInput.channel',
    'SetConsentInput.channel',
    'UpdateCandidateInput.preferredChannel',
    'UpdateContactInput.preferredChannel',
    'UpsertCandidateInput.preferredChannel',
    'UpsertCandidatesItemInput.preferredChannel',
    'UpsertContactInput.preferredChannel',
    'VariantComparison.channel',
  ],
  ConsentSource: ['ConsentEvent.source', 'ConsentState.source'],
  ConsentStatus: ['ConsentEvent.status', 'ConsentState.status', 'SetConsentInput.status'],
  ContactRole: ['Contact.roles', 'CreateContactInput.roles', 'Query.contacts(role)', 'UpdateContactInput.roles', 'UpsertContactInput.roles'],
  Direction: ['Activity.direction', 'ConversationLastMessage.direction', 'ConversationMessage.direction', 'LogActivityInput.direction', 'Message.direction', 'Query.activities(direction)', 'Query.messages(direction)'],
  EmailSender: ['SenderSettings.emailSender'],
  FollowUpChannel: ['FollowUp.channel'],
  FollowUpKind: ['FollowUp.kind'],
  FollowUpStatus: ['FollowUp.status', 'OneOffMessage.status', 'Query.followUps(status)'],
  InterviewFormat: ['Interview.format', 'ScheduleInterviewInput.format', 'UpdateInterviewInput.format'],
  InterviewStatus: ['Interview.status', 'Query.interviews(status)'],
  LeadSource: ['CreateLeadInput.source', 'Lead.source', 'UpdateLeadInput.source', 'UpsertLeadInput.source'],
  LeadStatus: [
    'ChangeLeadStatusInput.status',
    'CreateLeadInput.status',
    'Lead.allowedTransitions',
    'Lead.status',
    'LeadStatusChange.from',
    'LeadStatusChange.to',
    'Query.leads(status)',
    'TimelineEntry.from',
    'TimelineEntry.to',
    'UpsertLeadInput.status',
  ],
  MessageProvider: ['Message.provider'],
  MessageStatus: ['ConversationMessage.status', 'Message.status', 'Query.messages(status)'],
  PersonType: ['ConversationPerson.type', 'MessagePerson.type', 'PersonConsent.personType', 'PreviewRecipient.type', 'Query.conversation(personType)'],
  PreviewOutcome: ['FollowUpPreview.outcome'],
  PrincipalKind: ['Me.kind'],
  ReactionState: ['Query.reactions(state)'],
  ReactionStatus: ['Reaction.status'],
  RecipientType: ['FollowUp.recipientType'],
  ReplyState: ['ConversationMessage.replyState', 'Message.replyState'],
  Rule: [
    'AnalyticsFilterInput.rule',
    'ConversationLastMessage.rule',
    'ConversationMessage.rule',
    'FollowUp.rule',
    'OutcomeStats.rule',
    'PreviewTemplateInput.rule',
    'Query.followUps(rule)',
    'ReplyStats.rule',
    'VariantComparison.rule',
  ],
  ScheduledBy: ['Interview.scheduledBy', 'ScheduleInterviewInput.scheduledBy', 'UpdateInterviewInput.scheduledBy'],
  ScopePreset: ['CreateApiKeyInput.preset', 'UpdateApiKeyInput.preset'],
  SmsSender: ['SenderSettings.smsSender'],
  SuppressionKind: ['Erasure.suppressed'],
  TemplateVariable: ['TemplatePreview.sampled'],
  TenantStatus: ['Tenant.status'],
  UserRole: ['InviteUserInput.role', 'UpdateUserInput.role', 'User.role'],
  UserStatus: ['User.status'],
  WarningCode: ['Warning.code'],
  WebhookDeliveryStatus: ['WebhookDelivery.status'],
  WebhookSubscriptionStatus: ['UpdateWebhookSubscriptionInput.status', 'WebhookSubscription.status'],
};

/**
 * Fields named like a closed set that stay String, and why. Any other field, input field or
 * argument of such a name that is a String fails the test: a new one is an enum, or is added here.
 */
const OPEN_ON_PURPOSE: Record<string, string> = {
  'BulkItemError.code': 'an error code, as extensions.code (always a String in GraphQL)',
  'BulkItemError.field': 'the name of a field',
  'ConversationReply.to': 'an address',
  'Message.from': 'an address',
  'Message.to': 'an address',
  'OutcomeStats.outcome': 'a sentence ("the lead reached interviewing")',
  'TemplatePreview.encoding': 'GSM-7 or UCS-2: not GraphQL names',
  'TimelineEntry.kind': 'event names such as lead.status_changed: not GraphQL names',
  'Warning.field': 'the name of a field',
};
const CLOSED_LOOKING =
  /^(status|state|role|roles|channel|preferredChannel|source|format|kind|direction|rule|audience|preset|personType|type|recipientType|replyState|actorKind|action|outcome|scheduledBy|owner|provider|code|encoding|emailSender|smsSender|suppressed|sampled|allowedTransitions|from|to|field)$/;

/**
 * Every CHECK (column IN (…)) of a column GraphQL returns as an enum: the stored values are the
 * enum's, so no row can hold a value GraphQL could not return.
 */
const STORED: Record<string, string> = {
  'activities.channel': 'ActivityChannel',
  'activities.direction': 'Direction',
  'activities.kind': 'ActivityKind',
  'audit_log.action': 'AuditAction',
  'audit_log.actor_kind': 'ActorKind',
  'candidates.preferred_channel': 'Channel',
  'candidates.status': 'CandidateStatus',
  'consent_events.actor_kind': 'ActorKind',
  'consent_events.channel': 'Channel',
  'consent_events.source': 'ConsentSource',
  'consent_events.status': 'ConsentStatus',
  'consents.channel': 'Channel',
  'consents.source': 'ConsentSource',
  'consents.status': 'ConsentStatus',
  'contacts.preferred_channel': 'Channel',
  'follow_ups.channel': 'FollowUpChannel',
  'follow_ups.kind': 'FollowUpKind',
  'follow_ups.status': 'FollowUpStatus',
  'interviews.format': 'InterviewFormat',
  'interviews.scheduled_by': 'ScheduledBy',
  'interviews.status': 'InterviewStatus',
  'leads.source': 'LeadSource',
  'leads.status': 'LeadStatus',
  'messages.channel': 'Channel',
  'messages.direction': 'Direction',
  'messages.provider': 'MessageProvider',
  'messages.reply_state': 'ReplyState',
  'messages.status': 'MessageStatus',
  'reactions.status': 'ReactionStatus',
  'suppressions.kind': 'SuppressionKind',
  'tenants.status': 'TenantStatus',
  'users.role': 'UserRole',
  'users.status': 'UserStatus',
  'webhook_deliveries.status': 'WebhookDeliveryStatus',
  'webhook_subscriptions.status': 'WebhookSubscriptionStatus',
};

const sorted = (values: readonly string[]): string[] => [...values].sort();

describe('GraphQL enums', () => {
  let t: TestApp;
  let schema: GraphQLSchema;

  beforeAll(async () => {
    t = await bootTestApp();
    const who = await signup(t);
    const res = await gql<IntrospectionQuery>(t, who.token, getIntrospectionQuery());
    expect(res.errors).toBeUndefined();
    schema = buildClientSchema(res.data!);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Every field, input field and argument of the schema, with the name of its named type. */
  function positions(): { at: string; type: string }[] {
    const out: { at: string; type: string }[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInputObjectType(type))) continue;
      for (const field of Object.values(type.getFields()) as { name: string; type: GraphQLType; args?: readonly GraphQLArgument[] }[]) {
        out.push({ at: `${type.name}.${field.name}`, type: getNamedType(field.type).name });
        for (const arg of field.args ?? []) out.push({ at: `${type.name}.${field.name}(${arg.name})`, type: getNamedType(arg.type).name });
      }
    }
    return out;
  }

  describe('the schema', () => {
    it('has exactly these enums, each with exactly the values of its list (REST validates with the same list)', () => {
      const enums = Object.values(schema.getTypeMap()).filter((type): type is GraphQLEnumType => isEnumType(type) && !type.name.startsWith('__'));
      expect(sorted(enums.map((e) => e.name))).toEqual(sorted(Object.keys(ENUMS)));
      for (const e of enums) {
        expect({ enum: e.name, values: sorted(e.getValues().map((v) => v.name)) }).toEqual({ enum: e.name, values: sorted(ENUMS[e.name]!) });
        // Named as REST spells them: the value is its own name.
        expect(e.getValues().every((v) => v.value === v.name)).toBe(true);
        expect(e.description).toEqual(expect.any(String));
      }
    });

    it('uses each enum where its concept appears, and nowhere else', () => {
      const used: Record<string, string[]> = {};
      for (const { at, type } of positions()) if (ENUMS[type]) (used[type] ??= []).push(at);
      for (const name of Object.keys(ENUMS)) expect({ enum: name, uses: sorted(used[name] ?? []) }).toEqual({ enum: name, uses: sorted(USES[name]!) });
    });

    it('leaves as String only what is open on purpose', () => {
      const strings = positions()
        .filter(({ at, type }) => type === 'String' && CLOSED_LOOKING.test(at.replace(/^.*[.(]|\)$/g, '')))
        .map(({ at }) => at);
      expect(sorted(strings)).toEqual(sorted(Object.keys(OPEN_ON_PURPOSE)));
    });

    it('matches what the database may store: every CHECK (… IN …) on a column GraphQL returns as an enum', async () => {
      const checks = await withAdminDb(async (c) =>
        (
          await c.query<{ table: string; def: string }>(
            `SELECT conrelid::regclass::text AS table, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace`,
          )
        ).rows,
      );
      for (const [column, enumName] of Object.entries(STORED)) {
        const [table, name] = column.split('.') as [string, string];
        const defs = checks.filter((c) => c.table === table).map((c) => new RegExp(`\\(${name} = ANY \\(ARRAY\\[([^\\]]*)\\]\\)`).exec(c.def)?.[1]);
        const list = defs.find((d) => d !== undefined);
        const stored = [...(list ?? '').matchAll(/'([^']*)'::text/g)].map((m) => m[1]!);
        expect({ column, values: sorted(stored) }).toEqual({ column, values: sorted(ENUMS[enumName]!) });
      }
    });
  });

  describe('in a query', () => {
    const CREATE_LEAD = (source: string) =>
      `mutation($c: ID!) { createLead(input: { candidateId: $c, company: "Globex", position: "Engineer", source: ${source}, status: applied }) { id source status allowedTransitions } }`;

    async function tenantWithCandidate() {
      const a = await signup(t);
      const created = await gql<{ createCandidate: { id: string; status: string; preferredChannel: string } }>(
        t,
        a.token,
        'mutation { createCandidate(input: { name: "Enum Person", status: active, preferredChannel: sms }) { id status preferredChannel } }',
      );
      expect(created.errors).toBeUndefined();
      expect(created.data?.createCandidate).toMatchObject({ status: 'active', preferredChannel: 'sms' });
      return { a, candidateId: created.data!.createCandidate.id };
    }

    it('inline enum literals write and filter; values come back as the REST spellings', async () => {
      const { a, candidateId } = await tenantWithCandidate();
      const lead = await gql<{ createLead: { id: string; source: string; status: string; allowedTransitions: string[] } }>(t, a.token, CREATE_LEAD('referral'), { c: candidateId });
      expect(lead.errors).toBeUndefined();
      expect(lead.data?.createLead).toMatchObject({ source: 'referral', status: 'applied', allowedTransitions: ['interviewing', 'declined', 'rejected', 'withdrawn', 'closed'] });
      const id = lead.data!.createLead.id;
      expect(await withAdminDb(async (c) => (await c.query(`SELECT source, status FROM leads WHERE id = $1`, [id])).rows)).toEqual([{ source: 'referral', status: 'applied' }]);

      const applied = await gql<{ leads: { nodes: { id: string }[] } }>(t, a.token, '{ leads(status: applied) { nodes { id } } }');
      expect(applied.data?.leads.nodes).toEqual([{ id }]);
      const offers = await gql<{ leads: { nodes: { id: string }[] } }>(t, a.token, '{ leads(status: offer) { nodes { id } } }');
      expect(offers.data?.leads.nodes).toEqual([]);
      // In variables an enum value is a JSON string.
      const viaVariable = await gql<{ leads: { nodes: { id: string }[] } }>(t, a.token, 'query($s: LeadStatus) { leads(status: $s) { nodes { id } } }', { s: 'applied' });
      expect(viaVariable.data?.leads.nodes).toEqual([{ id }]);
      const moved = await gql<{ changeLeadStatus: { status: string } }>(t, a.token, 'mutation($id: ID!) { changeLeadStatus(id: $id, input: { status: interviewing }) { status } }', { id });
      expect(moved.data?.changeLeadStatus.status).toBe('interviewing');
    });

    it('an unknown value is refused before anything runs: a 400 naming the value, the field and the values it takes; nothing is written', async () => {
      const { a, candidateId } = await tenantWithCandidate();
      const leads = () => countRows('leads', 'tenant_id = $1', [a.tenantId]);
      const sources = 'source must be one of: job_board, referral, staffing_firm, direct, other';

      const literal = await gql(t, a.token, CREATE_LEAD('word_of_mouth'), { c: candidateId });
      expect(literal.status).toBe(400);
      expect(literal.data ?? null).toBeNull();
      expect(literal.errors).toEqual([
        {
          message: `Value "word_of_mouth" does not exist in "LeadSource" enum. Invalid source: ${sources}.`,
          locations: [expect.any(Object)],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', errors: [{ field: 'source', message: sources }] },
        },
      ]);

      const variables = await gql(t, a.token, 'mutation($i: CreateLeadInput!) { createLead(input: $i) { id } }', {
        i: { candidateId, company: 'Globex', position: 'Engineer', source: 'word_of_mouth' },
      });
      expect(variables.status).toBe(400);
      expect(variables.errors?.[0]?.message).toBe(`Variable "$i" got invalid value "word_of_mouth" at "i.source"; Value "word_of_mouth" does not exist in "LeadSource" enum. Invalid source: ${sources}.`);
      expect(variables.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', errors: [{ field: 'source', message: sources }] });

      // A REST spelling in quotes is a string, not the enum value: the answer says how to write it.
      const quoted = await gql(t, a.token, CREATE_LEAD('"referral"'), { c: candidateId });
      expect(quoted.status).toBe(400);
      expect(quoted.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', errors: [{ field: 'source', message: 'source takes the enum value referral, written without quotes' }] });

      // Wrong JSON types in variables, and a filter.
      for (const source of [7, true, ['referral'], { referral: true }]) {
        const res = await gql(t, a.token, 'mutation($i: CreateLeadInput!) { createLead(input: $i) { id } }', { i: { candidateId, company: 'Globex', position: 'Engineer', source } });
        expect({ source, status: res.status, code: res.errors?.[0]?.extensions?.code }).toEqual({ source, status: 400, code: 'BAD_USER_INPUT' });
      }
      const filter = await gql(t, a.token, '{ leads(status: hired) { nodes { id } } }');
      expect(filter.status).toBe(400);
      expect(filter.errors?.[0]?.extensions?.errors).toEqual([{ field: 'status', message: `status must be one of: ${LEAD_STATUSES.join(', ')}` }]);

      expect(await leads()).toBe(0);
    });

    it('where an input takes only some of its enum, validation refuses the others, naming the field', async () => {
      const { a } = await tenantWithCandidate();
      // previewTemplate renders a playbook rule's draft: one_off has no template.
      const res = await gql(t, a.token, 'query { previewTemplate(input: { rule: one_off, channel: email, audience: candidate, template: { body: "Hi" } }) { body } }');
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'rule', message: expect.stringMatching(/^rule must be one of: resume_follow_up, /) }] });
      // A webhook subscription is set active or paused; failing is Touchpoint's to set.
      const created = await gql<{ createWebhookSubscription: { subscription: { id: string } } }>(
        t,
        a.token,
        'mutation { createWebhookSubscription(input: { url: "http://127.0.0.1:9/hook", eventTypes: ["lead.*"] }) { subscription { id } } }',
      );
      const id = created.data!.createWebhookSubscription.subscription.id;
      const failing = await gql(t, a.token, 'mutation($id: ID!) { updateWebhookSubscription(id: $id, input: { status: failing }) { status } }', { id });
      expect(failing.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'status', message: 'status must be active or paused' }] });
      const paused = await gql<{ updateWebhookSubscription: { status: string } }>(t, a.token, 'mutation($id: ID!) { updateWebhookSubscription(id: $id, input: { status: paused }) { status } }', { id });
      expect(paused.data?.updateWebhookSubscription.status).toBe('paused');
      expect(await withAdminDb(async (c) => (await c.query(`SELECT status FROM webhook_subscriptions WHERE id = $1`, [id])).rows)).toEqual([{ status: 'paused' }]);
    });
  });
});
