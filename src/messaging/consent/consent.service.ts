import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/app.exception';
import { Clock } from '../../common/clock';
import { TenantDb, TenantTx } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import type { DomainEvent } from '../../events/domain-event-bus';
import { personColumn, personColumns } from '../domain/person';
import type { Channel } from '../domain/channel';
import { ConsentEntity, ConsentEventEntity, ConsentSource, ConsentStatus } from '../entities/consent.entity';
import type { PersonRef } from '../outbound.types';
import { findLivePerson } from '../../people/people-directory';

export interface ConsentState {
  channel: Channel;
  status: ConsentStatus;
  /** null when nothing was ever recorded (opted in by default). */
  source: ConsentSource | null;
  changedAt: Date | null;
}

export interface PersonConsent {
  person: PersonRef;
  email: ConsentState;
  sms: ConsentState;
  history: ConsentEventEntity[];
}

export interface ConsentChange {
  channel: Channel;
  status: ConsentStatus;
  source: ConsentSource;
  /** The message that caused it (a keyword, a provider error). */
  messageId?: string | null;
  actor?: DomainEvent['actor'];
}

/**
 * Opt-outs the person made themselves, on any channel, and how only they can undo each: texting
 * STOP (or the carrier's 21610, the same STOP seen by the carrier), the unsubscribe link and a spam
 * complaint (reported by the mail provider). Nobody
 * else (a recruiter, an admin, an API key) may opt them back in: 409 naming why.
 */
const PERSON_ONLY_SOURCES: Readonly<Partial<Record<ConsentSource, (channel: Channel) => string>>> = {
  keyword: () => 'This person opted out of SMS themselves by texting STOP; only they can opt back in by texting START',
  provider_error: () => 'The carrier reports that this person blocked texts from this number (they texted STOP); only they can opt back in by texting START',
  link: (channel) =>
    `This person unsubscribed from ${channel === 'email' ? 'email' : 'text messages'} with the link in a message; only they can opt back in, from that link's page`,
  complaint: () => "This person marked an email as spam (their mail provider's complaint); only they can opt back in, from an unsubscribe link's page",
};

const OWN_OPT_OUT: Partial<Record<ConsentSource, string>> = { link: 'unsubscribe link', complaint: 'spam complaint', keyword: 'STOP', provider_error: 'STOP' };

/** Why only the person can opt back in, when their opt-out is their own; undefined otherwise. */
export function personOnlyOptOut(current: Pick<ConsentEntity, 'status' | 'source' | 'channel'> | null | undefined): string | undefined {
  if (!current || current.status !== 'opted_out') return undefined;
  return PERSON_ONLY_SOURCES[current.source]?.(current.channel);
}

/**
 * The consent registry: per person, per channel, the current state and its history. No row means
 * opted in. Every change writes a consent_events row and emits `consent.changed`
 * { person, channel, status, source } after commit.
 */
