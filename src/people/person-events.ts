import type { Actor } from '../auth/principal';
import type { TenantTx } from '../database/tenant-db.service';
import type { PersonRef } from './person-ref';

/** `candidate.<x>` or `contact.<x>`, each with its own id key: one place maps a person to its event. */
export const personEvents = {
  created(tx: TenantTx, p: PersonRef, externalId: string | null, actor: Actor | undefined): void {
    if (p.type === 'candidate') tx.emit('candidate.created', { candidateId: p.id, externalId }, actor);
    else tx.emit('contact.created', { contactId: p.id, externalId }, actor);
  },
  updated(tx: TenantTx, p: PersonRef, fields: string[], actor: Actor | undefined): void {
    if (p.type === 'candidate') tx.emit('candidate.updated', { candidateId: p.id, fields }, actor);
    else tx.emit('contact.updated', { contactId: p.id, fields }, actor);
  },
  erased(tx: TenantTx, p: PersonRef, actor: Actor | undefined): void {
    if (p.type === 'candidate') tx.emit('candidate.erased', { candidateId: p.id }, actor);
    else tx.emit('contact.erased', { contactId: p.id }, actor);
  },
};
