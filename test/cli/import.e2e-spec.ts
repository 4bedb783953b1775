import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, runImport, UsageError } from '../../src/cli/import';
import { bootTestApp, countRows, createApiKey, signup, SignedUp, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, TestApp, testDatabaseUrl, withAdminDb } from '../support/test-app';

const dir = mkdtempSync(join(tmpdir(), 'touchpoint-import-'));
function csv(name: string, lines: string[], eol = '\r\n'): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join(eol) + eol);
  return file;
}

class Io {
  out = '';
  err = '';
  readonly io: { out: (s: string) => void; err: (s: string) => void; tty: boolean };
  constructor(tty = false) {
    this.io = { out: (s: string) => void (this.out += s), err: (s: string) => void (this.err += s), tty };
  }
}

const CLEAN = [
  'External ID,Name,Email,Phone,Time Zone,Preferred Channel',
  'BH-1,"Doe, Jane",jane.doe@example.com,+1 (415) 555-2671,America/New_York,sms',
  'BH-2,Sam Lee,sam.lee@example.com,+44 20 7946 0958,,email',
  ',Ann Email-Only,ann.only@example.com,,,',
  'BH-4,"Quote ""Q"" Person",q.person@example.com,,,',
  'BH-5,Bo Five,bo.five@example.com,+14155550105,,',
  'BH-6,Cy Six,cy.six@example.com,+14155550106,,',
  'BH-7,Di Seven,di.seven@example.com,+14155550107,,',
];

