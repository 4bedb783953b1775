import { Injectable } from '@nestjs/common';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import type { TenantId } from '../database/tenant-id';
import { personColumn } from './domain/person';
import type { EngagementChannel } from './entities/person-engagement.entity';
import type { PersonRef } from './outbound.types';

export interface Engagement {
  person: PersonRef;
  /** The channel of the person's most recent inbound touch: channel matching rule 1. */
  lastInboundChannel: EngagementChannel | null;
  lastInboundAt: Date | null;
  lastOutboundAt: Date | null;
  /** The latest message in or out (or logged activity): the check-in clock. */
  lastContactAt: Date | null;
  /** When the first SMS went to this person; null means the next SMS carries the opt-out line. */
  firstSmsAt: Date | null;
}

interface Row {
  candidate_id: string | null;
  contact_id: string | null;
  last_inbound_channel: EngagementChannel | null;
  last_inbound_at: Date | null;
  last_outbound_at: Date | null;
  last_contact_at: Date | null;
  first_sms_at: Date | null;
}

function toEngagement(person: PersonRef, row: Row | undefined): Engagement {
  return {
    person,
    lastInboundChannel: row?.last_inbound_channel ?? null,
    lastInboundAt: row?.last_inbound_at ?? null,
    lastOutboundAt: row?.last_outbound_at ?? null,
    lastContactAt: row?.last_contact_at ?? null,
    firstSmsAt: row?.first_sms_at ?? null,
  };
}

/**
 * person_engagement: one row per person, upserted by every message in or out. Writes take the
 * caller's transaction; the times only move forward (GREATEST), so a late write of an older
 * event never hides a newer one.
 */
@Injectable()
export class EngagementService {
  constructor(private readonly db: TenantDb) {}

  get(tenantId: TenantId, person: PersonRef): Promise<Engagement> {
    return this.db.tx(tenantId, (tx) => this.getIn(tx, person));
  }

  /** Several people at once (the dispatcher's batch): one query. Unknown people get empty engagement. */
  getMany(tenantId: TenantId, people: readonly PersonRef[]): Promise<Map<string, Engagement>> {
    return this.db.tx(tenantId, (tx) => this.getManyIn(tx, people));
  }

  async getManyIn(tx: TenantTx, people: readonly PersonRef[]): Promise<Map<string, Engagement>> {
    const out = new Map<string, Engagement>();
    if (people.length === 0) return out;
    const rows = await tx.query<Row>(
      `SELECT * FROM person_engagement
       WHERE tenant_id = $1 AND (candidate_id = ANY($2::uuid[]) OR contact_id = ANY($3::uuid[]))`,
      [tx.tenantId, people.filter((p) => p.type === 'candidate').map((p) => p.id), people.filter((p) => p.type === 'contact').map((p) => p.id)],
    );
    for (const p of people) {
      const row = rows.find((r) => (p.type === 'candidate' ? r.candidate_id === p.id : r.contact_id === p.id));
      out.set(`${p.type}:${p.id}`, toEngagement(p, row));
    }
    return out;
  }

  /** True when no SMS has gone to this person yet (its body must carry the opt-out line). */
  async isFirstSmsTo(tenantId: TenantId, person: PersonRef): Promise<boolean> {
    return (await this.get(tenantId, person)).firstSmsAt === null;
  }

  async getIn(tx: TenantTx, person: PersonRef): Promise<Engagement> {
    const rows = await tx.query<Row>(`SELECT * FROM person_engagement WHERE tenant_id = $1 AND ${personColumn(person)} = $2`, [tx.tenantId, person.id]);
    return toEngagement(person, rows[0]);
  }

  /**
   * A touchpoint a recruiter logged by hand (activities): it counts as contact for nudges and
   * check-ins. An inbound phone call also becomes the last inbound channel (`phone`: the engine
   * turns the next follow-up into a call task). Other inbound activities (meeting, note) count as
   * contact without changing the last inbound channel.
   */
  recordActivity(
    tenantId: TenantId,
    person: PersonRef,
    activity: { direction: 'in' | 'out'; channel: 'phone' | 'in_person' | 'other'; at: Date },
  ): Promise<void> {
    return this.db.tx(tenantId, (tx) => this.recordActivityIn(tx, person, activity));
  }

  /** recordActivity, in the caller's transaction (the activity row and its effect commit together). */
  recordActivityIn(
    tx: TenantTx,
    person: PersonRef,
    activity: { direction: 'in' | 'out'; channel: 'phone' | 'in_person' | 'other'; at: Date },
  ): Promise<void> {
    {
      if (activity.direction === 'out') {
        return this.upsert(tx, person, activity.at, {
          last_outbound_at: { value: activity.at, when: 'greatest' },
          last_contact_at: { value: activity.at, when: 'greatest' },
        });
      }
      if (activity.channel === 'phone') return this.recordInbound(tx, person, 'phone', activity.at);
      return this.upsert(tx, person, activity.at, { last_contact_at: { value: activity.at, when: 'greatest' } });
    }
  }

  /** An inbound message or logged inbound activity (channel `phone`). */
  recordInbound(tx: TenantTx, person: PersonRef, channel: EngagementChannel, at: Date): Promise<void> {
    return this.upsert(tx, person, at, {
      last_inbound_channel: { value: channel, when: 'newer_inbound' },
      last_inbound_at: { value: at, when: 'greatest' },
      last_contact_at: { value: at, when: 'greatest' },
    });
  }

  /** An outbound message that (may have) reached the person. */
  recordOutbound(tx: TenantTx, person: PersonRef, channel: 'email' | 'sms', at: Date): Promise<void> {
    return this.upsert(tx, person, at, {
      last_outbound_at: { value: at, when: 'greatest' },
      last_contact_at: { value: at, when: 'greatest' },
      ...(channel === 'sms' ? { first_sms_at: { value: at, when: 'if_null' } } : {}),
    });
  }

  private async upsert(
    tx: TenantTx,
    person: PersonRef,
    at: Date,
    fields: Record<string, { value: unknown; when: 'greatest' | 'if_null' | 'newer_inbound' }>,
  ): Promise<void> {
    const col = personColumn(person);
    const names = Object.keys(fields);
    const params: unknown[] = [tx.tenantId, person.id, at];
    const placeholders = names.map((n) => {
      params.push(fields[n]!.value);
      return `$${params.length}`;
    });
    const sets = names.map((n, i) => {
      const p = placeholders[i]!;
      switch (fields[n]!.when) {
        case 'greatest':
          return `${n} = GREATEST(person_engagement.${n}, ${p})`;
        case 'if_null':
          return `${n} = COALESCE(person_engagement.${n}, ${p})`;
        case 'newer_inbound':
          return `${n} = CASE WHEN person_engagement.last_inbound_at IS NULL OR person_engagement.last_inbound_at <= $3 THEN ${p} ELSE person_engagement.${n} END`;
      }
    });
    await tx.query(
      `INSERT INTO person_engagement (tenant_id, ${col}, ${names.join(', ')}, updated_at)
       VALUES ($1, $2, ${placeholders.join(', ')}, $3)
       ON CONFLICT (tenant_id, ${col}) WHERE ${col} IS NOT NULL
       DO UPDATE SET ${sets.join(', ')}, updated_at = GREATEST(person_engagement.updated_at, $3)`,
      params,
    );
  }
}
