import { withOptOutLine } from '../../messaging/domain/sms-compliance';
import { AUDIENCES, renderEmail, renderSms, smsSegments, validateTemplate } from '../domain/templates';
import type { Audience, EmailTemplate, SmsTemplate } from '../domain/templates';
import { LONG_VARS, UNICODE_VARS } from '../../../test/support/template-vars';
import { RULES, ruleOf } from './index';
import type { RuleKey } from './index';

const entries = <T>(channel: 'email' | 'sms'): [RuleKey, Audience, T][] =>
  RULES.flatMap((rule) => rule.audiences.map((audience): [RuleKey, Audience, T] => [rule.key, audience, rule.templates[channel][audience] as T]));
const emailDefaults = entries<EmailTemplate>('email');
const smsDefaults = entries<SmsTemplate>('sms');

describe("the rules' templates", () => {
  it('every rule guarantees the recipient, recruiter and firm', () => {
    for (const rule of RULES) expect(rule.variables).toEqual(expect.arrayContaining(['recipientFirstName', 'recruiterName', 'firmName']));
  });

  it('exist for every rule, audience and channel the rule uses, and no others', () => {
    for (const rule of RULES) {
      for (const audience of AUDIENCES) {
        const used = rule.audiences.includes(audience);
        expect([rule.key, audience, rule.templates.email[audience] !== undefined]).toEqual([rule.key, audience, used]);
        expect([rule.key, audience, rule.templates.sms[audience] !== undefined]).toEqual([rule.key, audience, used]);
      }
    }
  });

  it.each(emailDefaults)('%s email to %s validates against the variables the rule guarantees', (rule, _audience, template) => {
    expect(validateTemplate(template, ruleOf(rule).variables)).toEqual([]);
  });

  it.each(smsDefaults)('%s SMS to %s validates against the variables the rule guarantees', (rule, _audience, template) => {
    expect(validateTemplate(template, ruleOf(rule).variables)).toEqual([]);
  });

  it.each(smsDefaults)('%s SMS to %s fits in 2 segments with long names, opt-out line included', (_rule, _audience, template) => {
    const text = withOptOutLine(renderSms(template, LONG_VARS), true);
    expect(smsSegments(text)).toMatchObject({ encoding: 'GSM-7', segments: expect.any(Number) });
    expect(smsSegments(text).segments).toBeLessThanOrEqual(2);
  });

  it.each(smsDefaults)(
    '%s SMS to %s stays within 3 segments even when names force UCS-2',
    (_rule, _audience, template) => {
      // A single "ë" switches the whole SMS to UCS-2. We accept a third segment for such names
      // rather than transliterate them.
      const text = withOptOutLine(renderSms(template, UNICODE_VARS), true);
      expect(smsSegments(text).encoding).toBe('UCS-2');
      expect(smsSegments(text).segments).toBeLessThanOrEqual(3);
    },
  );

  it.each(smsDefaults)('%s SMS to %s names the firm and uses only GSM-7 characters', (_rule, _audience, template) => {
    expect(template.body).toContain('{{firmName}}');
    expect(smsSegments(template.body).encoding).toBe('GSM-7');
  });

  it.each(emailDefaults)('%s email to %s greets the recipient and is signed by the recruiter', (_rule, _audience, template) => {
    const rendered = renderEmail(template, LONG_VARS);
    expect(rendered.body.startsWith('Hi Bartholomew,\n\n')).toBe(true);
    expect(rendered.body).toContain('Alexandra Montgomery\nBrightpath Talent Partners\nalexandra.montgomery@brightpath-talent.example');
    expect(rendered.subject).not.toMatch(/\n/);
  });

  it('renders names exactly as given (no mangling)', () => {
    const sms = renderSms(ruleOf('thank_you_reminder').templates.sms.candidate as SmsTemplate, UNICODE_VARS);
    expect(sms).toContain('Hi Zoë, Alexandra Reyes from Brightpath Staffing here.');
    expect(sms).toContain("email to Zoë O'Brien-Smith and Siobhán Nic Mhuiris today");
    const email = renderEmail(ruleOf('resume_follow_up').templates.email.contact as EmailTemplate, UNICODE_VARS);
    expect(email.subject).toBe('Following up: Łukasz Wiśniewski for Operations Manager');
  });

  it('the candidate reminder says whom to thank', () => {
    const sms = renderSms(ruleOf('thank_you_reminder').templates.sms.candidate as SmsTemplate, { ...LONG_VARS, interviewers: 'Ann and Bob' });
    expect(sms).toContain('thank-you email to Ann and Bob today');
  });

  it('confirmations ask for YES, which the inbound keyword handler understands', () => {
    for (const audience of ['candidate', 'contact'] as const) {
      expect(ruleOf('interview_confirmation').templates.sms[audience]?.body).toContain('Reply YES');
    }
  });
});

