import { createCipheriv, randomBytes } from 'node:crypto';
import request from 'supertest';
import { reencryptSecrets, ENCRYPTED_COLUMNS } from '../../src/cli/keys';
import { decryptSecret, Keyring, sealedKeyId } from '../../src/common/crypto';
import { TenantDb } from '../../src/database/tenant-db.service';
import { asTenantId } from '../../src/database/tenant-id';
import type { OutboundMessengerService } from '../../src/messaging/outbound-messenger.service';
import { SendersService } from '../../src/messaging/senders/senders.service';
import { accountSid, api, authToken, createCandidate, messenger, serviceSid, useOwnTwilio } from '../messaging/messaging-support';
import { bootTestApp, signup, SignedUp, TestApp, useIsolatedDatabase, withAdminDb } from '../support/test-app';

/**
 * Issue 18: rotating ENCRYPTION_KEY broke every stored Twilio token and every unsubscribe link
 * already sent. Now: key ids on sealed secrets, ENCRYPTION_KEYS_OLD to decrypt and verify, and a
 * re-encryption command. Rotate, and an old link still verifies, an old token still decrypts, and
 * re-encryption moves everything to the new key.
 */
// Re-encryption walks every tenant: this file gets a database of its own, so other suites' secrets
// (sealed under the suite's usual key) are not in the way.
useIsolatedDatabase();

const K1 = randomBytes(32);
const K2 = randomBytes(32);
const b64 = (k: Buffer) => k.toString('base64');

