import { FollowUpView } from '../follow-ups/dto/follow-up.dto';
import { ConsentStateView } from '../messaging/dto/consent.dto';
import type { Conversation } from './conversations.service';
import { ConversationConsentView, ConversationMessageView, ConversationPersonView, ConversationReplyView, ConversationView } from './dto/conversation.dto';

export function conversationView(c: Conversation): ConversationView {
  return Object.assign(new ConversationView(), {
    person: ConversationPersonView.of(c.person),
    messages: c.messages.map(ConversationMessageView.of),
    earlierMessages: c.earlierMessages,
    openReplies: c.openReplies,
    reply: Object.assign(new ConversationReplyView(), c.reply),
    consent: Object.assign(new ConversationConsentView(), { email: ConsentStateView.of(c.consent.email), sms: ConsentStateView.of(c.consent.sms) }),
    upcoming: c.upcoming.map(({ followUp, preview }) => FollowUpView.of(followUp, preview)),
  });
}
