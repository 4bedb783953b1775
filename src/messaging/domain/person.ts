import type { PersonRef } from '../outbound.types';

export type PersonType = PersonRef['type'];
export const PERSON_TYPES = ['candidate', 'contact'] as const;

/** The two person columns every messaging table carries: exactly one is set for a person. */
export interface PersonColumns {
  candidateId: string | null;
  contactId: string | null;
}

export function personColumns(person: PersonRef): PersonColumns {
  return person.type === 'candidate' ? { candidateId: person.id, contactId: null } : { candidateId: null, contactId: person.id };
}

export function personOf(row: { candidateId: string | null; contactId: string | null }): PersonRef | null {
  if (row.candidateId) return { type: 'candidate', id: row.candidateId };
  if (row.contactId) return { type: 'contact', id: row.contactId };
  return null;
}

/** `candidate_id = $n` or `contact_id = $n`, for raw SQL. */
export function personColumn(person: PersonRef): 'candidate_id' | 'contact_id' {
  return person.type === 'candidate' ? 'candidate_id' : 'contact_id';
}
