import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { createApp } from '../bootstrap/create-app';
import { loadConfig } from '../config/app-config';
import { failureText } from '../common/describe-error';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { CandidatesService } from '../candidates/candidates.service';
import { CreateCandidateDto } from '../candidates/dto/candidate.dto';
import type { FieldError } from '../common/app.exception';
import { AppException, ErrorCode } from '../common/app.exception';
import { validateDto } from '../common/validation';
import { ContactsService } from '../contacts/contacts.service';
import { CreateContactDto } from '../contacts/dto/contact.dto';
import type { TenantId } from '../database/tenant-id';
import { CreateLeadDto } from '../leads/dto/lead.dto';
import { LeadsService } from '../leads/leads.service';
import { UsersService } from '../users/users.service';
import { CsvError, parseCsv } from './csv';
import { markRunning } from '../bootstrap/running-marker';

/**
 * `npm run import -- [--type candidates|contacts|leads] --api-key tp_… [--skip-invalid] [--source bullhorn] file.csv`
 *
 * 1. Authenticates the API key exactly as the API does (ApiKeysService.authenticate): the tenant
 *    comes from the key, which must hold the `<type>:write` scope.
 * 2. Parses the whole file (RFC 4180) and validates EVERY row with the API's own DTO classes
 *    (class-validator, same whitelist) and the references the database must know (ownerUserId,
 *    a lead's candidate): errors are reported with their row number, where the header is row 1,
 *    as a spreadsheet shows it.
 * 3. Writes nothing when any row is invalid, unless --skip-invalid (then only the valid rows).
 * 4. Writes each row through the same services as the API, idempotently: by (source, externalId)
 *    when the row has an externalId, else by email (candidates and contacts). A re-run of the
 *    same file changes nothing. Leads need an externalId, and name their candidate by
 *    candidateId, candidateExternalId or candidateEmail.
 * Progress goes to stderr, the summary to stdout. Exit code 0 when everything valid was written,
 * 1 when rows were invalid (nothing written) or a write failed, 2 on usage errors.
 */
export type ImportType = 'candidates' | 'contacts' | 'leads';
const TYPES: readonly ImportType[] = ['candidates', 'contacts', 'leads'];

export interface ImportOptions {
  file: string;
  apiKey: string;
  type?: ImportType;
  skipInvalid?: boolean;
  /** Default externalSource for rows without one (default "import"). */
  source?: string;
}

export interface RowError {
  row: number;
  errors: FieldError[];
}

export interface ImportReport {
  type: ImportType;
  rows: number;
  valid: number;
  invalid: RowError[];
  created: number;
  updated: number;
  failed: RowError[];
  wrote: boolean;
}

export interface ImportIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** stderr is a terminal: progress redraws one line (`\r`); otherwise it prints plain lines now and then. */
  tty?: boolean;
}

export class UsageError extends Error {}

const DTO: Record<ImportType, new () => object> = { candidates: CreateCandidateDto, contacts: CreateContactDto, leads: CreateLeadDto };
/** Lead columns that name the candidate without our id; resolved to candidateId before validation. */
const LEAD_CANDIDATE_REFS = ['candidateExternalId', 'candidateExternalSource', 'candidateEmail'];

interface Column {
  index: number;
  header: string;
  field: string | undefined;
  list: boolean;
}

interface PreparedRow {
  row: number;
  value: Record<string, unknown>;
}

const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The DTO's properties (from its validation metadata), by normalised name, and which take lists. */
function dtoFields(cls: new () => object): { byNorm: Map<string, string>; lists: Set<string> } {
  const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const byNorm = new Map<string, string>();
  const lists = new Set<string>();
  for (const m of metas) {
    byNorm.set(norm(m.propertyName), m.propertyName);
    if (m.each) lists.add(m.propertyName);
  }
  return { byNorm, lists };
}

