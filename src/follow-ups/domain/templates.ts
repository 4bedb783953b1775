/**
 * Message templates: the default texts of the playbook, the `{{variable}}` syntax, validation of
 * a tenant's overrides, rendering, and SMS segment counting.
 *
 * Templates are plain text (no HTML) written in a recruiter's voice: first person, warm, short,
 * and always naming the firm on SMS so the person knows who is texting.
 */
import type { Channel } from '../../messaging/domain/channel';

// ---------------------------------------------------------------------------------------------
// Variable catalog
// ---------------------------------------------------------------------------------------------

/** The fixed set of variables a template may use. Tenants cannot add their own. */
export const TEMPLATE_VARIABLES = [
  'recipientFirstName',
  'recipientName',
  'candidateName',
  'candidateFirstName',
  'company',
  'position',
  'interviewTime',
  'interviewDate',
  'interviewers',
  'recruiterName',
  'recruiterEmail',
  'firmName',
  'leadStatus',
  'referrerName',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** What each variable holds. The caller formats every value; templates only substitute. */
export const TEMPLATE_VARIABLE_DESCRIPTIONS: Readonly<Record<TemplateVariable, string>> = {
  recipientFirstName: 'First name of the person the message goes to',
  recipientName: 'Full name of the person the message goes to',
  candidateName: "The candidate's full name",
  candidateFirstName: "The candidate's first name",
  company: 'The employer of the lead',
  position: 'The position (job title) of the lead',
  interviewTime: 'Interview start time, formatted in the recipient\'s time zone, e.g. "10:30 AM EDT"',
  interviewDate: 'Interview date in the recipient\'s time zone, e.g. "Wednesday, March 12"',
  interviewers: 'Interviewer names joined for prose, e.g. "Ann and Bob"; "the hiring team" when unknown',
  recruiterName: 'Full name of the owning recruiter',
  recruiterEmail: "The owning recruiter's email address",
  firmName: 'Name of the staffing firm (the tenant)',
  leadStatus: 'The lead status in words, e.g. "interviewing"',
  referrerName: 'Full name of the person who referred the candidate',
};

/**
 * Variables by what a follow-up is about, for the rules' `variables` lists: every follow-up
 * knows who it goes to and who sends it; one about a candidate, a lead or an interview knows more.
 */
export const ALWAYS_VARIABLES: readonly TemplateVariable[] = ['recipientFirstName', 'recipientName', 'recruiterName', 'recruiterEmail', 'firmName'];
export const CANDIDATE_VARIABLES: readonly TemplateVariable[] = ['candidateName', 'candidateFirstName'];
export const LEAD_VARIABLES: readonly TemplateVariable[] = [...CANDIDATE_VARIABLES, 'company', 'position'];
export const INTERVIEW_VARIABLES: readonly TemplateVariable[] = [...LEAD_VARIABLES, 'interviewTime', 'interviewDate', 'interviewers'];

export type TemplateVars = Readonly<Partial<Record<TemplateVariable, string>>>;

// ---------------------------------------------------------------------------------------------
// Templates and audiences
// ---------------------------------------------------------------------------------------------

export interface EmailTemplate {
  readonly subject: string;
  readonly body: string;
}

export interface SmsTemplate {
  readonly body: string;
}

/**
 * Who a template speaks to. Some rules reach two kinds of people with different words: an
 * interview confirmation goes to the candidate and to the employer contact; a nudge follows up a
 * resume (to a contact) or a check-in (to a candidate). So templates are keyed by channel and
 * audience. Interviewers, referrers, references and employer contacts are all `contact`.
 */
export const AUDIENCES = ['candidate', 'contact'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** A rule's templates: per channel, per audience. */
export interface RuleTemplates {
  readonly email: Readonly<Partial<Record<Audience, EmailTemplate>>>;
  readonly sms: Readonly<Partial<Record<Audience, SmsTemplate>>>;
}

const SIGNATURE = '\n\nBest regards,\n{{recruiterName}}\n{{firmName}}\n{{recruiterEmail}}';

/** Email bodies share one greeting and signature so they read as one recruiter. */
export function emailTemplate(subject: string, paragraphs: readonly string[]): EmailTemplate {
  return { subject, body: `Hi {{recipientFirstName}},\n\n${paragraphs.join('\n\n')}${SIGNATURE}` };
}

/**
 * SMS texts open with who is writing, because a text from an unknown number is otherwise ignored.
 * They use only GSM-7 characters (straight apostrophes, no dashes or emoji), so a message stays
 * at 153 characters per segment unless a name itself needs Unicode.
 */
export function smsTemplate(rest: string): SmsTemplate {
  return { body: `Hi {{recipientFirstName}}, {{recruiterName}} from {{firmName}} here. ${rest}` };
}

// ---------------------------------------------------------------------------------------------
// Parsing and validation
// ---------------------------------------------------------------------------------------------

/** `{{name}}` or `{{ name }}`; the name is checked separately so typos get a precise message. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export interface TemplateProblem {
  /** Which part of the template: an email's `subject` or `body`, or an SMS `body`. */
  readonly field: 'subject' | 'body';
  /** The variable at fault, when the problem is about one. */
  readonly variable?: string;
  readonly message: string;
}

/** Thrown by the render functions. Names the variable, so a bad override is easy to find. */
export class TemplateRenderError extends Error {
  constructor(
    message: string,
    readonly variable?: string,
  ) {
    super(message);
    this.name = 'TemplateRenderError';
  }
}

/** The most SMS segments a template's fixed text may take (before any variable is filled in). */
export const MAX_SMS_TEMPLATE_SEGMENTS = 2;

/**
 * Checks a template before a tenant saves it: balanced `{{ }}`, only catalog variables (and, with
 * `allowed`, only the ones the rule guarantees), non-empty text, a one-line subject, and an SMS
 * body whose fixed text fits in two segments. Returns every problem found, or an empty list.
 * A template with a `subject` is an email template; one without is an SMS template.
 */
export function validateTemplate(
  template: string | EmailTemplate | SmsTemplate,
  allowed: readonly TemplateVariable[] = TEMPLATE_VARIABLES,
): TemplateProblem[] {
  if (typeof template === 'string') {
    return validateText(template, 'body', allowed);
  }
  const problems: TemplateProblem[] = [];
  if ('subject' in template) {
    problems.push(...validateText(template.subject, 'subject', allowed));
    if (/[\r\n]/.test(template.subject)) {
      problems.push({ field: 'subject', message: 'the subject must be a single line' });
    }
  } else {
    problems.push(...validateSmsLength(template.body));
  }
  problems.push(...validateText(template.body, 'body', allowed));
  return problems;
}

function validateText(
  text: string,
  field: TemplateProblem['field'],
  allowed: readonly TemplateVariable[],
): TemplateProblem[] {
  if (text.trim() === '') {
    return [{ field, message: 'must not be empty' }];
  }
  const problems: TemplateProblem[] = [];
  for (const name of placeholderNames(text)) {
    const problem = variableProblem(name, allowed);
    if (problem !== null) {
      problems.push({ field, variable: name, message: problem });
    }
  }
  const stray = strayBraces(text);
  if (stray !== null) {
    problems.push({ field, message: stray });
  }
  return problems;
}

function validateSmsLength(body: string): TemplateProblem[] {
  const fixed = body.replace(PLACEHOLDER, '');
  const { segments } = smsSegments(fixed);
  if (segments <= MAX_SMS_TEMPLATE_SEGMENTS) {
    return [];
  }
  return [
    {
      field: 'body',
      message: `the SMS text takes ${segments} segments before variables are filled in; keep it within ${MAX_SMS_TEMPLATE_SEGMENTS}`,
    },
  ];
}

function variableProblem(name: string, allowed: readonly TemplateVariable[]): string | null {
  if (!VARIABLE_NAME.test(name)) {
    return `"{{${name}}}" is not a valid variable name`;
  }
  if (!isTemplateVariable(name)) {
    const hint = closestVariable(name);
    return `unknown variable "${name}"${hint === null ? '' : `; did you mean "${hint}"?`}`;
  }
  if (!allowed.includes(name)) {
    return `variable "${name}" is not available for this message; available: ${allowed.join(', ')}`;
  }
  return null;
}

/** A `{{` or `}}` left over once every well-formed placeholder is removed. */
function strayBraces(text: string): string | null {
  if (/\{\{\{|\}\}\}/.test(text)) {
    return 'triple braces are not supported; use {{variable}}';
  }
  const rest = text.replace(PLACEHOLDER, '');
  const at = rest.search(/\{\{|\}\}/);
  if (at === -1) {
    return null;
  }
  const near = rest.slice(Math.max(0, at - 10), at + 12);
  return `unbalanced braces near "${near}": every {{ needs a matching }}`;
}

function placeholderNames(text: string): string[] {
  return Array.from(text.matchAll(PLACEHOLDER), (match) => match[1] ?? '');
}

export function isTemplateVariable(name: string): name is TemplateVariable {
  return (TEMPLATE_VARIABLES as readonly string[]).includes(name);
}

/** Suggests a catalog variable within edit distance 2 (ignoring case), for typo messages. */
function closestVariable(name: string): TemplateVariable | null {
  let best: TemplateVariable | null = null;
  let bestDistance = 3;
  for (const candidate of TEMPLATE_VARIABLES) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/**
 * Fills in `{{variable}}` placeholders. Values are inserted verbatim: no escaping, no case
 * changes, and no re-expansion (a value containing `{{x}}` or `$&` stays as written). Throws a
 * TemplateRenderError for malformed text, an unknown variable, or a value that is missing or
 * blank, so a message never goes out as "Hi ,".
 */
export function renderTemplate(text: string, vars: TemplateVars): string {
  const stray = strayBraces(text);
  if (stray !== null) {
    throw new TemplateRenderError(stray);
  }
  return text.replace(PLACEHOLDER, (_match, rawName: string) => valueOf(rawName, vars));
}

export function renderEmail(template: EmailTemplate, vars: TemplateVars): EmailTemplate {
  return { subject: renderTemplate(template.subject, vars), body: renderTemplate(template.body, vars) };
}

export function renderSms(template: SmsTemplate, vars: TemplateVars): string {
  return renderTemplate(template.body, vars);
}

function valueOf(name: string, vars: TemplateVars): string {
  if (!isTemplateVariable(name)) {
    throw new TemplateRenderError(`unknown template variable "${name}"`, name);
  }
  const value = vars[name];
  if (value === undefined || value.trim() === '') {
    throw new TemplateRenderError(`missing value for template variable "${name}"`, name);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// SMS
// ---------------------------------------------------------------------------------------------

/** The GSM 03.38 basic character set (one septet each). */
const GSM7_BASIC = new Set(
  Array.from(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ),
);
/** The GSM 03.38 extension table: an escape plus the character, so two septets each. */
const GSM7_EXTENDED = new Set(Array.from('\f^{}\\[~]|€'));

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegmentInfo {
  readonly encoding: SmsEncoding;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  readonly units: number;
  readonly segments: number;
}

/**
 * How many SMS segments a text takes. GSM-7 when every character is in the GSM 03.38 tables:
 * 160 septets in one segment, 153 per segment when concatenated. Otherwise UCS-2: 70 code units,
 * or 67 per segment. A character is never split across two segments (an escape sequence or a
 * surrogate pair moves whole to the next one), which is what handsets and Twilio do.
 * Twilio's optional "smart encoding" could make some texts GSM-7; we do not count on it.
 */
export function smsSegments(text: string): SmsSegmentInfo {
  const chars = Array.from(text);
  const gsm = chars.every((c) => GSM7_BASIC.has(c) || GSM7_EXTENDED.has(c));
  const widths = gsm
    ? chars.map((c) => (GSM7_EXTENDED.has(c) ? 2 : 1))
    : chars.map((c) => ((c.codePointAt(0) ?? 0) > 0xffff ? 2 : 1));
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', units: sum(widths), segments: countSegments(widths, single, multi) };
}

function countSegments(widths: readonly number[], single: number, multi: number): number {
  const total = sum(widths);
  if (total === 0) {
    return 0;
  }
  if (total <= single) {
    return 1;
  }
  let segments = 1;
  let used = 0;
  for (const width of widths) {
    if (used + width > multi) {
      segments += 1;
      used = 0;
    }
    used += width;
  }
  return segments;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