describe('npm run import (CSV)', () => {
  let t: TestApp;
  let a: SignedUp;
  let key: string;
  beforeAll(async () => {
    t = await bootTestApp({ env: { SCHEDULER: 'off' } });
    a = await signup(t);
    key = (await createApiKey(t, a, ['candidates:write', 'candidates:read', 'contacts:write', 'leads:write'])).secret;
  });
  afterAll(async () => {
    await t.close();
  });
  const candidates = (): Promise<number> => countRows('candidates', 'tenant_id = $1', [a.tenantId]);

  it('an invalid phone on row 7 is reported as row 7, and nothing is written', async () => {
    const lines = [...CLEAN];
    lines[6] = 'BH-6,Cy Six,cy.six@example.com,12345,,'; // row 7 as a spreadsheet shows it (the header is row 1)
    const io = new Io();
    const report = await runImport(t.app, { file: csv('candidates-bad.csv', lines), apiKey: key }, io.io);
    expect(report.type).toBe('candidates');
    expect(report.invalid).toEqual([{ row: 7, errors: [expect.objectContaining({ field: 'phone' })] }]);
    expect(report.wrote).toBe(false);
    expect(io.err).toMatch(/row 7: phone: /);
    expect(io.out).toMatch(/1 of 7 rows are invalid; nothing was written/);
    expect(await candidates()).toBe(0);
  });

  it('a clean file imports; a re-run changes nothing', async () => {
    const file = csv('candidates.csv', CLEAN);
    const io = new Io(true); // a terminal: the redrawn bar
    const first = await runImport(t.app, { file, apiKey: key, source: 'bullhorn' }, io.io);
    expect(first).toMatchObject({ rows: 7, valid: 7, created: 7, updated: 0, invalid: [], failed: [], wrote: true });
    expect(io.err).toContain('importing  [##############################] 7/7');
    expect(await candidates()).toBe(7);
    const jane = await withAdminDb(async (c) => (await c.query(`SELECT * FROM candidates WHERE tenant_id = $1 AND external_id = 'BH-1'`, [a.tenantId])).rows[0]);
    expect(jane).toMatchObject({ name: 'Doe, Jane', phone: '+14155552671', time_zone: 'America/New_York', preferred_channel: 'sms', external_source: 'bullhorn' });
    expect(await countRows('candidates', `tenant_id = $1 AND name = 'Quote "Q" Person'`, [a.tenantId])).toBe(1);

    const snapshot = async (): Promise<unknown> =>
      withAdminDb(async (c) => (await c.query(`SELECT id, name, email, phone, updated_at FROM candidates WHERE tenant_id = $1 ORDER BY id`, [a.tenantId])).rows);
    const before = await snapshot();
    const events = await countRows('outbox_events', 'tenant_id = $1', [a.tenantId]);
    const again = await runImport(t.app, { file, apiKey: key, source: 'bullhorn' }, new Io().io);
    expect(again).toMatchObject({ created: 0, updated: 7, invalid: [], failed: [] });
    expect(await snapshot()).toEqual(before);
    expect(await countRows('outbox_events', 'tenant_id = $1', [a.tenantId])).toBe(events);
  });

  it('--skip-invalid writes only the valid rows; a row without externalId or email is invalid', async () => {
    const b = await signup(t);
    const bKey = (await createApiKey(t, b, ['candidates:write'])).secret;
    const ownerless = csv('owners.csv', ['name,email,ownerUserId', `Owned,owned@example.com,${b.userId}`, 'Stranger,stranger@example.com,00000000-0000-4000-8000-000000000000']);
    const owned = await runImport(t.app, { file: ownerless, apiKey: bKey }, new Io().io);
    expect(owned.invalid.map((e) => [e.row, e.errors[0]!.field])).toEqual([[3, 'ownerUserId']]);
    expect(await countRows('candidates', 'tenant_id = $1', [b.tenantId])).toBe(0);
    const file = csv('people.csv', ['name,email,phone', 'Good One,good.one@example.com,+14155550111', 'No Key,,', 'Bad Mail,not-an-email,', 'Good Two,good.two@example.com,'], '\n');
    const io = new Io();
    const report = await runImport(t.app, { file, apiKey: bKey, skipInvalid: true, type: 'candidates' }, io.io);
    expect(report.invalid.map((e) => [e.row, e.errors[0]!.field])).toEqual([[3, 'externalId'], [4, 'email']]);
    expect(report).toMatchObject({ created: 2, wrote: true });
    expect(await countRows('candidates', 'tenant_id = $1', [b.tenantId])).toBe(2);
    // Idempotent by email too.
    await runImport(t.app, { file, apiKey: bKey, skipInvalid: true, type: 'candidates' }, new Io().io);
    expect(await countRows('candidates', 'tenant_id = $1', [b.tenantId])).toBe(2);
  });

  it('imports contacts and leads (a lead names its candidate by external id or email)', async () => {
    const contacts = csv('contacts.csv', ['externalId,name,email,company,title,roles', 'C-1,Ann Employer,ann@globex.example.com,Globex,CTO,employer_contact;interviewer']);
    const c = await runImport(t.app, { file: contacts, apiKey: key }, new Io().io);
    expect(c).toMatchObject({ type: 'contacts', created: 1, invalid: [] });
    const roles = await withAdminDb(async (db) => (await db.query(`SELECT roles FROM contacts WHERE tenant_id = $1 AND external_id = 'C-1'`, [a.tenantId])).rows[0].roles);
    expect(roles).toEqual(['employer_contact', 'interviewer']);

    const leads = csv('leads.csv', [
      'externalId,candidateExternalId,candidateExternalSource,company,position,status',
      'L-1,BH-1,bullhorn,Globex,Engineer,applied',
      'L-2,NOPE,bullhorn,Initech,Engineer,',
    ]);
    const bad = await runImport(t.app, { file: leads, apiKey: key }, new Io().io);
    // One problem, one error: not also "candidateId must be a UUID".
    expect(bad.invalid).toEqual([{ row: 3, errors: [{ field: 'candidateExternalId', message: 'no candidate has the external id NOPE' }] }]);
    expect(await countRows('leads', 'tenant_id = $1', [a.tenantId])).toBe(0);
    const ok = csv('leads-ok.csv', ['externalId,candidateEmail,company,position,status', 'L-1,jane.doe@example.com,Globex,Engineer,applied']);
    expect(await runImport(t.app, { file: ok, apiKey: key }, new Io().io)).toMatchObject({ type: 'leads', created: 1 });
    expect(await runImport(t.app, { file: ok, apiKey: key }, new Io().io)).toMatchObject({ created: 0, updated: 1, failed: [] });
    expect(await countRows('leads', `tenant_id = $1 AND status = 'applied'`, [a.tenantId])).toBe(1);
  });

  it('refuses a bad key, a missing scope, unknown columns and bad arguments', async () => {
    const file = csv('candidates-x.csv', CLEAN);
    await expect(runImport(t.app, { file, apiKey: 'tp_notavalidkeynotavalidkey123' }, new Io().io)).rejects.toThrow(UsageError);
    const readOnly = (await createApiKey(t, a, ['candidates:read'])).secret;
    await expect(runImport(t.app, { file, apiKey: readOnly }, new Io().io)).rejects.toThrow('candidates:write');
    const odd = csv('candidates-odd.csv', ['name,favourite colour', 'X,blue']);
    await expect(runImport(t.app, { file: odd, apiKey: key }, new Io().io)).rejects.toThrow('unknown column');
    const tenant = csv('candidates-tenant.csv', ['name,email,tenantId', `X,x@example.com,${a.tenantId}`]);
    await expect(runImport(t.app, { file: tenant, apiKey: key }, new Io().io)).rejects.toThrow('unknown column');
    expect(() => parseArgs(['--type', 'jobs', 'f.csv', '--api-key', key])).toThrow('--type');
    expect(() => parseArgs(['--api-key', key])).toThrow('exactly one');
    expect(parseArgs(['--skip-invalid', '--api-key', key, 'f.csv'])).toMatchObject({ file: 'f.csv', skipInvalid: true, apiKey: key });
  });

  it('runs as a process from dist (what npm run import runs; npm test builds first)', () => {
    const script = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'import.js');
    expect(existsSync(script)).toBe(true);
    const file = csv('candidates-spawn.csv', ['externalId,name,email', 'SP-1,Spawned One,spawned.one@example.com', 'SP-2,Spawned Two,not-an-email']);
    const env = { ...process.env, NODE_ENV: 'test', DATABASE_URL: testDatabaseUrl(), JWT_SECRET: TEST_JWT_SECRET, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, DATA_DIR: dir, LOG_LEVEL: 'silent' };
    const bad = spawnSync(process.execPath, [script, '--api-key', key, file], { env, encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('row 3: email');
    const good = spawnSync(process.execPath, [script, '--api-key', key, '--skip-invalid', file], { env, encoding: 'utf8', timeout: 60_000 });
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('candidates: 1 created');
  }, 90_000);

  it('one error per problem: a value that breaks two rules of its field is one line', async () => {
    const file = csv('candidates-double.csv', ['externalId,name,email', 'DB-1,Double Trouble,not an email\u202e']);
    const io = new Io();
    const report = await runImport(t.app, { file, apiKey: key }, io.io);
    expect(report.invalid).toEqual([{ row: 2, errors: [{ field: 'email', message: expect.any(String) }] }]);
    expect(io.err.match(/^row 2: /gm)).toHaveLength(1);
  });

  it('progress: a redrawn bar (\\r) on a terminal only; plain lines in a log', async () => {
    const lines = ['externalId,name,email', ...Array.from({ length: 12 }, (_, i) => `PG-${i},Progress ${i},progress.${i}@example.com`)];
    const file = csv('candidates-progress.csv', lines);
    const log = new Io(false);
    await runImport(t.app, { file, apiKey: key }, log.io);
    expect(log.err).not.toContain('\r');
    expect(log.err).toContain('validating: 12/12\n');
    expect(log.err).toContain('importing: 12/12\n');
    const terminal = new Io(true);
    await runImport(t.app, { file, apiKey: key }, terminal.io);
    expect(terminal.err).toContain('\rvalidating [');
  });
});
