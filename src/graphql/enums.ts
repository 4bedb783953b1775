import { ACTIVITY_CHANNELS, ACTIVITY_KINDS } from '../activities/activity.entity';
import { AUDIT_ACTIONS } from '../audit/audit.dto';
import { ACTOR_KINDS, PRINCIPAL_KINDS } from '../auth/principal';
import { SCOPE_PRESET_NAMES, SCOPE_PRESETS } from '../auth/scopes';
import { CANDIDATE_STATUSES } from '../candidates/candidate.entity';
import { graphqlEnum } from '../common/graphql/enum';
import { CONTACT_ROLES } from '../contacts/contact.entity';
import { REACTION_STATES, REACTION_STATUSES } from '../events/reactions/reaction-store';
import { RECIPIENT_TYPES } from '../follow-ups/domain/dedupe';
import { AUDIENCES, TEMPLATE_VARIABLE_DESCRIPTIONS, TEMPLATE_VARIABLES } from '../follow-ups/domain/templates';
import { AGENDA_OWNERS } from '../follow-ups/agenda-owner';
import { PREVIEW_OUTCOMES } from '../follow-ups/compose/draft';
import { FOLLOW_UP_CHANNELS, FOLLOW_UP_KINDS, FOLLOW_UP_STATUSES, ONE_OFF } from '../follow-ups/follow-up.entity';
import { FOLLOW_UP_RULES, RULES } from '../follow-ups/rules';
import { INTERVIEW_FORMATS, INTERVIEW_STATUSES, SCHEDULED_BY } from '../interviews/interview.entity';
import { LEAD_SOURCES } from '../leads/lead.entity';
import { LEAD_STATUSES } from '../leads/lead-status';
import { CHANNELS, DIRECTIONS } from '../messaging/domain/channel';
import { PERSON_TYPES } from '../messaging/domain/person';
import { CONSENT_SOURCES, CONSENT_STATUSES } from '../messaging/entities/consent.entity';
import { MESSAGE_PROVIDERS, MESSAGE_STATUSES, REPLY_STATES } from '../messaging/entities/message.entity';
import { EMAIL_SENDERS, SMS_SENDERS } from '../messaging/entities/tenant-sender.entity';
import { SUPPRESSION_KINDS } from '../people/suppressions';
import { WARNING_CODES } from '../people/warning-codes';
import { TENANT_STATUSES } from '../tenancy/tenant.entity';
import { USER_ROLES, USER_STATUSES } from '../users/user.entity';
import { DELIVERY_STATUSES, SUBSCRIPTION_STATUSES } from '../webhooks/webhook.entity';

/**
 * The GraphQL enums: every closed value set the API takes or returns, one enum per concept, each
 * built from the list REST documents and validates with (so the two cannot drift), its values
 * spelled as REST spells them. A field of one of these concepts uses its enum wherever it appears:
 * on object types, on input types and as a query's argument (list filters included). Where an
 * input takes only some of the values (a webhook subscription is set `active` or `paused`, never
 * `failing`), the enum is still the concept's and validation refuses the others, naming the field.
 *
 * Left as String, for the reason given: scopes (`candidates:read`), webhook event types and
 * timeline kinds (`lead.status_changed`), reaction names (`follow-ups.plan`) and an SMS's encoding
 * (`GSM-7`), whose spellings are not GraphQL names; externalSource (the name of the caller's ATS,
 * free-form); audit tables (the names of tables, which come and go with migrations); error codes
 * (they follow extensions.code, which GraphQL keeps a String); template variant names (the firm's
 * own); and free text (reasons, summaries, notes).
 */

// People and the pipeline ------------------------------------------------------------------------

export const CandidateStatusEnum = graphqlEnum('CandidateStatus', CANDIDATE_STATUSES, {
  description: 'Where a candidate stands: only active candidates get check-ins.',
});

export const ContactRoleEnum = graphqlEnum('ContactRole', CONTACT_ROLES, {
  description: 'What a contact is to the firm (a contact may have several roles).',
});

