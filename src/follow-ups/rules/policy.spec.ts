import { durationProblem } from '../domain/durations';
import type { FieldError, Validation } from '../domain/durations';
import { expectsReply, isRuleKey, RULE_KEYS, RULES, ruleOf } from './index';
import { DEFAULT_POLICY, validatePolicyPatch } from './policy';
import type { FollowUpPolicy } from './policy';

const errorsOf = (result: Validation<FollowUpPolicy>): FieldError[] => (result.ok ? [] : result.errors);
const policyOf = (result: Validation<FollowUpPolicy>): FollowUpPolicy => {
  if (!result.ok) throw new Error(`expected a valid policy, got ${JSON.stringify(result.errors)}`);
  return result.value;
};

describe('rule keys', () => {
  it('lists the nine playbook rules', () => {
    expect(RULE_KEYS).toEqual([
      'resume_follow_up',
      'interview_confirmation',
      'interview_thank_you',
      'thank_you_reminder',
      'referral_update',
      'reference_heads_up',
      'offer_thank_you',
      'no_reply_nudge',
      'candidate_check_in',
    ]);
    expect(isRuleKey('offer_thank_you')).toBe(true);
    expect(isRuleKey('birthday_card')).toBe(false);
    expect(isRuleKey(3)).toBe(false);
  });

  it('knows which rules expect a reply', () => {
    expect(RULES.filter((r) => r.expectsReply).map((r) => r.key).sort()).toEqual(['candidate_check_in', 'no_reply_nudge', 'offer_thank_you', 'resume_follow_up']);
    expect(expectsReply('resume_follow_up')).toBe(true);
    expect(expectsReply('interview_confirmation')).toBe(false);
    expect(expectsReply('referral_update')).toBe(false);
  });
});

describe('DEFAULT_POLICY', () => {
  it("follows the spec's table", () => {
    expect(DEFAULT_POLICY.resume_follow_up.timing).toEqual({ delay: 'P7D' });
    expect(DEFAULT_POLICY.interview_confirmation.timing).toEqual({ before: 'P1D', minLeadTime: 'PT2H' });
    expect(DEFAULT_POLICY.interview_thank_you.timing).toEqual({ after: 'PT2H', deadline: 'PT24H' });
    expect(DEFAULT_POLICY.thank_you_reminder.timing).toEqual({ after: 'PT1H' });
    expect(DEFAULT_POLICY.referral_update.timing).toEqual({});
    expect(DEFAULT_POLICY.reference_heads_up.timing).toEqual({});
    expect(DEFAULT_POLICY.offer_thank_you.timing).toEqual({});
    expect(DEFAULT_POLICY.no_reply_nudge).toMatchObject({ timing: { after: 'P7D' }, maxNudges: 2 });
    expect(DEFAULT_POLICY.candidate_check_in.timing).toEqual({ quietPeriod: 'P7D' });
  });

  it('enables every rule without approval, with the built-in templates', () => {
    for (const rule of RULE_KEYS) {
      expect(DEFAULT_POLICY[rule]).toMatchObject({ enabled: true, requiresApproval: false, templates: ruleOf(rule).templates });
      expect(Object.keys(DEFAULT_POLICY[rule].timing).sort()).toEqual(Object.keys(ruleOf(rule).defaults.timing).sort());
    }
  });

  it('has maxNudges only on no_reply_nudge', () => {
    const withNudges = RULE_KEYS.filter((rule) => 'maxNudges' in DEFAULT_POLICY[rule]);
    expect(withNudges).toEqual(['no_reply_nudge']);
  });

  it('is deeply frozen', () => {
    expect(Object.isFrozen(DEFAULT_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_POLICY.resume_follow_up.timing)).toBe(true);
    expect(() => {
      (DEFAULT_POLICY.resume_follow_up.timing as { delay: string }).delay = 'P1D';
    }).toThrow(TypeError);
  });

  it('has valid durations everywhere', () => {
    for (const rule of RULE_KEYS) {
      for (const value of Object.values(DEFAULT_POLICY[rule].timing)) {
        expect(durationProblem(value)).toBeNull();
      }
    }
  });
});

