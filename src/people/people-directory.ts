import { IsNull } from 'typeorm';
import { CandidateEntity } from '../candidates/candidate.entity';
import { ContactEntity } from '../contacts/contact.entity';
import type { TenantTx } from '../database/tenant-db.service';
import { isUuid } from '../database/tenant-id';
import type { PersonRef } from './person-ref';

/**
 * The people lookups other modules need (messaging, conversations, notifications): the one place
 * outside the candidates and contacts modules that reads their tables. A caller names people by
 * PersonRef and never writes `candidates` or `contacts` in its own SQL.
 */

/** What messaging needs to know about a person (read-only use of the people tables). */
export interface PersonRecord {
  ref: PersonRef;
  name: string;
  email: string | null;
  phone: string | null;
  timeZone: string | null;
  deleted: boolean;
}

function record(type: PersonRef['type'], e: CandidateEntity | ContactEntity): PersonRecord {
  return { ref: { type, id: e.id }, name: e.name, email: e.email, phone: e.phone, timeZone: e.timeZone, deleted: e.deletedAt !== null };
}

/**
 * The tenant's live people as one relation, for a join in another module's read:
 * (person_type 'candidate'|'contact', id, name, email, phone, time_zone). `$1` must be the tenant id.
 */
export const LIVE_PEOPLE_SQL = `(SELECT 'candidate' AS person_type, id, name, email, phone, time_zone FROM candidates WHERE tenant_id = $1 AND deleted_at IS NULL
   UNION ALL
   SELECT 'contact', id, name, email, phone, time_zone FROM contacts WHERE tenant_id = $1 AND deleted_at IS NULL)`;

/**
 * A person's owner: a candidate's recruiter; for a contact, the recruiter whose follow-up last
 * went to them. With the name, for notifications. Undefined for an unknown person.
 */
export async function nameAndOwner(tx: TenantTx, person: PersonRef): Promise<{ name: string; ownerUserId: string | null } | undefined> {
  if (!isUuid(person.id)) return undefined;
  const rows = await tx.query<{ name: string; owner: string | null }>(
    person.type === 'candidate'
      ? `SELECT name, owner_user_id AS owner FROM candidates WHERE tenant_id = $1 AND id = $2`
      : `SELECT c.name, (${CONTACT_OWNER_SQL('c.tenant_id', 'c.id')}) AS owner FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2`,
    [tx.tenantId, person.id],
  );
  const row = rows[0];
  return row ? { name: row.name, ownerUserId: row.owner } : undefined;
}

/** The recruiter whose follow-up last went to a contact (a scalar subquery on the given columns). */
function CONTACT_OWNER_SQL(tenantColumn: string, contactColumn: string): string {
  return `SELECT f.owner_user_id FROM follow_ups f
          WHERE f.tenant_id = ${tenantColumn} AND f.recipient_contact_id = ${contactColumn} AND f.owner_user_id IS NOT NULL
          ORDER BY f.sent_at DESC NULLS LAST, f.created_at DESC LIMIT 1`;
}

/**
 * A condition "the person in these columns is owned by the recruiter in this parameter": the
 * candidate's owner, or for a contact one of that recruiter's follow-ups went to them.
 * Column names and the parameter are constants of the caller, never input.
 */
export function ownedBySql(columns: { tenant: string; candidateId: string; contactId: string }, ownerParam: string): string {
  return `(EXISTS (SELECT 1 FROM candidates c WHERE c.tenant_id = ${columns.tenant} AND c.id = ${columns.candidateId} AND c.owner_user_id = ${ownerParam})
          OR (${columns.contactId} IS NOT NULL AND EXISTS (
             SELECT 1 FROM follow_ups f WHERE f.tenant_id = ${columns.tenant} AND f.recipient_contact_id = ${columns.contactId} AND f.owner_user_id = ${ownerParam})))`;
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

/** Whether the person has a row in this tenant, deleted or not (an unsubscribe link works after a delete). */
export async function personExists(tx: TenantTx, person: PersonRef): Promise<boolean> {
  if (!isUuid(person.id)) return false;
  const rows = await tx.query(`SELECT 1 FROM ${person.type === 'candidate' ? 'candidates' : 'contacts'} WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, person.id]);
  return rows.length > 0;
}