export const PersonTypeEnum = graphqlEnum('PersonType', PERSON_TYPES, {
  description: 'The two kinds of people Touchpoint follows up with.',
});

export const WarningCodeEnum = graphqlEnum('WarningCode', WARNING_CODES, {
  description: 'A double-check of a person’s name and email: a warning, never an error (the write went through).',
  values: {
    EMAIL_NAME_MISMATCH: 'The email address does not look like the name.',
    EMAIL_NAME_CONFLICT: 'Another person with this email address has another name.',
    EMAIL_DOMAIN_TYPO: 'The email domain looks like a misspelt common one (gmial.com).',
  },
});

export const SuppressionKindEnum = graphqlEnum('SuppressionKind', SUPPRESSION_KINDS, {
  description: 'What an erasure keeps on the suppression list, as a hash only.',
});

export const LeadStatusEnum = graphqlEnum('LeadStatus', LEAD_STATUSES, {
  description:
    'Where a lead stands: identified → applied → interviewing → offer → accepted, and from any open state (the first four) to declined, rejected, withdrawn or closed, which are final.',
  values: {
    identified: 'Spotted; not applied yet.',
    applied: 'The resume went to the employer (resumeSentAt).',
    interviewing: 'Interviews are under way.',
    offer: 'The employer made an offer (offerAt).',
    accepted: 'The candidate accepted the offer.',
    declined: 'The candidate declined.',
    rejected: 'The employer turned the candidate down.',
    withdrawn: 'The candidate withdrew.',
    closed: 'The job closed.',
  },
});

export const LeadSourceEnum = graphqlEnum('LeadSource', LEAD_SOURCES, {
  description: 'Where a lead came from.',
});

export const InterviewFormatEnum = graphqlEnum('InterviewFormat', INTERVIEW_FORMATS, {
  description: 'How an interview is held.',
});

export const InterviewStatusEnum = graphqlEnum('InterviewStatus', INTERVIEW_STATUSES, {
  description: 'Where an interview stands: scheduled or confirmed while upcoming; completed, cancelled or no_show once over.',
});

export const ScheduledByEnum = graphqlEnum('ScheduledBy', SCHEDULED_BY, {
  description: 'Who scheduled an interview: the employer, or a staffing firm (its contact is scheduledByContactId).',
});

// Messages and consent ---------------------------------------------------------------------------

export const ChannelEnum = graphqlEnum('Channel', CHANNELS, {
  description: 'A channel Touchpoint sends and receives messages on.',
});

export const DirectionEnum = graphqlEnum('Direction', DIRECTIONS, {
  description: 'Which way a message or a logged activity went.',
  values: { in: 'The person reached out (an inbound message or call counts as a reply).', out: 'We reached out to them.' },
});

export const MessageStatusEnum = graphqlEnum('MessageStatus', MESSAGE_STATUSES, {
  description: 'What became of a message, as far as Touchpoint and its provider know.',
  values: {
    sending: 'Being handed to the provider.',
    queued: 'Twilio queued it.',
    accepted: 'Twilio accepted it (a messaging service picks the sender).',
    sent: 'The provider sent it.',
    delivered: 'The provider reports it delivered.',
    undelivered: 'The provider reports it not delivered (errorCode, errorMessage).',
    failed: 'The send failed (errorCode, errorMessage).',
    received: 'An inbound message.',
    simulated: 'Written to the log driver instead of a provider: nothing left Touchpoint.',
    unknown: 'The send started but its outcome is not known: it may have gone out.',
  },
});

export const MessageProviderEnum = graphqlEnum('MessageProvider', MESSAGE_PROVIDERS, {
  description: 'What carried a message: Twilio (SMS), an SMTP server (email), or the log driver (simulated).',
});

export const ReplyStateEnum = graphqlEnum('ReplyState', REPLY_STATES, {
  description: 'Inbound messages: whether a recruiter has dealt with it.',
  values: {
    open: 'Nobody has answered it or marked it handled: it is among the replies to answer.',
    answered: 'A message went back to the person after it.',
    handled: 'A recruiter marked it handled.',
  },
});

