import { graphql } from './graphql';

/** Every GraphQL operation the console runs, checked against schema.gql at compile time. */

export const MeQuery = graphql(`
  query Me { me { kind scopes user { id name email role } tenant { id name timeZone webhookKey } } }
`);

export const FollowUpFields = graphql(`
  fragment FollowUpFields on FollowUp {
    id rule kind status channel dueAt reason errorCode requiresApproval
    recipientType recipientId candidateId leadId interviewId subject body sentAt nudgeNumber
    preview {
      outcome channel channelReason skipReason address subject body dueAt requiresApproval edited
      recipient { type id name email phone }
      dueLocal { recipient { zone text } recruiter { zone text } }
    }
  }
`);

export const EditFollowUp = graphql(`
  mutation EditFollowUp($id: ID!, $input: EditFollowUpInput!) { editFollowUp(id: $id, input: $input) { id status } }
`);

export const PreviewTemplate = graphql(`
  query PreviewTemplate($input: PreviewTemplateInput!) { previewTemplate(input: $input) { subject body sampled segments } }
`);

export const AgendaQuery = graphql(
  `
  query Agenda($date: String, $owner: AgendaOwner) {
    agenda(date: $date, owner: $owner) {
      date timeZone
      goingOut { ...FollowUpFields }
      awaitingApproval { ...FollowUpFields }
      needsAttention { ...FollowUpFields }
      tasks { ...FollowUpFields }
      goneQuiet { ...FollowUpFields }
      repliesToAnswer { id channel body createdAt person { type id } }
    }
  }
`,
  [FollowUpFields],
);

export const ApproveFollowUp = graphql(`mutation Approve($id: ID!) { approveFollowUp(id: $id) { id status } }`);
export const CancelFollowUp = graphql(`mutation Cancel($id: ID!, $input: CancelFollowUpInput) { cancelFollowUp(id: $id, input: $input) { id status } }`);
export const SnoozeFollowUp = graphql(`mutation Snooze($id: ID!, $input: SnoozeFollowUpInput!) { snoozeFollowUp(id: $id, input: $input) { id status dueAt } }`);
export const SendFollowUpNow = graphql(`mutation SendNow($id: ID!) { sendFollowUpNow(id: $id) { id status dueAt } }`);

export const PersonNameQuery = graphql(`
  query PersonName($candidateId: ID!, $isCandidate: Boolean!, $contactId: ID!, $isContact: Boolean!) {
    candidate(id: $candidateId) @include(if: $isCandidate) { id name email phone timeZone }
    contact(id: $contactId) @include(if: $isContact) { id name email phone timeZone company }
  }
`);

export const LeadSummaryQuery = graphql(`
  query LeadSummary($id: ID!) { lead(id: $id) { id company position status candidate { id name } employerContact { id name } } }
`);

