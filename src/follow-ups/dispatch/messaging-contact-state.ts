import { Injectable } from '@nestjs/common';
import { sha256Hex } from '../../common/crypto';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import { ConsentService } from '../../messaging/consent/consent.service';
import { EngagementService } from '../../messaging/engagement.service';
import type { PersonRef } from '../../messaging/outbound.types';
import { SendersService } from '../../messaging/senders/senders.service';
import type { ContactState, ContactStateReader } from './ports';

/**
 * Messaging's view of a person at send time, through messaging's services: the last inbound
 * channel and first SMS (engagement), opt-outs (consent), and which SMS sender the tenant uses
 * (a hash of the Twilio account and number or messaging service keys its rate limit; tenants on
 * the platform number share that number's limit, as they share the number).
 */
@Injectable()
export class MessagingContactState implements ContactStateReader {
  constructor(
    private readonly db: TenantDb,
    private readonly engagement: EngagementService,
    private readonly consent: ConsentService,
    private readonly senders: SendersService,
  ) {}

  async read(tenantId: TenantId, person: PersonRef): Promise<ContactState> {
    // One after the other: a dispatcher worker holds at most one pooled connection at a time.
    const engagement = await this.engagement.get(tenantId, person);
    const optOuts = await this.consent.optOutsOf(tenantId, [person]);
    const resolved = await this.db.tx(tenantId, (tx) => this.senders.resolveIn(tx));
    const out = optOuts.get(`${person.type}:${person.id}`) ?? new Set();
    const twilio = resolved.twilio;
    const smsSenderKey = twilio
      ? `twilio:${sha256Hex(`${twilio.accountSid}:${twilio.messagingServiceSid ?? twilio.from ?? ''}`).slice(0, 32)}`
      : `log:${tenantId}`;
    return {
      lastInboundChannel: engagement.lastInboundChannel,
      optedOut: { email: out.has('email'), sms: out.has('sms') },
      // The log driver stands in when no Twilio account exists (development): SMS is "configured".
      smsConfigured: true,
      firstSms: engagement.firstSmsAt === null,
      smsSenderKey,
    };
  }
}