export const ConsentStatusEnum = graphqlEnum('ConsentStatus', CONSENT_STATUSES, {
  description: 'Whether a person may be written to on a channel (opted in unless they, or someone for them, opted out).',
});

export const ConsentSourceEnum = graphqlEnum('ConsentSource', CONSENT_SOURCES, {
  description: 'How a consent changed.',
  values: {
    keyword: 'The person texted STOP (or START).',
    link: 'The person used the unsubscribe link in a message.',
    api: 'Set through the API or the console.',
    provider_error: 'The carrier reported that the person blocked texts (they texted STOP).',
    complaint: 'The person marked an email as spam (their mail provider’s complaint).',
  },
});

export const SmsSenderEnum = graphqlEnum('SmsSender', SMS_SENDERS, {
  description: 'Which Twilio account texts go through.',
  values: { tenant: 'The firm’s own.', platform: 'The platform’s default.', log: 'None: texts go to the log driver (simulated).' },
});

export const EmailSenderEnum = graphqlEnum('EmailSender', EMAIL_SENDERS, {
  description: 'How email goes out.',
  values: { smtp: 'Through the SMTP server.', log: 'To the log driver (simulated): no SMTP server is configured.' },
});

// Follow-ups ---------------------------------------------------------------------------------------

const capitalised = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export const RuleEnum = graphqlEnum('Rule', FOLLOW_UP_RULES, {
  description: 'A follow-up’s rule: one of the playbook’s, or one_off for a message a recruiter wrote.',
  values: {
    ...Object.fromEntries(RULES.map((r) => [r.key, `${capitalised(r.summary)}.`])),
    [ONE_OFF]: 'Not a playbook rule: a message a recruiter wrote (sendMessage), an interview’s calendar invite, or a task Touchpoint made (such as fixing a bounced email address).',
  },
});

export const FollowUpStatusEnum = graphqlEnum('FollowUpStatus', FOLLOW_UP_STATUSES, {
  description: 'Where a follow-up stands: planned and awaiting_approval are pending (they can still go out, or be changed); the others are settled.',
  values: {
    planned: 'Due to go out (or to become a task) at dueAt.',
    awaiting_approval: 'Waiting for a recruiter to approve it.',
    sending: 'Being sent now.',
    sent: 'Handed to the provider (see its message).',
    failed: 'The send failed (reason, errorCode).',
    unknown: 'The send started but its outcome is not known: it may have gone out.',
    cancelled: 'No longer called for, or cancelled by a recruiter (reason).',
    skipped: 'It could not go out: nobody reachable, or no text (reason).',
  },
});

export const FollowUpKindEnum = graphqlEnum('FollowUpKind', FOLLOW_UP_KINDS, {
  description: 'What a follow-up is.',
  values: { message: 'A message to a person.', task: 'A task for the recruiter: no one to send to, or a call to make.' },
});

export const FollowUpChannelEnum = graphqlEnum('FollowUpChannel', FOLLOW_UP_CHANNELS, {
  description: 'The channel a follow-up goes on, chosen at send time.',
  values: { phone: 'A call to make (the person last called): a task for the recruiter.' },
});

export const RecipientTypeEnum = graphqlEnum('RecipientType', RECIPIENT_TYPES, {
  description: 'Whom a follow-up is for: a person, or the recruiter (a task).',
});

export const AudienceEnum = graphqlEnum('Audience', AUDIENCES, {
  description: 'Whom a template speaks to: interviewers, referrers, references and employer contacts are all contact.',
});

export const PreviewOutcomeEnum = graphqlEnum('PreviewOutcome', PREVIEW_OUTCOMES, {
  description: 'What a pending follow-up would do if it went out now.',
  values: {
    send: 'It would go out.',
    skip: 'Nobody reachable, or no text.',
    cancel: 'The data no longer calls for it.',
    task: 'It becomes a call task.',
    fail: 'Its text cannot be rendered.',
  },
});

