import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { DomainEventBus } from '../../events/domain-event-bus';
import { MessagesService } from '../../messaging/messages.service';
import { isInviteNotice } from '../compose/invite';
import { FollowUpEntity } from '../follow-up.entity';

/**
 * A one-off message that went out answers the person: their open replies received until then
 * become `answered` and leave the agenda's "replies to answer". A reaction to follow_up.sent of
 * a one-off message: it commits with the send's record.
 */
@Injectable()
export class OneOffAnswers implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly messages: MessagesService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.bus.react(
      'follow_up.sent',
      'one-off.answers',
      async (e, tx) => {
        const f = await tx.repo(FollowUpEntity).findOne({ id: e.payload.followUpId });
        const person = f?.recipientCandidateId
          ? { type: 'candidate' as const, id: f.recipientCandidateId }
          : f?.recipientContactId
            ? { type: 'contact' as const, id: f.recipientContactId }
            : null;
        // An interview's calendar notice (compose/invite.ts) is not an answer to anything.
        if (person && f && !isInviteNotice(f)) await this.messages.markAnswered(e.tenantId, person, f?.sentAt ?? this.clock.now());
      },
      { when: (e) => e.payload.rule === 'one_off' },
    );
  }
}
