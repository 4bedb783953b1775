import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { DomainEventBus } from '../../events/domain-event-bus';
import { MessagesService } from '../../messaging/messages.service';
import { FollowUpsService } from '../follow-ups.service';

/**
 * A one-off message that went out answers the person: their open replies received until then
 * become `answered` and leave the agenda's "replies to answer".
 */
@Injectable()
export class OneOffAnswers implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly followUps: FollowUpsService,
    private readonly messages: MessagesService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe('follow_up.sent', async (e) => {
      if (e.payload.rule !== 'one_off' || typeof e.payload.followUpId !== 'string') return;
      const f = await this.followUps.get(e.tenantId, e.payload.followUpId);
      const person = f.recipientCandidateId
        ? { type: 'candidate' as const, id: f.recipientCandidateId }
        : f.recipientContactId
          ? { type: 'contact' as const, id: f.recipientContactId }
          : null;
      if (person) await this.messages.markAnswered(e.tenantId, person, f.sentAt ?? this.clock.now());
    });
  }
}