export const TemplateVariableEnum = graphqlEnum('TemplateVariable', TEMPLATE_VARIABLES, {
  description: 'A variable a template may use, as {{name}}. Tenants cannot add their own.',
  values: TEMPLATE_VARIABLE_DESCRIPTIONS,
});

export const AgendaOwnerEnum = graphqlEnum('AgendaOwner', AGENDA_OWNERS, {
  description: 'Whose agenda: omitted, the whole firm’s.',
  values: { me: 'The caller’s own candidates (users only, not API keys).' },
});

// Activities ---------------------------------------------------------------------------------------

export const ActivityKindEnum = graphqlEnum('ActivityKind', ACTIVITY_KINDS, {
  description: 'A touchpoint a recruiter logged by hand.',
});

export const ActivityChannelEnum = graphqlEnum('ActivityChannel', ACTIVITY_CHANNELS, {
  description: 'How a logged activity happened. Default: phone for a call, in_person for a meeting, other for a note.',
});

// Users, keys and the firm -----------------------------------------------------------------------

export const UserRoleEnum = graphqlEnum('UserRole', USER_ROLES, {
  description: 'What a user may do: an admin everything; a recruiter all but managing users and API keys, changing settings and webhooks, and reading the audit log.',
});

export const UserStatusEnum = graphqlEnum('UserStatus', USER_STATUSES, {
  description: 'A user is invited until they accept the invite.',
});

export const TenantStatusEnum = graphqlEnum('TenantStatus', TENANT_STATUSES, {
  description: 'Whether the firm’s account is active or suspended.',
});

export const PrincipalKindEnum = graphqlEnum('PrincipalKind', PRINCIPAL_KINDS, {
  description: 'Who is calling: a signed-in user, or an API key.',
});

export const ActorKindEnum = graphqlEnum('ActorKind', ACTOR_KINDS, {
  description: 'Who made a change: a user, an API key, or the system itself (the dispatcher, a webhook, a reaction to an event).',
});

export const ScopePresetEnum = graphqlEnum('ScopePreset', SCOPE_PRESET_NAMES, {
  description: 'A named set of scopes for an API key.',
  values: Object.fromEntries(SCOPE_PRESET_NAMES.map((p) => [p, `Scopes: ${SCOPE_PRESETS[p].join(', ')}.`])),
});

// Operations -------------------------------------------------------------------------------------

export const AuditActionEnum = graphqlEnum('AuditAction', AUDIT_ACTIONS, {
  description: 'What a change did to its row.',
});

export const ReactionStateEnum = graphqlEnum('ReactionState', REACTION_STATES, {
  description: 'Which reactions to list.',
  values: {
    open: 'Failing and dead ones.',
    failing: 'Failed, retried with backoff.',
    dead: 'Given up after many attempts, waiting for an admin.',
    done: 'Failed once, then succeeded (kept 7 days).',
  },
});

export const ReactionStatusEnum = graphqlEnum('ReactionStatus', REACTION_STATUSES, {
  description: 'Where a reaction stands.',
  values: { pending: 'Failing: retried with backoff (nextAttemptAt).', done: 'It ran.', dead: 'Given up after many attempts, waiting for an admin.' },
});

export const WebhookSubscriptionStatusEnum = graphqlEnum('WebhookSubscriptionStatus', SUBSCRIPTION_STATUSES, {
  description: 'Whether a webhook subscription gets deliveries. A subscription is set active or paused; failing is set by Touchpoint.',
  values: {
    active: 'Deliveries go out (setting it clears failing).',
    paused: 'Deliveries are held.',
    failing: 'A delivery exhausted its retries (about 24 h).',
  },
});

export const WebhookDeliveryStatusEnum = graphqlEnum('WebhookDeliveryStatus', DELIVERY_STATUSES, {
  description: 'Where one webhook delivery stands.',
  values: { dead: 'It exhausted its retries (about 24 h); redeliverWebhook sends it again.' },
});
