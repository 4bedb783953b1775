import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { TenantDb, TenantTx } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import { matchByEmail } from '../../people/people-directory';
import { ConsentService } from '../consent/consent.service';
import { normalizeMessageId } from '../domain/email-headers';
import { parseMailbox } from '../domain/email-address';
import { personColumn, personColumns, personOf } from '../domain/person';
import type { PersonRef } from '../outbound.types';
import { SOFT_BOUNCE_LIMIT, SOFT_BOUNCE_WINDOW_HOURS } from './delivery-event';
import type { EmailDeliveryEvent } from './delivery-event';

export interface DeliveryResult {
  /** False when this (provider, event id) was already recorded: nothing changed. */
  recorded: boolean;
  person: PersonRef | null;
  /** What it did: delivered, retry (a soft bounce), undeliverable, opted_out, or ignored. */
  effect: 'delivered' | 'retry' | 'undeliverable' | 'opted_out' | 'ignored';
}

/** A person's address marked undeliverable (see context / channel choice). */
export interface Undeliverable {
  address: string;
  since: Date;
  reason: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bounces and complaints: one home for what a delivery event does, whichever adapter it came from.
 *
 *   delivered    our message's status becomes `delivered` (forward-only).
 *   hard_bounce  the person's address is undeliverable (email_undeliverable): channel choice skips
 *                email with "email bounced on <date>", `email.bounced` goes to integrators, and the
 *                follow-up engine gives the recruiter a task to fix the address.
 *   soft_bounce  the follow-up it carried is sent again later; the 3rd within 72 hours escalates
 *                to a hard bounce.
 *   complaint    the person is opted out of email (consent source `complaint`), like an unsubscribe.
 * Each event is recorded once per (provider, provider event id): a replay answers `recorded: false`.
 * Correcting the address (candidate/contact email changed) clears the mark: see clearFor.
 */
@Injectable()
export class EmailDeliverabilityService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly consent: ConsentService,
  ) {}

  /** Touchpoint's own JSON shape (the generic option): `{ id, type, bounceType, email, messageId, diagnostic, timestamp }`. */
  recordGeneric(
    tenantId: TenantId,
    events: readonly { id: string; type: 'delivered' | 'bounce' | 'complaint'; bounceType?: 'hard' | 'soft'; email: string; messageId?: string; diagnostic?: string; timestamp: string }[],
  ): Promise<DeliveryResult[]> {
    return this.recordMany(
      tenantId,
      events.map((e) => ({
        provider: 'generic' as const,
        providerEventId: e.id,
        kind: e.type === 'delivered' ? 'delivered' : e.type === 'complaint' ? 'complaint' : e.bounceType === 'soft' ? 'soft_bounce' : 'hard_bounce',
        address: e.email,
        messageRef: e.messageId ?? null,
        diagnostic: e.diagnostic ?? null,
        occurredAt: new Date(e.timestamp),
      })),
    );
  }

  /** Records a batch of one tenant's events in one transaction (a provider posts several at once). */
  recordMany(tenantId: TenantId, events: readonly EmailDeliveryEvent[]): Promise<DeliveryResult[]> {
    return this.db.tx(tenantId, async (tx) => {
      const out: DeliveryResult[] = [];
      for (const e of events) out.push(await this.record(tx, e));
      return out;
    });
  }

  async record(tx: TenantTx, raw: EmailDeliveryEvent): Promise<DeliveryResult> {
    // Providers' text is not the API's DTO: PostgreSQL cannot store NUL in text.
    const nul = (v: string): string => v.replace(/\u0000/g, '');
    const e: EmailDeliveryEvent = { ...raw, providerEventId: nul(raw.providerEventId), address: nul(raw.address), messageRef: raw.messageRef ? nul(raw.messageRef) : null, diagnostic: raw.diagnostic ? nul(raw.diagnostic) : null };
    const address = (parseMailbox(e.address)?.address ?? e.address).trim();
    const message = await this.messageOf(tx, e.messageRef ?? null);
    const person = message ? personOf({ candidateId: message.candidate_id, contactId: message.contact_id }) : await matchByEmail(tx, address);
    const cols = person ? personColumns(person) : { candidateId: null, contactId: null };
    const now = this.clock.now();
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO email_delivery_events (tenant_id, provider, provider_event_id, kind, address, candidate_id, contact_id, message_id, diagnostic, occurred_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT ON CONSTRAINT email_delivery_events_key DO NOTHING
       RETURNING id`,
      [tx.tenantId, e.provider, e.providerEventId.slice(0, 500), e.kind, address, cols.candidateId, cols.contactId, message?.id ?? null, e.diagnostic?.slice(0, 1000) ?? null, e.occurredAt, now],
    );
    const eventId = inserted[0]?.id;
    if (!eventId) return { recorded: false, person, effect: 'ignored' };

    if (e.kind === 'delivered') {
      if (!message) return { recorded: true, person, effect: 'ignored' };
      await tx.query(
        `UPDATE messages SET status = 'delivered', updated_at = $3 WHERE tenant_id = $1 AND id = $2 AND status IN ('sending', 'queued', 'accepted', 'sent', 'unknown')`,
        [tx.tenantId, message.id, now],
      );
      return { recorded: true, person, effect: 'delivered' };
    }
    if (message) {
      await tx.query(
        `UPDATE messages SET status = 'undelivered', error_code = $3, error_message = $4, updated_at = $5 WHERE tenant_id = $1 AND id = $2 AND direction = 'out'`,
        [tx.tenantId, message.id, e.kind, e.diagnostic?.slice(0, 1000) ?? null, now],
      );
    }
    if (!person) return { recorded: true, person, effect: 'ignored' };

    if (e.kind === 'complaint') {
      await this.consent.change(tx, person, { channel: 'email', status: 'opted_out', source: 'complaint', messageId: message?.id ?? null });
      return { recorded: true, person, effect: 'opted_out' };
    }

    let reason: string | null = null;
    if (e.kind === 'hard_bounce') reason = `hard bounce${e.diagnostic ? `: ${e.diagnostic}` : ''}`;
    else {
      const since = new Date(e.occurredAt.getTime() - SOFT_BOUNCE_WINDOW_HOURS * 3_600_000);
      const [{ n }] = (await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM email_delivery_events
         WHERE tenant_id = $1 AND kind = 'soft_bounce' AND lower(address) = lower($2) AND occurred_at > $3 AND occurred_at <= $4`,
        [tx.tenantId, address, since, e.occurredAt],
      )) as [{ n: number }];
      if (n >= SOFT_BOUNCE_LIMIT) reason = `${n} soft bounces within ${SOFT_BOUNCE_WINDOW_HOURS} hours${e.diagnostic ? `: ${e.diagnostic}` : ''}`;
    }
    const undeliverable = reason !== null && (await this.mark(tx, person, address, e.occurredAt, reason, eventId));
    tx.emit(
      'email.bounced',
      {
        person,
        address,
        bounceType: e.kind === 'hard_bounce' ? 'hard' : 'soft',
        undeliverable: reason !== null,
        newlyUndeliverable: undeliverable,
        messageId: message?.id ?? null,
        followUpId: message?.follow_up_id ?? null,
        diagnostic: e.diagnostic ?? null,
        bouncedAt: e.occurredAt.toISOString(),
        provider: e.provider,
      },
      { kind: 'system' },
    );
    return { recorded: true, person, effect: reason !== null ? 'undeliverable' : 'retry' };
  }

  /** The undeliverable addresses of these people (messaging's context: one read). */
  async undeliverableIn(tx: TenantTx, people: readonly PersonRef[]): Promise<Map<string, Undeliverable[]>> {
    const out = new Map<string, Undeliverable[]>();
    if (people.length === 0) return out;
    const rows = await tx.query<{ candidate_id: string | null; contact_id: string | null; address: string; since: Date; reason: string }>(
      `SELECT candidate_id, contact_id, address, since, reason FROM email_undeliverable
       WHERE tenant_id = $1 AND (candidate_id = ANY($2::uuid[]) OR contact_id = ANY($3::uuid[]))`,
      [tx.tenantId, people.filter((p) => p.type === 'candidate').map((p) => p.id), people.filter((p) => p.type === 'contact').map((p) => p.id)],
    );
    for (const r of rows) {
      const key = r.candidate_id ? `candidate:${r.candidate_id}` : `contact:${r.contact_id}`;
      out.set(key, [...(out.get(key) ?? []), { address: r.address, since: r.since, reason: r.reason }]);
    }
    return out;
  }

  /** The person's address changed: every mark on an address that is no longer theirs is cleared. */
  async clearFor(tx: TenantTx, person: PersonRef, currentEmail: string | null): Promise<number> {
    const rows = await tx.query<{ id: string }>(
      `WITH d AS (DELETE FROM email_undeliverable WHERE tenant_id = $1 AND ${personColumn(person)} = $2 AND ($3::text IS NULL OR lower(address) <> lower($3)) RETURNING id)
       SELECT id FROM d`,
      [tx.tenantId, person.id, currentEmail],
    );
    return rows.length;
  }

  /** Marks the address undeliverable; false when it already was. */
  private async mark(tx: TenantTx, person: PersonRef, address: string, since: Date, reason: string, eventId: string): Promise<boolean> {
    const col = personColumn(person);
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO email_undeliverable (tenant_id, ${col}, address, since, reason, event_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, ${col}, lower(address)) WHERE ${col} IS NOT NULL DO NOTHING
       RETURNING id`,
      [tx.tenantId, person.id, address, since, reason.slice(0, 1000), eventId],
    );
    return rows.length > 0;
  }

  /** Our outbound email the event is about: by our id or Message-ID, else none. */
  private async messageOf(
    tx: TenantTx,
    ref: string | null,
  ): Promise<{ id: string; candidate_id: string | null; contact_id: string | null; follow_up_id: string | null } | undefined> {
    if (!ref) return undefined;
    const trimmed = ref.trim();
    const byId = UUID.test(trimmed);
    const rows = await tx.query<{ id: string; candidate_id: string | null; contact_id: string | null; follow_up_id: string | null }>(
      byId
        ? `SELECT id, candidate_id, contact_id, follow_up_id FROM messages WHERE tenant_id = $1 AND id = $2::uuid AND direction = 'out' AND channel = 'email'`
        : `SELECT id, candidate_id, contact_id, follow_up_id FROM messages WHERE tenant_id = $1 AND provider_id = $2 AND direction = 'out' AND channel = 'email'`,
      [tx.tenantId, byId ? trimmed : normalizeMessageId(trimmed)],
    );
    return rows[0];
  }
}