export function detectType(file: string, header: string[]): ImportType {
  const name = basename(file).toLowerCase();
  for (const t of TYPES) if (name.includes(t) || name.includes(t.slice(0, -1))) return t;
  const cols = new Set(header.map(norm));
  if (cols.has('position') || cols.has('candidateid') || cols.has('candidateexternalid') || cols.has('candidateemail')) return 'leads';
  if (cols.has('company') || cols.has('roles') || cols.has('title')) return 'contacts';
  return 'candidates';
}

function columnsOf(type: ImportType, header: string[]): Column[] {
  const { byNorm, lists } = dtoFields(DTO[type]);
  if (type === 'leads') for (const ref of LEAD_CANDIDATE_REFS) byNorm.set(norm(ref), ref);
  return header.map((h, index) => {
    const field = byNorm.get(norm(h));
    return { index, header: h, field, list: field !== undefined && lists.has(field) };
  });
}

function progress(io: ImportIo, label: string, done: number, total: number): void {
  if (io.tty) {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    io.err(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
    return;
  }
  // A log file or a pipe: a plain line every tenth (at most one per 1,000 rows) and at the end.
  const step = Math.max(1000, Math.ceil(total / 10));
  if (done === total || done % step === 0) io.err(`${label.trim()}: ${done}/${total}\n`);
}

/**
 * One error per problem: the first message for each field (a value can break several rules of
 * one field), and none about candidateId when the lead's candidate reference is what failed.
 */
function onePerProblem(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  const referenceFailed = errors.some((e) => e.field === 'candidateExternalId' || e.field === 'candidateEmail');
  return errors.filter((e) => {
    if (referenceFailed && e.field === 'candidateId') return false;
    if (seen.has(e.field)) return false;
    seen.add(e.field);
    return true;
  });
}

/** Runs one import against a booted application context. Tests call this directly. */
export async function runImport(app: INestApplicationContext, options: ImportOptions, io: ImportIo): Promise<ImportReport> {
  const key = await app.get(ApiKeysService).authenticate(options.apiKey);
  if (!key || key.tenantStatus !== 'active') throw new UsageError('the API key is not valid (unknown, revoked or expired)');
  const text = readFileSync(options.file, 'utf8');
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvError) throw new UsageError(`${options.file}: ${err.message}`);
    throw err;
  }
  const [headerRecord, ...dataRecords] = records.filter((r) => r.fields.some((f) => f.trim() !== ''));
  if (!headerRecord) throw new UsageError(`${options.file} is empty`);
  const header = headerRecord.fields.map((h) => h.trim());
  const type = options.type ?? detectType(options.file, header);
  const needed = `${type}:write` as const;
  if (!key.scopes.includes(needed)) throw new UsageError(`the API key lacks the scope ${needed}`);
  const tenantId = key.tenantId;
  const actor = { kind: 'api_key' as const, id: key.apiKeyId };
  const columns = columnsOf(type, header);
  const unknown = columns.filter((c) => c.field === undefined && c.header !== '');
  if (unknown.length > 0) {
    const { byNorm } = dtoFields(DTO[type]);
    throw new UsageError(`unknown column(s) for ${type}: ${unknown.map((c) => `"${c.header}"`).join(', ')}. Known: ${[...new Set(byNorm.values())].join(', ')}`);
  }

  // 1. Validate every row first.
  const rowNumber = (i: number): number => i + 2; // the header is row 1
  const valid: PreparedRow[] = [];
  const invalid: RowError[] = [];
  const owners = new Map<string, boolean>();
  for (let i = 0; i < dataRecords.length; i += 1) {
    const rec = dataRecords[i]!;
    const row = rowNumber(i);
    const plain: Record<string, unknown> = {};
    for (const c of columns) {
      const raw = (rec.fields[c.index] ?? '').trim();
      if (raw === '' || !c.field) continue;
      plain[c.field] = c.list ? raw.split(/[;|]/).map((s) => s.trim()).filter(Boolean) : raw;
    }
    if (rec.fields.length > header.length && rec.fields.slice(header.length).some((f) => f.trim() !== '')) {
      invalid.push({ row, errors: [{ field: '(row)', message: `has ${rec.fields.length} fields; the header has ${header.length}` }] });
      continue;
    }
    const errors: FieldError[] = [];
    if (type === 'leads') await resolveLeadCandidate(app, tenantId, plain, options.source ?? 'import', errors);
    const { value, errors: dtoErrors } = await validateDto(DTO[type], plain);
    errors.push(...dtoErrors);
    const v = value as Record<string, unknown>;
    if (dtoErrors.length === 0 && typeof v.ownerUserId === 'string' && !(await isUser(app, tenantId, v.ownerUserId, owners))) {
      errors.push({ field: 'ownerUserId', message: 'is not a user of this firm' });
    }
    if (errors.length === 0 && typeof v.externalId !== 'string' && (type === 'leads' || typeof v.email !== 'string')) {
      errors.push({ field: 'externalId', message: type === 'leads' ? 'is required to import leads idempotently' : 'or email is required, so a re-run updates instead of duplicating' });
    }
    if (errors.length > 0) invalid.push({ row, errors: onePerProblem(errors) });
    else valid.push({ row, value: v });
    progress(io, 'validating', i + 1, dataRecords.length);
  }
  const report: ImportReport = { type, rows: dataRecords.length, valid: valid.length, invalid, created: 0, updated: 0, failed: [], wrote: false };
  for (const e of invalid) for (const fe of e.errors) io.err(`row ${e.row}: ${fe.field}: ${fe.message}\n`);
  if (invalid.length > 0 && !options.skipInvalid) {
    io.out(`${invalid.length} of ${dataRecords.length} rows are invalid; nothing was written (fix them, or pass --skip-invalid to import the ${valid.length} valid rows)\n`);
    return report;
  }

  // 2. Write, row by row, through the API's services.
  report.wrote = true;
  for (let i = 0; i < valid.length; i += 1) {
    const { row, value } = valid[i]!;
    try {
      const created = await writeRow(app, type, tenantId, value, options.source ?? 'import', actor);
      if (created) report.created += 1;
      else report.updated += 1;
    } catch (err) {
      if (!(err instanceof AppException)) throw err;
      const errors = onePerProblem(err.options.errors ?? [{ field: '(row)', message: err.detail }]);
      report.failed.push({ row, errors });
      for (const fe of errors) io.err(`row ${row}: ${fe.field}: ${fe.message}\n`);
    }
    progress(io, 'importing ', i + 1, valid.length);
  }
  io.out(
    `${type}: ${report.created} created, ${report.updated} already present (updated where different)` +
      `${invalid.length ? `, ${invalid.length} invalid skipped` : ''}${report.failed.length ? `, ${report.failed.length} failed` : ''}\n`,
  );
  return report;
}

