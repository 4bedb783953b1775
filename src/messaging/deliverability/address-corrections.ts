import { Injectable, OnModuleInit } from '@nestjs/common';
import { DomainEventBus } from '../../events/domain-event-bus';
import { findLivePerson } from '../../people/people-directory';
import type { PersonRef } from '../outbound.types';
import { EmailDeliverabilityService } from './email-deliverability.service';

/**
 * Correcting an address clears its undeliverable mark: a reaction to candidate.updated and
 * contact.updated that changed `email`, in the same transaction (the next send sees it).
 */
@Injectable()
export class AddressCorrections implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly deliverability: EmailDeliverabilityService,
  ) {}

  onModuleInit(): void {
    const changedEmail = (e: { payload: { fields: string[] } }): boolean => e.payload.fields.includes('email');
    this.bus.react('candidate.updated', 'email-deliverability.address-corrected', (e, tx) => this.clear(tx, { type: 'candidate', id: e.payload.candidateId }), { when: changedEmail });
    this.bus.react('contact.updated', 'email-deliverability.address-corrected', (e, tx) => this.clear(tx, { type: 'contact', id: e.payload.contactId }), { when: changedEmail });
  }

  private async clear(tx: Parameters<EmailDeliverabilityService['clearFor']>[0], person: PersonRef): Promise<void> {
    const found = await findLivePerson(tx, person);
    await this.deliverability.clearFor(tx, person, found?.email ?? null);
  }
}
