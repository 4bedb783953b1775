import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { CursorPage, keysetPage } from '../common/keyset';
import { pageLimit } from '../common/pagination';
import { TenantDb } from '../database/tenant-db.service';
import { isUuid, TenantId } from '../database/tenant-id';
import type { MessageFilter } from './dto/message.dto';
import { MessageEntity } from './entities/message.entity';
import { personColumn } from './domain/person';
import type { PersonRef } from './outbound.types';
import { ownedBySql } from '../people/people-directory';

const OPEN_REPLIES_LIMIT = 500;

/** Reads of the message record: the list, one message, a person's timeline. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
  ) {}

  /**
   * One page, newest first.
   *   SELECT m.* FROM messages m
   *   WHERE m.tenant_id = $1 [AND m.candidate_id = $2] [AND m.contact_id = $3] [AND m.channel = $4]
   *     [AND m.direction = $5] [AND m.status = $6] [AND (m.created_at, m.id) < ($k, $id)]
   *   ORDER BY m.created_at DESC, m.id DESC LIMIT $limit + 1
   * Index: messages_list_idx, or messages_candidate_idx / messages_contact_idx with a person.
   */
  list(tenantId: TenantId, filter: MessageFilter, page: { limit?: number; cursor?: string }): Promise<CursorPage<MessageEntity>> {
    return this.db.tx(tenantId, (tx) => {
      const qb = tx.manager.createQueryBuilder(MessageEntity, 'm').where('m.tenant_id = :tenantId', { tenantId: tx.tenantId });
      if (filter.candidateId) qb.andWhere('m.candidate_id = :candidateId', { candidateId: filter.candidateId });
      if (filter.contactId) qb.andWhere('m.contact_id = :contactId', { contactId: filter.contactId });
      if (filter.channel) qb.andWhere('m.channel = :channel', { channel: filter.channel });
      if (filter.direction) qb.andWhere('m.direction = :direction', { direction: filter.direction });
      if (filter.status) qb.andWhere('m.status = :status', { status: filter.status });
      return keysetPage(qb, 'm', { sort: 'created_at', direction: 'DESC', limit: pageLimit(page.limit), cursor: page.cursor });
    });
  }

  async get(tenantId: TenantId, id: string): Promise<MessageEntity> {
    if (!isUuid(id)) throw AppException.notFound('Message');
    const message = await this.db.tx(tenantId, (tx) => tx.repo(MessageEntity).findOne({ id }));
    if (!message) throw AppException.notFound('Message');
    return message;
  }

  /**
   * The latest message written for a follow-up (each send attempt writes one), or null. A row
   * still `sending` after its dispatcher died means the driver may have been called: the outcome
   * is unknown and must not be resent blindly. Index: messages_follow_up_idx.
   */
  async latestForFollowUp(tenantId: TenantId, followUpId: string): Promise<MessageEntity | null> {
    if (!isUuid(followUpId)) return null;
    const rows = await this.db.tx(tenantId, (tx) => tx.repo(MessageEntity).find({ followUpId }, { createdAt: 'DESC', id: 'DESC' }, 1));
    return rows[0] ?? null;
  }

  /**
   * A person's messages in and out, newest first: what the candidate and contact timelines show
   * (with each message's delivery status).
   */
  listForPerson(tenantId: TenantId, person: PersonRef, page: { limit?: number; cursor?: string } = {}): Promise<CursorPage<MessageEntity>> {
    return this.list(tenantId, person.type === 'candidate' ? { candidateId: person.id } : { contactId: person.id }, page);
  }

  /**
   * "Replies to answer": inbound messages still open, oldest first. With an owner, only replies
   * from that recruiter's candidates, and from contacts that recruiter's follow-ups went to.
   *   SELECT m.* FROM messages m
   *   WHERE m.tenant_id = $1 AND m.reply_state = 'open'                 -- messages_open_replies_idx
   *     [AND the person is owned by $2 (people/people-directory.ts ownedBySql)]
   *   ORDER BY m.created_at, m.id LIMIT 500
   */
  openReplies(tenantId: TenantId, ownerUserId?: string): Promise<MessageEntity[]> {
    return this.db.tx(tenantId, (tx) => {
      const qb = tx.manager
        .createQueryBuilder(MessageEntity, 'm')
        .where('m.tenant_id = :tenantId', { tenantId: tx.tenantId })
        .andWhere(`m.reply_state = 'open'`);
      if (ownerUserId) {
        qb.andWhere(ownedBySql({ tenant: 'm.tenant_id', candidateId: 'm.candidate_id', contactId: 'm.contact_id' }, ':owner'),
          { owner: ownerUserId },
        );
      }
      return qb.orderBy('m.created_at', 'ASC').addOrderBy('m.id', 'ASC').limit(OPEN_REPLIES_LIMIT).getMany();
    });
  }

  /** A recruiter dealt with a reply outside Touchpoint: open → handled (already answered or handled: unchanged). */
  async markHandled(tenantId: TenantId, id: string): Promise<MessageEntity> {
    return this.db.tx(tenantId, async (tx) => {
      if (!isUuid(id)) throw AppException.notFound('Message');
      const m = await tx.repo(MessageEntity).findOne({ id });
      if (!m) throw AppException.notFound('Message');
      if (m.direction !== 'in') throw new AppException(ErrorCode.Conflict, 'Only an inbound message can be marked handled', { errors: [{ field: 'id', message: 'is an outbound message' }] });
      if (m.replyState !== 'open') return m;
      const now = this.clock.now();
      await tx.repo(MessageEntity).update({ id, replyState: 'open' }, { replyState: 'handled', updatedAt: now });
      tx.emit('message.reply_state_changed', { messageId: id, replyState: 'handled' });
      return { ...m, replyState: 'handled', updatedAt: now };
    });
  }

  /** The recruiter's answer to a person went out: their replies received until then are answered. */
  async markAnswered(tenantId: TenantId, person: PersonRef, upTo: Date): Promise<number> {
    return this.db.tx(tenantId, async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `WITH answered AS (
           UPDATE messages SET reply_state = 'answered', updated_at = $3
           WHERE tenant_id = $1 AND ${personColumn(person)} = $2 AND reply_state = 'open' AND created_at <= $3
           RETURNING id)
         SELECT id FROM answered`,
        [tx.tenantId, person.id, upTo],
      );
      for (const r of rows) tx.emit('message.reply_state_changed', { messageId: r.id, replyState: 'answered' });
      return rows.length;
    });
  }
}