/** Whether `id` is a live user of the tenant (cached per import). */
async function isUser(app: INestApplicationContext, tenantId: TenantId, id: string, cache: Map<string, boolean>): Promise<boolean> {
  const known = cache.get(id);
  if (known !== undefined) return known;
  let ok = true;
  try {
    await app.get(UsersService).get(tenantId, id);
  } catch (err) {
    if (!(err instanceof AppException && err.code === ErrorCode.NotFound)) throw err;
    ok = false;
  }
  cache.set(id, ok);
  return ok;
}

async function resolveLeadCandidate(app: INestApplicationContext, tenantId: TenantId, plain: Record<string, unknown>, source: string, errors: FieldError[]): Promise<void> {
  const extId = plain.candidateExternalId;
  const extSource = plain.candidateExternalSource;
  const email = plain.candidateEmail;
  delete plain.candidateExternalId;
  delete plain.candidateExternalSource;
  delete plain.candidateEmail;
  if (plain.candidateId !== undefined) return;
  const candidates = app.get(CandidatesService);
  if (typeof extId === 'string') {
    const id = await candidates.findIdByExternalId(tenantId, typeof extSource === 'string' ? extSource : source, extId);
    if (id) plain.candidateId = id;
    else errors.push({ field: 'candidateExternalId', message: `no candidate has the external id ${extId}` });
  } else if (typeof email === 'string') {
    const id = await candidates.findIdByEmail(tenantId, email);
    if (id) plain.candidateId = id;
    else errors.push({ field: 'candidateEmail', message: `no candidate has the email ${email}` });
  }
}