export const ConversationsQuery = graphql(`
  query Conversations($first: Int, $after: String) {
    conversations(first: $first, after: $after) {
      nodes {
        person { type id name email phone }
        lastMessageAt openReplies oldestOpenReplyAt
        lastMessage { id direction channel subject body rule }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const ConversationQuery = graphql(
  `
  query Conversation($personType: PersonType!, $personId: ID!) {
    conversation(personType: $personType, personId: $personId) {
      person { type id name email phone timeZone }
      messages { id direction channel status subject body replyState rule automated authorName errorCode errorMessage createdAt }
      earlierMessages openReplies
      reply { channel to blockedReason }
      consent { email { status source changedAt } sms { status source changedAt } }
      upcoming { ...FollowUpFields }
    }
  }
`,
  [FollowUpFields],
);

export const SendMessage = graphql(`
  mutation SendMessage($input: SendMessageInput!) { sendMessage(input: $input) { followUpId channel goesOutAt status } }
`);

export const MarkHandled = graphql(`mutation MarkHandled($id: ID!) { markReplyHandled(id: $id) { id replyState } }`);

export const CandidatesQuery = graphql(`
  query Candidates($q: String, $first: Int, $after: String) {
    candidates(q: $q, first: $first, after: $after) {
      nodes { id name email phone status updatedAt leads { id company position status employerContact { id name } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CreateCandidate = graphql(`
  mutation CreateCandidate($input: CreateCandidateInput!) { createCandidate(input: $input) { id name } }
`);

export const CandidateQuery = graphql(
  `
  query Candidate($id: ID!) {
    candidate(id: $id) {
      id name email phone status timeZone preferredChannel ownerUserId
      leads {
        id company position status source statusChangedAt resumeSentAt allowedTransitions
        employerContact { id name email phone }
        referrer { id name }
        interviews {
          id startsAt endsAt durationMinutes format status location meetingUrl timeZone
          interviewers { id name }
        }
      }
      references { id relationship contact { id name email } providedTo { leadId } }
      timeline { at kind summary from to leadId interviewId messageId }
    }
    followUps(candidateId: $id, first: 100) { nodes { ...FollowUpFields } }
  }
`,
  [FollowUpFields],
);

export const CreateLead = graphql(`mutation CreateLead($input: CreateLeadInput!) { createLead(input: $input) { id status } }`);
export const ChangeLeadStatus = graphql(`
  mutation ChangeLeadStatus($id: ID!, $input: ChangeLeadStatusInput!) { changeLeadStatus(id: $id, input: $input) { id status allowedTransitions } }
`);
export const CreateContact = graphql(`mutation CreateContact($input: CreateContactInput!) { createContact(input: $input) { id name } }`);
export const ContactsQuery = graphql(`
  query Contacts($q: String) { contacts(q: $q, first: 50) { nodes { id name email company roles } } }
`);
export const ScheduleInterview = graphql(`
  mutation ScheduleInterview($input: ScheduleInterviewInput!) { scheduleInterview(input: $input) { id status startsAt } }
`);
export const RescheduleInterview = graphql(`
  mutation RescheduleInterview($id: ID!, $input: RescheduleInterviewInput!) { rescheduleInterview(id: $id, input: $input) { id status startsAt } }
`);
export const CancelInterview = graphql(`
  mutation CancelInterview($id: ID!, $input: InterviewTransitionInput) { cancelInterview(id: $id, input: $input) { id status } }
`);
export const CreateReference = graphql(`
  mutation CreateReference($input: CreateReferenceInput!) { createReference(input: $input) { id } }
`);

export const PolicyQuery = graphql(`query Policy { followUpPolicy }`);
export const UpdatePolicy = graphql(`mutation UpdatePolicy($patch: JSON!) { updateFollowUpPolicy(patch: $patch) }`);

export const UsersQuery = graphql(`query Users { users { id name email role status } }`);
export const InviteUser = graphql(`
  mutation InviteUser($input: InviteUserInput!) { inviteUser(input: $input) { inviteToken inviteExpiresAt user { id name email role status } } }
`);

export const ApiKeysQuery = graphql(`query ApiKeys { apiKeys { id name prefix scopes createdAt lastUsedAt revokedAt } }`);
export const CreateApiKey = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id name prefix scopes } } }
`);
export const RevokeApiKey = graphql(`mutation RevokeApiKey($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`);

export const SenderSettingsQuery = graphql(`
  query SenderSettings {
    senderSettings {
      emailFromAddress emailFromName emailReplyTo emailSender smsSender
      twilioAccountSid twilioAuthTokenSet twilioAuthTokenLast4 twilioFrom twilioMessagingServiceSid
      twilioInboundUrl twilioStatusUrl emailInboundUrl inboundEmailSecretSet
    }
  }
`);
export const UpdateSenderSettings = graphql(`
  mutation UpdateSenderSettings($input: UpdateSenderSettingsInput!) { updateSenderSettings(input: $input) { twilioAccountSid twilioAuthTokenSet twilioFrom smsSender } }
`);

/** The Insights page: reply rate per week (the last 8), and the last 30 days' funnel and outcomes. */
export const InsightsQuery = graphql(`
  query Insights($s0: DateTime!, $s1: DateTime!, $s2: DateTime!, $s3: DateTime!, $s4: DateTime!, $s5: DateTime!, $s6: DateTime!, $s7: DateTime!, $s8: DateTime!, $since: DateTime!, $until: DateTime!) {
    w0: replyAnalytics(filter: { since: $s0, until: $s1 }) { total { sent replied replyRate } byRule { rule sent replied replyRate } }
    w1: replyAnalytics(filter: { since: $s1, until: $s2 }) { total { sent replied replyRate } byRule { rule sent replied replyRate } }
    w2: replyAnalytics(filter: { since: $s2, until: $s3 }) { total { sent replied replyRate } byRule { rule sent replied replyRate } }
    w3: replyAnalytics(filter: { since: $s3, until: $s4 }) { total { sent replied replyRate } byRule { rule sent replied replyRate } }
    w4: replyAnalytics(filter: { since: $s4, until: $s5 }) { total { sent replied replyRate } byRule { rule sent replied replyRate } }
    w5: replyAnalytics(filter: { since: $s5, until: $s6 }) { total { sent replied replyRate } byRule { rule sent replied replyRate } }
    w6: replyAnalytics(filter: { since: $s6, until: $s7 }) { total { sent replied replyRate } byRule { rule sent replied replyRate } }
    w7: replyAnalytics(filter: { since: $s7, until: $s8 }) { total { sent replied replyRate } byRule { rule sent replied replyRate } }
    month: replyAnalytics(filter: { since: $since, until: $until }) { windowDays total { sent replied replyRate medianSecondsToReply p90SecondsToReply } }
    outcomes: outcomeAnalytics(filter: { since: $since, until: $until }) { outcomeDays rules { rule outcome followedUp { hits n rate } baseline { hits n rate } } }
  }
`);
