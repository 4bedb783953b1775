import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createApp } from '../bootstrap/create-app';
import { decryptSecret, encryptSecret, Keyring, sealedKeyId } from '../common/crypto';
import { APP_CONFIG, ConfigError, loadConfig } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { TenantDb } from '../database/tenant-db.service';
import { asTenantId } from '../database/tenant-id';

/**
 * Every column holding a secret sealed with encryptSecret. A test walks the catalog and fails
 * when a `*_encrypted` column is missing here.
 */
export const ENCRYPTED_COLUMNS: readonly { table: string; column: string }[] = [
  { table: 'tenant_senders', column: 'twilio_auth_token_encrypted' },
  { table: 'webhook_subscriptions', column: 'secret_encrypted' },
];

export interface ReencryptReport {
  /** Secrets now sealed under the current key, per table.column. */
  reencrypted: Record<string, number>;
  /** Already under the current key. */
  current: number;
  /** Sealed under no key of the keyring: left as they are (re-enter them). */
  unreadable: { table: string; column: string; tenantId: string; keyId: string | null }[];
}

/**
 * Moves every stored secret to the current ENCRYPTION_KEY: each one sealed under an old key (or in
 * the id-less v1 format) is opened with the keyring and sealed again, tenant by tenant, each in its
 * own transaction under RLS. Idempotent; safe to run while the API serves (a value changed in
 * between is left alone: the UPDATE matches the old sealed text). After it, ENCRYPTION_KEYS_OLD is
 * needed only for unsubscribe links in emails sent before the rotation.
 */
export async function reencryptSecrets(app: INestApplicationContext): Promise<ReencryptReport> {
  const keyring: Keyring = app.get<AppConfig>(APP_CONFIG).encryptionKeyring;
  const db = app.get(TenantDb);
  // The one cross-tenant read: the tenants' ids (as the schema owner, like the dispatcher's claim).
  const tenants = (await app.get(DataSource).query(`SELECT id FROM tenants ORDER BY id`)) as { id: string }[];
  const report: ReencryptReport = { reencrypted: {}, current: 0, unreadable: [] };
  for (const { table, column } of ENCRYPTED_COLUMNS) report.reencrypted[`${table}.${column}`] = 0;
  for (const { id } of tenants) {
    await db.tx(asTenantId(id), async (tx) => {
      for (const { table, column } of ENCRYPTED_COLUMNS) {
        const rows = await tx.query<{ sealed: string }>(`SELECT DISTINCT ${column} AS sealed FROM ${table} WHERE tenant_id = $1 AND ${column} IS NOT NULL`, [tx.tenantId]);
        for (const { sealed } of rows) {
          if (sealedKeyId(sealed) === keyring.current.id) {
            report.current += 1;
            continue;
          }
          let plain: string;
          try {
            plain = decryptSecret(keyring, sealed);
          } catch {
            report.unreadable.push({ table, column, tenantId: id, keyId: sealedKeyId(sealed) ?? null });
            continue;
          }
          const moved = await tx.query<{ n: number }>(
            `WITH u AS (UPDATE ${table} SET ${column} = $3 WHERE tenant_id = $1 AND ${column} = $2 RETURNING 1) SELECT count(*)::int AS n FROM u`,
            [tx.tenantId, sealed, encryptSecret(keyring, plain)],
          );
          report.reencrypted[`${table}.${column}`]! += moved[0]?.n ?? 0;
        }
      }
    });
  }
  return report;
}

/** `npm run keys:reencrypt`: the same configuration as the API (ENCRYPTION_KEY, ENCRYPTION_KEYS_OLD). */
async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] !== 'reencrypt') {
    process.stderr.write('usage: keys reencrypt   (re-seal every stored secret under ENCRYPTION_KEY, reading old ones with ENCRYPTION_KEYS_OLD)\n');
    return 2;
  }
  const config = { ...loadConfig(), scheduler: false, logLevel: 'warn' as const };
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir, () => undefined);
  const { app, dataSource } = await createApp({ config, databaseUrl: config.databaseUrl ?? embedded!.url });
  try {
    const report = await reencryptSecrets(app);
    process.stdout.write(`${JSON.stringify({ currentKeyId: config.encryptionKeyring.current.id, ...report }, null, 2)}\n`);
    return report.unreadable.length > 0 ? 1 : 0;
  } finally {
    await app.close();
    if (dataSource.isInitialized) await dataSource.destroy();
    if (embedded) await embedded.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