@Injectable()
export class ConsentService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
  ) {}

  /** Current state and full history of a live person; 404 when unknown (or another tenant's). */
  get(tenantId: TenantId, person: PersonRef): Promise<PersonConsent> {
    return this.db.tx(tenantId, async (tx) => {
      await this.requirePerson(tx, person);
      return this.read(tx, person);
    });
  }

  /**
   * Sets a consent through the API (source `api`). An opt-out the person made themselves (STOP,
   * the carrier's 21610, the unsubscribe link) cannot be undone by anyone else: 409 saying why.
   */
  set(tenantId: TenantId, person: PersonRef, channel: Channel, status: ConsentStatus, actor: DomainEvent['actor']): Promise<PersonConsent> {
    return this.db.tx(tenantId, async (tx) => {
      await this.requirePerson(tx, person);
      const current = await this.currentRow(tx, person, channel, true);
      const why = status === 'opted_in' ? personOnlyOptOut(current) : undefined;
      if (why) {
        throw new AppException(ErrorCode.Conflict, why, {
          errors: [{ field: 'status', message: `cannot opt in a person who opted out themselves (${OWN_OPT_OUT[current!.source] ?? 'STOP'})` }],
        });
      }
      await this.change(tx, person, { channel, status, source: 'api', actor });
      return this.read(tx, person);
    });
  }

  /** Whether the person is opted out of the channel (read at send time). */
  isOptedOut(tenantId: TenantId, person: PersonRef, channel: Channel): Promise<boolean> {
    return this.db.tx(tenantId, (tx) => this.isOptedOutIn(tx, person, channel));
  }

  /** Both channels at once, for several people: the engine's channel choice. Missing: opted in. */
  optOutsOf(tenantId: TenantId, people: readonly PersonRef[]): Promise<Map<string, Set<Channel>>> {
    return this.db.tx(tenantId, (tx) => this.optOutsIn(tx, people));
  }

  /** The channels each person opted out of, by `personKey`, in one query. */
  async optOutsIn(tx: TenantTx, people: readonly PersonRef[]): Promise<Map<string, Set<Channel>>> {
    const out = new Map<string, Set<Channel>>();
    if (people.length === 0) return out;
    const candidates = people.filter((p) => p.type === 'candidate').map((p) => p.id);
    const contacts = people.filter((p) => p.type === 'contact').map((p) => p.id);
    const rows = await tx.query<{ candidate_id: string | null; contact_id: string | null; channel: Channel }>(
      `SELECT candidate_id, contact_id, channel FROM consents
       WHERE tenant_id = $1 AND status = 'opted_out'
         AND (candidate_id = ANY($2::uuid[]) OR contact_id = ANY($3::uuid[]))`,
      [tx.tenantId, candidates, contacts],
    );
    for (const r of rows) {
      const key = r.candidate_id ? `candidate:${r.candidate_id}` : `contact:${r.contact_id}`;
      const set = out.get(key) ?? new Set<Channel>();
      set.add(r.channel);
      out.set(key, set);
    }
    return out;
  }

  async isOptedOutIn(tx: TenantTx, person: PersonRef, channel: Channel): Promise<boolean> {
    const row = await this.currentRow(tx, person, channel, false);
    return row?.status === 'opted_out';
  }

  async currentRow(tx: TenantTx, person: PersonRef, channel: Channel, forUpdate: boolean): Promise<ConsentEntity | null> {
    const rows = await tx.query<{ status: ConsentStatus; source: ConsentSource; changed_at: Date; id: string }>(
      `SELECT id, status, source, changed_at FROM consents
       WHERE tenant_id = $1 AND ${personColumn(person)} = $2 AND channel = $3${forUpdate ? ' FOR UPDATE' : ''}`,
      [tx.tenantId, person.id, channel],
    );
    const r = rows[0];
    if (!r) return null;
    return Object.assign(new ConsentEntity(), {
      tenantId: tx.tenantId,
      id: r.id,
      ...personColumns(person),
      channel,
      status: r.status,
      source: r.source,
      changedAt: r.changed_at,
    });
  }

  /**
   * Records a change inside the caller's transaction. Returns false (and writes nothing) when the
   * person is already in that state. Concurrent changes of one person serialise on the row lock.
   */
  async change(tx: TenantTx, person: PersonRef, change: ConsentChange): Promise<boolean> {
    const now = this.clock.now();
    const col = personColumn(person);
    // Make sure the row exists (opted in by default), then lock it.
    let current = await this.currentRow(tx, person, change.channel, true);
    if (!current) {
      if (change.status === 'opted_in') return false;
      await tx.query(
        `INSERT INTO consents (tenant_id, ${col}, channel, status, source, changed_at)
         VALUES ($1, $2, $3, 'opted_in', $4, $5)
         ON CONFLICT (tenant_id, ${col}, channel) WHERE ${col} IS NOT NULL DO NOTHING`,
        [tx.tenantId, person.id, change.channel, change.source, now],
      );
      current = await this.currentRow(tx, person, change.channel, true);
    }
    if (!current || current.status === change.status) return false;
    await tx.repo(ConsentEntity).update({ id: current.id }, { status: change.status, source: change.source, changedAt: now });
    await tx.repo(ConsentEventEntity).insert({
      ...personColumns(person),
      channel: change.channel,
      status: change.status,
      source: change.source,
      messageId: change.messageId ?? null,
      actorKind: change.actor?.kind ?? null,
      actorId: change.actor?.id ?? null,
      createdAt: now,
    });
    tx.emit(
      'consent.changed',
      { person, channel: change.channel, status: change.status, source: change.source, messageId: change.messageId ?? null },
      change.actor ?? { kind: 'system' },
    );
    return true;
  }

  private async read(tx: TenantTx, person: PersonRef): Promise<PersonConsent> {
    const state = async (channel: Channel): Promise<ConsentState> => {
      const row = await this.currentRow(tx, person, channel, false);
      return row ? { channel, status: row.status, source: row.source, changedAt: row.changedAt } : { channel, status: 'opted_in', source: null, changedAt: null };
    };
    const where = person.type === 'candidate' ? { candidateId: person.id } : { contactId: person.id };
    const history = await tx.repo(ConsentEventEntity).find(where, { createdAt: 'ASC', id: 'ASC' }, 200);
    return { person, email: await state('email'), sms: await state('sms'), history };
  }

  private async requirePerson(tx: TenantTx, person: PersonRef): Promise<void> {
    if (!(await findLivePerson(tx, person))) throw AppException.notFound(person.type === 'candidate' ? 'Candidate' : 'Contact');
  }
}
