import { IsNull } from 'typeorm';
import { CandidateEntity } from '../candidates/candidate.entity';
import { ContactEntity } from '../contacts/contact.entity';
import type { TenantTx } from '../database/tenant-db.service';
import { isUuid } from '../database/tenant-id';
import type { PersonRef } from './outbound.types';

/** What messaging needs to know about a person (read-only use of the people tables). */
export interface PersonRecord {
  ref: PersonRef;
  name: string;
  email: string | null;
  phone: string | null;
  deleted: boolean;
}

function record(type: PersonRef['type'], e: CandidateEntity | ContactEntity): PersonRecord {
  return { ref: { type, id: e.id }, name: e.name, email: e.email, phone: e.phone, deleted: e.deletedAt !== null };
}

/** A live person of this tenant, or undefined (unknown, another tenant's, or deleted). */
export async function findLivePerson(tx: TenantTx, person: PersonRef): Promise<PersonRecord | undefined> {
  if (!isUuid(person.id)) return undefined;
  if (person.type === 'candidate') {
    const c = await tx.repo(CandidateEntity).findOne({ id: person.id, deletedAt: IsNull() });
    return c ? record('candidate', c) : undefined;
  }
  const k = await tx.repo(ContactEntity).findOne({ id: person.id, deletedAt: IsNull() });
  return k ? record('contact', k) : undefined;
}

/**
 * The person of this tenant with this phone number. Candidates win over contacts, then the most
 * recently changed. Served by candidates_phone_idx / contacts_phone_idx.
 */
export async function matchByPhone(tx: TenantTx, phone: string): Promise<PersonRef | null> {
  const rows = await tx.query<{ type: PersonRef['type']; id: string }>(
    `(SELECT 'candidate' AS type, id, 0 AS rank, updated_at FROM candidates
        WHERE tenant_id = $1 AND phone = $2 AND deleted_at IS NULL)
     UNION ALL
     (SELECT 'contact' AS type, id, 1 AS rank, updated_at FROM contacts
        WHERE tenant_id = $1 AND phone = $2 AND deleted_at IS NULL)
     ORDER BY rank, updated_at DESC LIMIT 1`,
    [tx.tenantId, phone],
  );
  const row = rows[0];
  return row ? { type: row.type, id: row.id } : null;
}

/** Same as matchByPhone, by email address (case-insensitive). */
export async function matchByEmail(tx: TenantTx, email: string): Promise<PersonRef | null> {
  const rows = await tx.query<{ type: PersonRef['type']; id: string }>(
    `(SELECT 'candidate' AS type, id, 0 AS rank, updated_at FROM candidates
        WHERE tenant_id = $1 AND lower(email) = lower($2) AND deleted_at IS NULL)
     UNION ALL
     (SELECT 'contact' AS type, id, 1 AS rank, updated_at FROM contacts
        WHERE tenant_id = $1 AND lower(email) = lower($2) AND deleted_at IS NULL)
     ORDER BY rank, updated_at DESC LIMIT 1`,
    [tx.tenantId, email],
  );
  const row = rows[0];
  return row ? { type: row.type, id: row.id } : null;
}