describe('validatePolicyPatch', () => {
  it('an empty patch gives the defaults', () => {
    expect(policyOf(validatePolicyPatch({}))).toEqual(DEFAULT_POLICY);
  });

  it('applies and normalizes a valid patch', () => {
    const policy = policyOf(
      validatePolicyPatch({
        resume_follow_up: { timing: { delay: 'p5d' }, requiresApproval: true },
        candidate_check_in: { enabled: false, timing: { quietPeriod: 'P14D' } },
        no_reply_nudge: { maxNudges: 0 },
      }),
    );
    expect(policy.resume_follow_up).toMatchObject({ timing: { delay: 'P5D' }, requiresApproval: true, enabled: true });
    expect(policy.candidate_check_in).toMatchObject({ enabled: false, timing: { quietPeriod: 'P14D' } });
    expect(policy.no_reply_nudge.maxNudges).toBe(0);
    expect(policy.interview_confirmation).toEqual(DEFAULT_POLICY.interview_confirmation);
  });

  it('keeps untouched timing keys of a rule', () => {
    const policy = policyOf(validatePolicyPatch({ interview_thank_you: { timing: { after: 'PT3H' } } }));
    expect(policy.interview_thank_you.timing).toEqual({ after: 'PT3H', deadline: 'PT24H' });
  });

  it('applies onto a given base (the tenant policy so far) without changing it', () => {
    const base = policyOf(validatePolicyPatch({ resume_follow_up: { timing: { delay: 'P5D' } } }));
    const next = policyOf(validatePolicyPatch({ resume_follow_up: { enabled: false } }, base));
    expect(next.resume_follow_up).toMatchObject({ enabled: false, timing: { delay: 'P5D' } });
    expect(base.resume_follow_up.enabled).toBe(true);
    expect(DEFAULT_POLICY.resume_follow_up.timing.delay).toBe('P7D');
    expect(Object.isFrozen(next.resume_follow_up)).toBe(true);
  });

  it('rejects a patch that is not an object', () => {
    for (const patch of [null, 'P7D', ['resume_follow_up'], 42]) {
      expect(errorsOf(validatePolicyPatch(patch))).toEqual([{ field: '', message: expect.stringContaining('must be an object') }]);
    }
  });

  it('names an unknown rule', () => {
    expect(errorsOf(validatePolicyPatch({ birthday_card: { enabled: true } }))).toEqual([
      { field: 'birthday_card', message: expect.stringContaining('unknown rule; expected one of: resume_follow_up') },
    ]);
  });

  it('rejects a rule that is not an object, and unknown settings', () => {
    expect(errorsOf(validatePolicyPatch({ resume_follow_up: true, offer_thank_you: { colour: 'blue' } }))).toEqual([
      { field: 'resume_follow_up', message: 'must be an object' },
      { field: 'offer_thank_you.colour', message: expect.stringContaining('unknown setting') },
    ]);
  });

  it('names an unknown timing key', () => {
    expect(errorsOf(validatePolicyPatch({ resume_follow_up: { timing: { dealy: 'P7D' } } }))).toEqual([
      { field: 'resume_follow_up.timing.dealy', message: 'unknown timing key; expected one of: delay' },
    ]);
  });

  it('explains that immediate rules have no timing', () => {
    expect(errorsOf(validatePolicyPatch({ offer_thank_you: { timing: { delay: 'PT1H' } } }))).toEqual([
      { field: 'offer_thank_you.timing.delay', message: expect.stringContaining('sends immediately') },
    ]);
  });

  it('names an invalid or non-positive duration', () => {
    expect(errorsOf(validatePolicyPatch({ resume_follow_up: { timing: { delay: 'seven days' } } }))).toEqual([
      { field: 'resume_follow_up.timing.delay', message: expect.stringContaining('not an ISO-8601 duration') },
    ]);
    expect(errorsOf(validatePolicyPatch({ no_reply_nudge: { timing: { after: 'PT0S' } } }))).toEqual([
      { field: 'no_reply_nudge.timing.after', message: expect.stringContaining('longer than zero') },
    ]);
    expect(errorsOf(validatePolicyPatch({ candidate_check_in: { timing: { quietPeriod: 7 } } }))[0]?.field).toBe('candidate_check_in.timing.quietPeriod');
    expect(errorsOf(validatePolicyPatch({ candidate_check_in: { timing: 'P7D' } }))[0]?.field).toBe('candidate_check_in.timing');
  });

  it.each([2.5, -1, 11, '2', null])('rejects maxNudges %j', (maxNudges) => {
    expect(errorsOf(validatePolicyPatch({ no_reply_nudge: { maxNudges } }))).toEqual([
      { field: 'no_reply_nudge.maxNudges', message: 'must be a whole number from 0 to 10' },
    ]);
  });

  it('accepts maxNudges at the limits', () => {
    expect(policyOf(validatePolicyPatch({ no_reply_nudge: { maxNudges: 10 } })).no_reply_nudge.maxNudges).toBe(10);
  });

  it('rejects maxNudges on another rule', () => {
    expect(errorsOf(validatePolicyPatch({ resume_follow_up: { maxNudges: 2 } }))).toEqual([
      { field: 'resume_follow_up.maxNudges', message: 'only no_reply_nudge has maxNudges' },
    ]);
  });

  it('rejects non-boolean flags', () => {
    expect(errorsOf(validatePolicyPatch({ resume_follow_up: { enabled: 'yes', requiresApproval: 1 } }))).toEqual([
      { field: 'resume_follow_up.enabled', message: 'must be true or false' },
      { field: 'resume_follow_up.requiresApproval', message: 'must be true or false' },
    ]);
  });

  it('requires the thank-you delay to be shorter than its deadline', () => {
    expect(errorsOf(validatePolicyPatch({ interview_thank_you: { timing: { after: 'P1D' } } }))).toEqual([
      { field: 'interview_thank_you.timing.after', message: 'must be shorter than interview_thank_you.timing.deadline' },
    ]);
  });

  it("requires the confirmation's minimum lead time to be shorter than before", () => {
    expect(errorsOf(validatePolicyPatch({ interview_confirmation: { timing: { before: 'PT2H' } } }))).toEqual([
      { field: 'interview_confirmation.timing.minLeadTime', message: 'must be shorter than interview_confirmation.timing.before' },
    ]);
  });

  it('reports every error at once and applies nothing', () => {
    const result = validatePolicyPatch({
      resume_follow_up: { timing: { delay: 'P0D' } },
      no_reply_nudge: { maxNudges: 99 },
      nope: {},
    });
    expect(errorsOf(result).map((error) => error.field)).toEqual(['resume_follow_up.timing.delay', 'no_reply_nudge.maxNudges', 'nope']);
  });

  it('ignores prototype tricks', () => {
    const patch: unknown = JSON.parse('{"__proto__": {"enabled": false}, "resume_follow_up": {"timing": {"__proto__": "P1D"}}}');
    expect(errorsOf(validatePolicyPatch(patch)).map((error) => error.field)).toEqual(['__proto__', 'resume_follow_up.timing.__proto__']);
    expect(({} as Record<string, unknown>)['enabled']).toBeUndefined();
  });

  describe('templates', () => {
    const email = { subject: 'Any news on {{candidateName}}?', body: 'Hi {{recipientFirstName}}, any news? {{recruiterName}}' };

    it('accepts an override for a channel and audience', () => {
      const policy = policyOf(validatePolicyPatch({ resume_follow_up: { templates: { email: { contact: email }, sms: { contact: { body: '{{firmName}}: any news on {{candidateName}}?' } } } } }));
      expect(policy.resume_follow_up.templates.email.contact).toEqual(email);
      expect(policy.resume_follow_up.templates.sms.contact).toEqual({ body: '{{firmName}}: any news on {{candidateName}}?' });
      expect(policy.interview_confirmation.templates).toEqual(ruleOf('interview_confirmation').templates);
    });

    it('null restores the built-in template', () => {
      const base = policyOf(validatePolicyPatch({ resume_follow_up: { templates: { email: { contact: email } } } }));
      const reset = policyOf(validatePolicyPatch({ resume_follow_up: { templates: { email: { contact: null } } } }, base));
      expect(reset.resume_follow_up.templates.email.contact).toEqual(ruleOf('resume_follow_up').templates.email.contact);
    });

    it('names the field and the variable of a bad template', () => {
      const result = validatePolicyPatch({ resume_follow_up: { templates: { email: { contact: { subject: 'Hi', body: 'About {{candidatName}}' } } } } });
      expect(errorsOf(result)).toEqual([
        {
          field: 'resume_follow_up.templates.email.contact.body',
          message: 'unknown variable "candidatName"; did you mean "candidateName"?',
        },
      ]);
    });

    it('rejects a variable the rule cannot provide', () => {
      const result = validatePolicyPatch({ candidate_check_in: { templates: { sms: { candidate: { body: '{{firmName}}: how did {{company}} go?' } } } } });
      expect(errorsOf(result)).toEqual([
        { field: 'candidate_check_in.templates.sms.candidate.body', message: expect.stringContaining('"company" is not available') },
      ]);
    });

    it('rejects an audience the rule does not have, and unknown channels', () => {
      const result = validatePolicyPatch({ resume_follow_up: { templates: { email: { candidate: email }, whatsapp: {} } } });
      expect(errorsOf(result)).toEqual([
        { field: 'resume_follow_up.templates.email.candidate', message: 'unknown audience for this rule; expected one of: contact' },
        { field: 'resume_follow_up.templates.whatsapp', message: 'unknown channel; expected one of: email, sms' },
      ]);
    });

    it('checks the template shape', () => {
      const result = validatePolicyPatch({
        interview_confirmation: {
          templates: {
            email: { candidate: { body: 'Hi {{recipientFirstName}}' }, contact: 'text' },
            sms: { candidate: { body: 'Hi', subject: 'x' } },
          },
        },
      });
      expect(errorsOf(result)).toEqual([
        { field: 'interview_confirmation.templates.email.candidate', message: 'subject must be a string' },
        { field: 'interview_confirmation.templates.email.contact', message: expect.stringContaining('must be { subject, body }') },
        { field: 'interview_confirmation.templates.sms.candidate', message: 'unexpected subject; an sms template is { body }' },
      ]);
    });
  });
});

