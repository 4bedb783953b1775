import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppException, ErrorCode } from '../../common/app.exception';
import { Clock } from '../../common/clock';
import { CandidatesService } from '../../candidates/candidates.service';
import { ContactsService } from '../../contacts/contacts.service';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import { emailBouncedReason, EMPTY_PERSON_STATE, OUTBOUND_MESSENGER } from '../../messaging/outbound.types';
import type { OutboundMessenger, PersonRef } from '../../messaging/outbound.types';
import { personKey } from '../../people/person-ref';
import { TenancyService } from '../../tenancy/tenancy.service';
import { chooseChannel } from '../domain/channel';
import type { Channel } from '../../messaging/domain/channel';
import type { ChannelChoice } from '../domain/channel';
import { isWithinWindow, nextWindowOpening, resolveZone } from '../domain/windows';
import { FollowUpPlanner } from '../planning/follow-up.planner';
import { readFollowUpSettings } from '../tenant-settings';
import type { SendMessageDto } from './one-off.dto';

export const SMS_MAX_LENGTH = 1600;

export interface OneOffPlanned {
  followUpId: string;
  status: 'planned';
  channel: 'email' | 'sms';
  goesOutAt: Date;
}

/**
 * "Send a one-off message": the recruiter's own text, through the same path as a follow-up.
 * It is planned as a follow_ups row of rule 'one_off' carrying its text, due now (or when the
 * channel's sending window opens), and the dispatcher sends it: consent, window, SMS rate and cap
 * are checked again at send time. What can be known now is refused now, with the reason and
 * nothing written: an unknown person, nobody reachable, a named channel that is blocked.
 */
@Injectable()
export class SendOneOffUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly tenancy: TenancyService,
    private readonly candidates: CandidatesService,
    private readonly contacts: ContactsService,
    private readonly planner: FollowUpPlanner,
    @Inject(OUTBOUND_MESSENGER) private readonly messenger: OutboundMessenger,
  ) {}

  async execute(tenantId: TenantId, input: SendMessageDto, actor: { kind: 'user' | 'api_key'; id: string }): Promise<OneOffPlanned> {
    const ref = personOf(input);
    const person = await this.load(tenantId, ref);
    const choice = await this.choose(tenantId, ref, person, input.channel);
    if (choice.kind !== 'send') {
      const reason = choice.kind === 'none' ? choice.reason : 'no channel';
      throw new AppException(ErrorCode.Unprocessable, `The message cannot be sent: ${reason}`, {
        errors: [{ field: input.channel ? 'channel' : `${ref.type}Id`, message: reason }],
      });
    }
    const channel = choice.channel;
    if (channel === 'sms' && input.text.length > SMS_MAX_LENGTH) {
      throw AppException.validation([{ field: 'text', message: `must be at most ${SMS_MAX_LENGTH} characters for an SMS` }]);
    }
    const tenant = await this.tenancy.get(tenantId);
    const settings = readFollowUpSettings(tenant.settings);
    const now = this.clock.now();
    const zone = resolveZone(person.timeZone, tenant.timeZone);
    const dueAt = isWithinWindow(now, channel, zone, settings.windows) ? now : nextWindowOpening(now, channel, zone, settings.windows);
    const ownerUserId = actor.kind === 'user' ? actor.id : person.ownerUserId;
    const id = await this.db.tx(tenantId, async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, recipient_type, recipient_candidate_id,
                                 recipient_contact_id, owner_user_id, occurrence, due_at, requires_approval, subject, body,
                                 requested_channel, created_at, updated_at)
         VALUES ($1, 'one_off', 'message', $2, 'planned', $3, $4, $5, $6, $7, $8, $9, false, $10, $11, $12, $13, $13)
         RETURNING id`,
        [
          tx.tenantId,
          `${tx.tenantId}:one_off:${ref.type}:${ref.id}:${randomUUID()}`,
          ref.type === 'candidate' ? ref.id : null,
          ref.type,
          ref.type === 'candidate' ? ref.id : null,
          ref.type === 'contact' ? ref.id : null,
          ownerUserId,
          now.toISOString(),
          dueAt,
          channel === 'email' ? (input.subject ?? null) : null,
          input.text,
          input.channel ?? null,
          now,
        ],
      );
      const followUpId = rows[0]!.id;
      tx.emit('follow_up.planned', { followUpId, rule: 'one_off', person: ref }, actor);
      if (dueAt.getTime() <= now.getTime()) tx.afterCommit(() => this.planner.notifyDue(dueAt));
      return followUpId;
    });
    return { followUpId: id, status: 'planned', channel, goesOutAt: dueAt };
  }

  /**
   * The channel a one-off message to this person would go out on now (no channel named), or why
   * none can: what a reply box shows before anything is written. A live person of the firm, else 400.
   */
  async replyChannel(tenantId: TenantId, ref: PersonRef): Promise<{ channel: Channel; to: string } | { channel: null; reason: string }> {
    const choice = await this.choose(tenantId, ref, await this.load(tenantId, ref), undefined);
    if (choice.kind === 'send') return { channel: choice.channel, to: choice.to };
    return { channel: null, reason: choice.kind === 'none' ? choice.reason : 'no channel' };
  }

  private async choose(
    tenantId: TenantId,
    ref: PersonRef,
    person: { preferredChannel: Channel | null; email: string | null; phone: string | null },
    requested: Channel | undefined,
  ): Promise<ChannelChoice> {
    const outbound = await this.messenger.context(tenantId, [ref]);
    const state = outbound.people.get(personKey(ref)) ?? EMPTY_PERSON_STATE;
    return chooseChannel({
      // A logged call is not a channel we can answer on; the recruiter chose to write.
      lastInboundChannel: state.lastInboundChannel === 'phone' ? null : state.lastInboundChannel,
      preferredChannel: person.preferredChannel,
      email: person.email,
      phone: person.phone,
      optedOut: state.optedOut,
      smsConfigured: outbound.smsConfigured,
      smsUnavailableReason: outbound.smsUnavailableReason,
      smsCountries: outbound.smsCountries,
      emailBounced: emailBouncedReason(state, person.email),
      ...(requested ? { requested } : {}),
    });
  }

  private async load(tenantId: TenantId, ref: PersonRef) {
    try {
      return ref.type === 'candidate'
        ? { ...(await this.candidates.get(tenantId, ref.id)) }
        : { ...(await this.contacts.get(tenantId, ref.id)), ownerUserId: null };
    } catch (err) {
      if (err instanceof AppException && err.code === ErrorCode.NotFound) {
        throw AppException.validation([{ field: `${ref.type}Id`, message: `is not a ${ref.type} of this firm` }]);
      }
      throw err;
    }
  }
}

function personOf(input: SendMessageDto): PersonRef {
  if (input.candidateId && input.contactId) {
    throw AppException.validation([{ field: 'contactId', message: 'give either candidateId or contactId, not both' }]);
  }
  if (input.candidateId) return { type: 'candidate', id: input.candidateId };
  if (input.contactId) return { type: 'contact', id: input.contactId };
  throw AppException.validation([{ field: 'candidateId', message: 'candidateId or contactId is required' }]);
}
