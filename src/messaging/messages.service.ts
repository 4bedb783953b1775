import { Injectable } from '@nestjs/common';
import { AppException } from '../common/app.exception';
import { CursorPage, keysetPage } from '../common/keyset';
import { pageLimit } from '../common/pagination';
import { TenantDb } from '../database/tenant-db.service';
import { isUuid, TenantId } from '../database/tenant-id';
import type { MessageFilter } from './dto/message.dto';
import { MessageEntity } from './entities/message.entity';
import type { PersonRef } from './outbound.types';

/** Reads of the message record: the list, one message, a person's timeline. */
@Injectable()
export class MessagesService {
  constructor(private readonly db: TenantDb) {}

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
}
