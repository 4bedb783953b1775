import { Injectable } from '@nestjs/common';
import { AppException } from '../common/app.exception';
import { pageLimit } from '../common/pagination';
import type { TenantId } from '../database/tenant-id';
import { FollowUpsService } from '../follow-ups/follow-ups.service';
import type { FollowUpEntity } from '../follow-ups/follow-up.entity';
import type { FollowUpWithPreview } from '../follow-ups/follow-ups.service';
import { SendOneOffUseCase } from '../follow-ups/one-off/send-one-off.usecase';
import { ConsentService } from '../messaging/consent/consent.service';
import { ConversationsQuery } from '../messaging/conversations.query';
import type { ConversationPerson, ConversationRow, ThreadMessage } from '../messaging/conversations.query';
import type { ConsentState } from '../messaging/consent/consent.service';
import type { PersonRef } from '../messaging/outbound.types';

export interface Conversation {
  person: ConversationPerson;
  messages: ThreadMessage[];
  earlierMessages: boolean;
  openReplies: number;
  reply: { channel: 'email' | 'sms' | null; to: string | null; blockedReason: string | null };
  consent: { email: ConsentState; sms: ConsentState };
  /** With their previews (channel, recipient, rendered text, local due time). */
  upcoming: FollowUpWithPreview[];
}

const UPCOMING_STATUSES = ['planned', 'awaiting_approval'] as const;

/**
 * The inbox: one conversation per person, SMS and email in one thread with the automated
 * follow-ups inline, and what a reply would do right now (the one-off message's own channel
 * choice, so the page says exactly what POST /v1/messages will do).
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly query: ConversationsQuery,
    private readonly consent: ConsentService,
    private readonly oneOff: SendOneOffUseCase,
    private readonly followUps: FollowUpsService,
  ) {}

  list(tenantId: TenantId, page: { limit?: number; cursor?: string }): Promise<{ items: ConversationRow[]; cursors: string[]; nextCursor: string | null }> {
    return this.query.page(tenantId, { limit: pageLimit(page.limit), ...(page.cursor ? { cursor: page.cursor } : {}) });
  }

  async get(tenantId: TenantId, ref: PersonRef): Promise<Conversation> {
    const person = await this.query.person(tenantId, ref);
    if (!person) throw AppException.notFound(ref.type === 'candidate' ? 'Candidate' : 'Contact');
    const [thread, consent, reply] = [await this.query.thread(tenantId, ref), await this.consent.get(tenantId, ref), await this.oneOff.replyChannel(tenantId, ref)];
    const upcoming: FollowUpEntity[] = [];
    for (const status of UPCOMING_STATUSES) {
      const page = await this.followUps.list(tenantId, { status, limit: 100, ...(ref.type === 'candidate' ? { candidateId: ref.id } : { contactId: ref.id }) });
      upcoming.push(...page.items.filter((f) => f.kind === 'message' && (ref.type === 'candidate' ? f.recipientCandidateId : f.recipientContactId) === ref.id));
    }
    upcoming.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    return {
      person,
      messages: thread.messages,
      earlierMessages: thread.earlier,
      openReplies: thread.messages.filter((m) => m.replyState === 'open').length,
      reply: reply.channel ? { channel: reply.channel, to: reply.to, blockedReason: null } : { channel: null, to: null, blockedReason: reply.reason },
      consent: { email: consent.email, sms: consent.sms },
      upcoming: await this.followUps.withPreviews(tenantId, upcoming),
    };
  }
}
