import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mail providers' webhooks (issue 16): the SendGrid Event Webhook verification key of a firm (its
 * own SendGrid account signs the events with it), and messaging_webhook_tenant() returning it
 * with the rest of what a webhook needs before it may touch the tenant.
 */
export class EmailProviders1765330000000 implements MigrationInterface {
  name = 'EmailProviders1765330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenant_senders ADD COLUMN sendgrid_webhook_public_key text`);
    await q.query(`DROP FUNCTION messaging_webhook_tenant(text)`);
    await q.query(`
      CREATE FUNCTION messaging_webhook_tenant(p_webhook_key text)
      RETURNS TABLE (tenant_id uuid, tenant_status text, twilio_account_sid text,
                     twilio_auth_token_encrypted text, inbound_email_secret_hash text, sendgrid_webhook_public_key text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT t.id, t.status, s.twilio_account_sid, s.twilio_auth_token_encrypted, s.inbound_email_secret_hash, s.sendgrid_webhook_public_key
        FROM tenants t LEFT JOIN tenant_senders s ON s.tenant_id = t.id
        WHERE t.webhook_key = p_webhook_key
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION messaging_webhook_tenant(text) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION messaging_webhook_tenant(text) TO touchpoint_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION messaging_webhook_tenant(text)`);
    await q.query(`
      CREATE FUNCTION messaging_webhook_tenant(p_webhook_key text)
      RETURNS TABLE (tenant_id uuid, tenant_status text, twilio_account_sid text,
                     twilio_auth_token_encrypted text, inbound_email_secret_hash text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT t.id, t.status, s.twilio_account_sid, s.twilio_auth_token_encrypted, s.inbound_email_secret_hash
        FROM tenants t LEFT JOIN tenant_senders s ON s.tenant_id = t.id
        WHERE t.webhook_key = p_webhook_key
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION messaging_webhook_tenant(text) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION messaging_webhook_tenant(text) TO touchpoint_app`);
    await q.query(`ALTER TABLE tenant_senders DROP COLUMN sendgrid_webhook_public_key`);
  }
}