/** A secret sealed the way it was before key ids (v1.<iv>.<tag>.<data>). */
function sealV1(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

async function twilioTokenOf(t: TestApp, tenantId: string): Promise<string | undefined> {
  const senders = await t.app.get(TenantDb).tx(asTenantId(tenantId), (tx) => t.app.get(SendersService).resolveIn(tx));
  return senders.smsSender === 'tenant' ? senders.twilio?.authToken : undefined;
}

const stored = (tenantId: string) =>
  withAdminDb(async (c) => ({
    twilio: (await c.query(`SELECT twilio_auth_token_encrypted AS s FROM tenant_senders WHERE tenant_id = $1`, [tenantId])).rows[0]?.s as string,
    webhook: (await c.query(`SELECT secret_encrypted AS s FROM webhook_subscriptions WHERE tenant_id = $1`, [tenantId])).rows[0]?.s as string,
  }));

describe('security: ENCRYPTION_KEY rotation', () => {
  let a: SignedUp;
  let legacy: SignedUp;
  let token: string;
  let legacyToken: string;
  let webhookSecret: string;
  let linkPath: string;
  let candidateId: string;

  it('before: secrets sealed under K1 carry its key id; an unsubscribe link is signed with K1', async () => {
    const t = await bootTestApp({ env: { ENCRYPTION_KEY: b64(K1) } });
    try {
      a = await signup(t);
      token = authToken();
      await useOwnTwilio(t, a, { accountSid: accountSid(), authToken: token, messagingServiceSid: serviceSid() });
      const sub = await api(t, a).post('/v1/webhook-subscriptions', { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] }).expect(201);
      webhookSecret = sub.body.secret;
      candidateId = await createCandidate(t, a, { email: `rot.${Date.now()}@example.com` });
      const url = (messenger(t) as unknown as OutboundMessengerService).unsubscribeUrl(a.tenantId, { type: 'candidate', id: candidateId }, 'email');
      linkPath = url.slice(url.indexOf('/v1/unsubscribe/'));
      const s = await stored(a.tenantId);
      expect(sealedKeyId(s.twilio)).toBe(Keyring.keyId(K1));
      expect(sealedKeyId(s.webhook)).toBe(Keyring.keyId(K1));
      expect(s.twilio).not.toContain(token);

      // A firm whose token was stored before key ids existed (v1, no id).
      legacy = await signup(t);
      legacyToken = authToken();
      await useOwnTwilio(t, legacy, { accountSid: accountSid(), authToken: legacyToken, messagingServiceSid: serviceSid() });
      await withAdminDb((c) => c.query(`UPDATE tenant_senders SET twilio_auth_token_encrypted = $2 WHERE tenant_id = $1`, [legacy.tenantId, sealV1(K1, legacyToken)]));
      expect(await twilioTokenOf(t, legacy.tenantId)).toBe(legacyToken);
    } finally {
      await t.close();
    }
  });

  it('rotated without the old key: the old link and the old tokens no longer work (why the keyring exists)', async () => {
    const t = await bootTestApp({ env: { ENCRYPTION_KEY: b64(K2) } });
    try {
      await request(t.http).get(linkPath).expect(404);
      expect(await twilioTokenOf(t, a.tenantId)).toBeUndefined();
      expect(await twilioTokenOf(t, legacy.tenantId)).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('rotated with ENCRYPTION_KEYS_OLD=K1: the old link verifies and unsubscribes, old tokens decrypt, new secrets use K2; re-encryption moves everything to K2', async () => {
    const t = await bootTestApp({ env: { ENCRYPTION_KEY: b64(K2), ENCRYPTION_KEYS_OLD: `${b64(randomBytes(32))}, ${K1.toString('hex')}` } });
    try {
      await request(t.http).get(linkPath).expect(200);
      await request(t.http).post(linkPath).type('form').send('List-Unsubscribe=One-Click').expect(200);
      expect((await api(t, a).get(`/v1/candidates/${candidateId}/consent`).expect(200)).body.email).toMatchObject({ status: 'opted_out', source: 'link' });
      expect(await twilioTokenOf(t, a.tenantId)).toBe(token);
      expect(await twilioTokenOf(t, legacy.tenantId)).toBe(legacyToken);
      // New links are signed with K2.
      const fresh = (messenger(t) as unknown as OutboundMessengerService).unsubscribeUrl(a.tenantId, { type: 'candidate', id: candidateId }, 'email');
      expect(fresh.slice(fresh.indexOf('/v1/unsubscribe/'))).not.toBe(linkPath);

      const report = await reencryptSecrets(t.app);
      expect(report.unreadable).toEqual([]);
      expect(report.reencrypted['tenant_senders.twilio_auth_token_encrypted']).toBeGreaterThanOrEqual(2);
      expect(report.reencrypted['webhook_subscriptions.secret_encrypted']).toBeGreaterThanOrEqual(1);
      for (const tenant of [a.tenantId, legacy.tenantId]) {
        const s = await stored(tenant);
        expect(sealedKeyId(s.twilio)).toBe(Keyring.keyId(K2));
      }
      const s = await stored(a.tenantId);
      expect(decryptSecret(K2, s.twilio)).toBe(token);
      expect(decryptSecret(K2, s.webhook)).toBe(webhookSecret);
      expect(decryptSecret(K2, (await stored(legacy.tenantId)).twilio)).toBe(legacyToken);
      // Running it again changes nothing.
      const again = await reencryptSecrets(t.app);
      expect(Object.values(again.reencrypted).reduce((x, y) => x + y, 0)).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('after re-encryption K1 is needed only for old links: with K2 alone every secret decrypts', async () => {
    const t = await bootTestApp({ env: { ENCRYPTION_KEY: b64(K2) } });
    try {
      expect(await twilioTokenOf(t, a.tenantId)).toBe(token);
      expect(await twilioTokenOf(t, legacy.tenantId)).toBe(legacyToken);
    } finally {
      await t.close();
    }
  });

  it('every *_encrypted column of the schema is re-encrypted by the command', async () => {
    const cols = await withAdminDb(
      async (c) =>
        (await c.query(`SELECT table_name || '.' || column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND column_name LIKE '%\\_encrypted' ORDER BY 1`)).rows.map(
          (r: { c: string }) => r.c,
        ),
    );
    expect(cols).toEqual(ENCRYPTED_COLUMNS.map((x) => `${x.table}.${x.column}`).sort());
  });

  it('a bad ENCRYPTION_KEYS_OLD stops the boot naming it', async () => {
    await expect(bootTestApp({ env: { ENCRYPTION_KEYS_OLD: 'not-a-key' } })).rejects.toThrow(/ENCRYPTION_KEYS_OLD: key 1 must be 32 bytes/);
  });
});