/** Writes one validated row; true when it created a record. */
async function writeRow(
  app: INestApplicationContext,
  type: ImportType,
  tenantId: TenantId,
  value: Record<string, unknown>,
  defaultSource: string,
  actor: { kind: 'api_key'; id: string },
): Promise<boolean> {
  const { externalId, externalSource, ...fields } = value as { externalId?: string; externalSource?: string; email?: string };
  const source = externalSource ?? defaultSource;
  if (type === 'candidates') {
    const svc = app.get(CandidatesService);
    if (externalId) return (await svc.upsertByExternalId(tenantId, source, externalId, fields as CreateCandidateDto, actor)).created;
    const existing = await svc.findIdByEmail(tenantId, fields.email!);
    if (existing) {
      await svc.update(tenantId, existing, fields as CreateCandidateDto, actor);
      return false;
    }
    await svc.create(tenantId, fields as CreateCandidateDto, actor);
    return true;
  }
  if (type === 'contacts') {
    const svc = app.get(ContactsService);
    if (externalId) return (await svc.upsertByExternalId(tenantId, source, externalId, fields as CreateContactDto, actor)).created;
    const existing = await svc.findIdByEmail(tenantId, fields.email!);
    if (existing) {
      await svc.update(tenantId, existing, fields as CreateContactDto, actor);
      return false;
    }
    await svc.create(tenantId, fields as CreateContactDto, actor);
    return true;
  }
  const leads = app.get(LeadsService);
  const before = await leads.findIdByExternalId(tenantId, source, externalId!);
  await leads.upsertByExternalId(tenantId, source, externalId!, fields as CreateLeadDto, actor);
  return before === undefined;
}

export function parseArgs(argv: readonly string[]): ImportOptions {
  const opts: Partial<ImportOptions> = {};
  const files: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[i + 1];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      i += 1;
      return v;
    };
    if (a === '--type') {
      const t = next();
      if (!(TYPES as readonly string[]).includes(t)) throw new UsageError(`--type must be one of ${TYPES.join(', ')}`);
      opts.type = t as ImportType;
    } else if (a === '--api-key') opts.apiKey = next();
    else if (a === '--source') opts.source = next();
    else if (a === '--skip-invalid') opts.skipInvalid = true;
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else files.push(a);
  }
  opts.apiKey ??= process.env.TOUCHPOINT_API_KEY;
  if (files.length !== 1) throw new UsageError('give exactly one CSV file');
  if (!opts.apiKey) throw new UsageError('--api-key tp_… (or TOUCHPOINT_API_KEY) is required');
  return { ...opts, file: files[0]!, apiKey: opts.apiKey };
}

const USAGE = 'usage: npm run import -- [--type candidates|contacts|leads] --api-key tp_… [--skip-invalid] [--source ats-name] file.csv\n';

/** The process entry: boots the application (no HTTP listener, no scheduler), imports, exits. */
export async function main(argv: readonly string[], io: ImportIo): Promise<number> {
  let options: ImportOptions;
  try {
    options = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  const config = { ...loadConfig(), scheduler: false, logLevel: 'warn' as const };
  let embedded: { url: string; stop(): Promise<void> } | undefined;
  if (!config.databaseUrl) {
    // The embedded database of this folder: the one `npm start` is running, if it is.
    embedded = await startEmbeddedPostgres(config.dataDir, (m) => io.err(`${m}\n`), { runtimeDir: config.embeddedPostgresRuntimeDir });
  }
  const { app, dataSource } = await createApp({ config, databaseUrl: config.databaseUrl ?? embedded!.url });
  try {
    const report = await runImport(app, options, io);
    return report.invalid.length > 0 && !report.wrote ? 1 : report.failed.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    await app.close();
    if (dataSource.isInitialized) await dataSource.destroy();
    if (embedded) await embedded.stop();
  }
}

if (require.main === module) {
  markRunning();
  main(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), tty: process.stderr.isTTY === true })
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      process.stderr.write(`import failed: ${failureText(err)}\n`);
      process.exit(1);
    });
}
