import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first answer to a sent follow-up (issue 15), kept on the follow-up: the earliest inbound
 * message or logged inbound activity from its recipient strictly after `sent_at`, at any later
 * time. "Replied within N days" is then `first_answer_at <= sent_at + N days`, read from the
 * follow-up row itself, instead of four index probes per send (B8: a month of a firm with 1M
 * follow-ups has about 60,000 sends).
 *
 * Kept in the same transaction as the facts, by triggers, so no code path can forget it:
 *   - follow_ups, when it becomes sent (sent_at set or changed): computed from the facts;
 *   - messages, an inbound one inserted or matched to a person later: earlier answers win;
 *   - activities, an inbound one logged (occurred_at may be back-dated): the same.
 * Nothing deletes messages or activities; erasure keeps their person ids, so the value stays.
 */
export class FollowUpsFirstAnswer1765400000004 implements MigrationInterface {
  name = 'FollowUpsFirstAnswer1765400000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE follow_ups ADD COLUMN first_answer_at timestamptz`);
    await q.query(`
      CREATE FUNCTION follow_up_first_answer(p_tenant uuid, p_candidate uuid, p_contact uuid, p_after timestamptz) RETURNS timestamptz
      LANGUAGE sql STABLE
      AS $$
        SELECT LEAST(
          (SELECT min(m.created_at) FROM messages m WHERE m.tenant_id = p_tenant AND m.direction = 'in' AND m.candidate_id = p_candidate AND m.created_at > p_after),
          (SELECT min(m.created_at) FROM messages m WHERE m.tenant_id = p_tenant AND m.direction = 'in' AND m.contact_id = p_contact AND m.created_at > p_after),
          (SELECT min(a.occurred_at) FROM activities a WHERE a.tenant_id = p_tenant AND a.direction = 'in' AND a.candidate_id = p_candidate AND a.occurred_at > p_after),
          (SELECT min(a.occurred_at) FROM activities a WHERE a.tenant_id = p_tenant AND a.direction = 'in' AND a.contact_id = p_contact AND a.occurred_at > p_after))
      $$`);
    await q.query(`
      CREATE FUNCTION follow_ups_first_answer() RETURNS trigger
      LANGUAGE plpgsql
      AS $$
      BEGIN
        IF NEW.sent_at IS NULL OR NEW.kind <> 'message' THEN
          NEW.first_answer_at := NULL;
        ELSIF TG_OP = 'INSERT' OR OLD.sent_at IS DISTINCT FROM NEW.sent_at
              OR OLD.recipient_candidate_id IS DISTINCT FROM NEW.recipient_candidate_id
              OR OLD.recipient_contact_id IS DISTINCT FROM NEW.recipient_contact_id THEN
          NEW.first_answer_at := follow_up_first_answer(NEW.tenant_id, NEW.recipient_candidate_id, NEW.recipient_contact_id, NEW.sent_at);
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER follow_ups_first_answer BEFORE INSERT OR UPDATE ON follow_ups
        FOR EACH ROW EXECUTE FUNCTION follow_ups_first_answer()`);
    // An answer from a person: every sent follow-up to them before it, with no earlier answer, gets it.
    await q.query(`
      CREATE FUNCTION answer_follow_ups(p_tenant uuid, p_candidate uuid, p_contact uuid, p_at timestamptz) RETURNS void
      LANGUAGE plpgsql
      AS $$
      BEGIN
        IF p_candidate IS NOT NULL THEN
          UPDATE follow_ups f SET first_answer_at = p_at
           WHERE f.tenant_id = p_tenant AND f.recipient_candidate_id = p_candidate AND f.kind = 'message' AND f.sent_at < p_at
             AND (f.first_answer_at IS NULL OR f.first_answer_at > p_at);
        END IF;
        IF p_contact IS NOT NULL THEN
          UPDATE follow_ups f SET first_answer_at = p_at
           WHERE f.tenant_id = p_tenant AND f.recipient_contact_id = p_contact AND f.kind = 'message' AND f.sent_at < p_at
             AND (f.first_answer_at IS NULL OR f.first_answer_at > p_at);
        END IF;
      END $$`);
    await q.query(`
      CREATE FUNCTION messages_answer_follow_ups() RETURNS trigger
      LANGUAGE plpgsql
      AS $$
      BEGIN
        PERFORM answer_follow_ups(NEW.tenant_id, NEW.candidate_id, NEW.contact_id, NEW.created_at);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER messages_answer_follow_ups AFTER INSERT OR UPDATE OF candidate_id, contact_id, direction, created_at ON messages
        FOR EACH ROW WHEN (NEW.direction = 'in' AND (NEW.candidate_id IS NOT NULL OR NEW.contact_id IS NOT NULL))
        EXECUTE FUNCTION messages_answer_follow_ups()`);
    await q.query(`
      CREATE FUNCTION activities_answer_follow_ups() RETURNS trigger
      LANGUAGE plpgsql
      AS $$
      BEGIN
        PERFORM answer_follow_ups(NEW.tenant_id, NEW.candidate_id, NEW.contact_id, NEW.occurred_at);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER activities_answer_follow_ups AFTER INSERT OR UPDATE OF candidate_id, contact_id, direction, occurred_at ON activities
        FOR EACH ROW WHEN (NEW.direction = 'in')
        EXECUTE FUNCTION activities_answer_follow_ups()`);

    // The history so far (the owner is subject to row-level security: lifted for the backfill, in this transaction).
    await q.query(`ALTER TABLE follow_ups NO FORCE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE messages NO FORCE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE activities NO FORCE ROW LEVEL SECURITY`);
    await q.query(`
      UPDATE follow_ups SET first_answer_at = follow_up_first_answer(tenant_id, recipient_candidate_id, recipient_contact_id, sent_at)
       WHERE sent_at IS NOT NULL AND kind = 'message'`);
    for (const table of ['follow_ups', 'messages', 'activities']) await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS activities_answer_follow_ups ON activities`);
    await q.query(`DROP TRIGGER IF EXISTS messages_answer_follow_ups ON messages`);
    await q.query(`DROP TRIGGER IF EXISTS follow_ups_first_answer ON follow_ups`);
    await q.query(`DROP FUNCTION IF EXISTS activities_answer_follow_ups()`);
    await q.query(`DROP FUNCTION IF EXISTS messages_answer_follow_ups()`);
    await q.query(`DROP FUNCTION IF EXISTS answer_follow_ups(uuid, uuid, uuid, timestamptz)`);
    await q.query(`DROP FUNCTION IF EXISTS follow_ups_first_answer()`);
    await q.query(`DROP FUNCTION IF EXISTS follow_up_first_answer(uuid, uuid, uuid, timestamptz)`);
    await q.query(`ALTER TABLE follow_ups DROP COLUMN IF EXISTS first_answer_at`);
  }
}
