import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The owner of what an API key creates (issue 17): a candidate written with a key and no
 * ownerUserId is owned by the key's default owner, or, when it has none, by the admin who made
 * the key, so `GET /v1/agenda?owner=me` shows an ATS's records to that person.
 */
export class ApiKeyDefaultOwner1765100001000 implements MigrationInterface {
  name = 'ApiKeyDefaultOwner1765100001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN default_owner_user_id uuid`);
    await q.query(
      `ALTER TABLE api_keys ADD CONSTRAINT api_keys_default_owner_fkey FOREIGN KEY (tenant_id, default_owner_user_id) REFERENCES users (tenant_id, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN default_owner_user_id`);
  }
}
