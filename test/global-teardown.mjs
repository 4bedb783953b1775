import pg from 'pg';

export default async function globalTeardown() {
  const info = globalThis.__TOUCHPOINT_TEST_DB__;
  if (info) {
    const admin = new pg.Client({ connectionString: info.serverUrl });
    try {
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${info.dbName}" WITH (FORCE)`);
    } catch (e) {
      process.stderr.write(`could not drop test database ${info.dbName}: ${String(e)}\n`);
    } finally {
      await admin.end().catch(() => {});
    }
  }
  const embedded = globalThis.__TOUCHPOINT_EMBEDDED__;
  if (embedded) await embedded.stop();
}