describe("each rule's timing under a tenant's policy", () => {
  const ctx = { zone: 'America/New_York', windows: { sms: { start: '08:00', end: '21:00' }, email: { start: '07:00', end: '21:00' }, businessDaysOnly: false } };
  const now = new Date('2025-06-10T14:00:00Z'); // 10:00 in New York

  it("follows the tenant's durations and limits", () => {
    const policy = policyOf(validatePolicyPatch({ resume_follow_up: { timing: { delay: 'P10D' } }, no_reply_nudge: { maxNudges: 3 } }));
    expect(ruleOf('resume_follow_up').due({ resumeSentAt: now }, policy.resume_follow_up, ctx, now)).toEqual({ kind: 'due', at: new Date('2025-06-20T14:00:00Z') });
    expect(ruleOf('no_reply_nudge').due({ sentAt: now, nudgesSoFar: 2 }, policy.no_reply_nudge, ctx, now).kind).toBe('due');
    expect(ruleOf('no_reply_nudge').due({ sentAt: now, nudgesSoFar: 2 }, DEFAULT_POLICY.no_reply_nudge, ctx, now).kind).toBe('skip');
  });

  it('is deterministic: the same inputs give the same instant', () => {
    const rule = ruleOf('interview_confirmation');
    const input = { startsAt: new Date('2025-11-03T12:00:00Z') };
    const at = new Date('2025-10-30T13:00:00Z');
    expect(rule.due(input, DEFAULT_POLICY.interview_confirmation, ctx, at)).toEqual(rule.due(input, DEFAULT_POLICY.interview_confirmation, ctx, at));
  });
});
