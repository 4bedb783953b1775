import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { CursorPage, keysetPage } from '../common/keyset';
import { pageLimit } from '../common/pagination';
import { CandidatesService } from '../candidates/candidates.service';
import { ContactsService } from '../contacts/contacts.service';
import { TenantDb } from '../database/tenant-db.service';
import { isUuid } from '../database/tenant-id';
import type { TenantId } from '../database/tenant-id';
import { EngagementService } from '../messaging/engagement.service';
import type { PersonRef } from '../messaging/outbound.types';
import { ActivityEntity } from './activity.entity';
import type { ActivityChannel, ActivityKind } from './activity.entity';
import type { ActivityFilter, LogActivityDto } from './dto/activity.dto';

export type ActivityActor = { kind: 'user' | 'api_key'; id: string };

const DEFAULT_CHANNEL: Record<ActivityKind, ActivityChannel> = { call: 'phone', meeting: 'in_person', note: 'other' };

/**
 * Activities: what a recruiter logs by hand because the system could not see it.
 *
 * Logging one (one transaction): the activity row, the person's engagement (an inbound phone call
 * becomes their last inbound channel, `phone`; any activity counts as contact), and the event
 * `activity.logged`, which the follow-up rules handle after COMMIT: an inbound activity is a reply
 * (nudges stop, the check-in clock restarts), an outbound call completes the person's open call tasks.
 */
@Injectable()
export class ActivitiesService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly candidates: CandidatesService,
    private readonly contacts: ContactsService,
    private readonly engagement: EngagementService,
  ) {}

  async log(tenantId: TenantId, input: LogActivityDto, actor: ActivityActor): Promise<ActivityEntity> {
    const now = this.clock.now();
    const person = personOf(input);
    const record = await this.personRecord(tenantId, person);
    const channel = input.channel ?? DEFAULT_CHANNEL[input.kind];
    const summary = input.summary ?? null;
    const occurredAt = input.occurredAt ?? now;
    if (occurredAt.getTime() > now.getTime()) {
      throw AppException.validation([{ field: 'occurredAt', message: 'may not be in the future' }]);
    }
    if (channel === 'phone' && input.kind === 'call' && !record.phone && !summary) {
      throw AppException.validation([{ field: 'summary', message: 'is required for a phone call with a person who has no phone number' }]);
    }
    return this.db.tx(tenantId, async (tx) => {
      const activity = await tx.repo(ActivityEntity).insert({
        candidateId: person.type === 'candidate' ? person.id : null,
        contactId: person.type === 'contact' ? person.id : null,
        userId: actor.kind === 'user' ? actor.id : null,
        apiKeyId: actor.kind === 'api_key' ? actor.id : null,
        direction: input.direction,
        channel,
        kind: input.kind,
        summary,
        occurredAt,
        createdAt: now,
        updatedAt: now,
      });
      await this.engagement.recordActivityIn(tx, person, { direction: input.direction, channel, at: occurredAt });
      tx.emit(
        'activity.logged',
        { activityId: activity.id, person, kind: activity.kind, direction: activity.direction, channel, occurredAt: occurredAt.toISOString() },
        actor,
      );
      return activity;
    });
  }

  /**
   * One page, newest first.
   *   SELECT a.* FROM activities a WHERE a.tenant_id = $1 [AND a.candidate_id = $2] [AND a.contact_id = $3]
   *     [AND a.kind = $4] [AND a.direction = $5] [AND (a.created_at, a.id) < ($k, $id)]
   *   ORDER BY a.created_at DESC, a.id DESC LIMIT $limit + 1          -- activities_list_idx
   */
  list(tenantId: TenantId, filter: ActivityFilter, page: { limit?: number; cursor?: string }): Promise<CursorPage<ActivityEntity>> {
    return this.db.tx(tenantId, (tx) => {
      const qb = tx.manager.createQueryBuilder(ActivityEntity, 'a').where('a.tenant_id = :tenantId', { tenantId: tx.tenantId });
      if (filter.candidateId) qb.andWhere('a.candidate_id = :candidateId', { candidateId: filter.candidateId });
      if (filter.contactId) qb.andWhere('a.contact_id = :contactId', { contactId: filter.contactId });
      if (filter.kind) qb.andWhere('a.kind = :kind', { kind: filter.kind });
      if (filter.direction) qb.andWhere('a.direction = :direction', { direction: filter.direction });
      return keysetPage(qb, 'a', { sort: 'created_at', direction: 'DESC', limit: pageLimit(page.limit), cursor: page.cursor });
    });
  }

  async get(tenantId: TenantId, id: string): Promise<ActivityEntity> {
    if (!isUuid(id)) throw AppException.notFound('Activity');
    const a = await this.db.tx(tenantId, (tx) => tx.repo(ActivityEntity).findOne({ id }));
    if (!a) throw AppException.notFound('Activity');
    return a;
  }

  /** A candidate's activities, oldest first (the timeline). Index: activities_candidate_idx. */
  forCandidate(tenantId: TenantId, candidateId: string): Promise<ActivityEntity[]> {
    return this.db.tx(tenantId, (tx) => tx.repo(ActivityEntity).find({ candidateId }, { occurredAt: 'ASC', id: 'ASC' }, 1000));
  }

  /** A contact's activities, oldest first (the contact's timeline). */
  forContact(tenantId: TenantId, contactId: string): Promise<ActivityEntity[]> {
    return this.db.tx(tenantId, (tx) => tx.repo(ActivityEntity).find({ contactId }, { occurredAt: 'ASC', id: 'ASC' }, 1000));
  }

  /** The person must be a live candidate or contact of this tenant: else 400 naming the field. */
  private async personRecord(tenantId: TenantId, person: PersonRef): Promise<{ phone: string | null }> {
    try {
      return person.type === 'candidate' ? await this.candidates.get(tenantId, person.id) : await this.contacts.get(tenantId, person.id);
    } catch (err) {
      if (err instanceof AppException && err.code === ErrorCode.NotFound) {
        throw AppException.validation([{ field: `${person.type}Id`, message: `is not a ${person.type} of this firm` }]);
      }
      throw err;
    }
  }
}

function personOf(input: LogActivityDto): PersonRef {
  if (input.candidateId && input.contactId) {
    throw AppException.validation([{ field: 'contactId', message: 'give either candidateId or contactId, not both' }]);
  }
  if (input.candidateId) return { type: 'candidate', id: input.candidateId };
  if (input.contactId) return { type: 'contact', id: input.contactId };
  throw AppException.validation([{ field: 'candidateId', message: 'candidateId or contactId is required' }]);
}
