import { isOpen } from '../../leads/lead-status';
import type { PersonRef } from '../../people/person-ref';
import { occurrence } from '../domain/occurrence';
import { ALWAYS_VARIABLES, CANDIDATE_VARIABLES, emailTemplate, smsTemplate } from '../domain/templates';
import { due, intoWindow, skip } from '../domain/timing';
import { plusLocal } from '../domain/windows';
import { defineRule } from './rule';

type Timing = { after: string };
type Facts = { sentAt: Date; nudgesSoFar: number };

/**
 * `no_reply_nudge`: a follow-up that asked something (see each rule's `expectsReply`) went out
 * and the person stayed silent for a week: a polite nudge, in the same conversation. At most
 * `maxNudges` in a row. Any reply from the person, an opt-out, or the lead changing status stops
 * them.
 */
export const noReplyNudge = defineRule({
  key: 'no_reply_nudge',
  summary: '7 days of silence after a reply-expecting message (a resume follow-up, an offer thank-you, a check-in, a nudge); at most 2 in a row; to the same person',
  defaults: { timing: { after: 'P7D' }, maxNudges: 2 },
  expectsReply: true,
  audiences: ['candidate', 'contact'],
  // A nudge may follow a candidate check-in, which has no lead: company and position are not guaranteed.
  variables: [...ALWAYS_VARIABLES, ...CANDIDATE_VARIABLES],
  templates: {
    email: {
      candidate: emailTemplate('Checking in', [
        'I wanted to follow up on my last message. How are things going with your search?',
        "Even a one-line reply helps me know how best to help. I'm here whenever you're ready.",
      ]),
      contact: emailTemplate('Checking in about {{candidateName}}', [
        'I know things get busy, so I wanted to bring my earlier note about {{candidateName}} back to the top of your inbox.',
        'Even a one-line reply on where things stand would help a lot. Thank you!',
      ]),
    },
    sms: {
      candidate: smsTemplate('Following up on my last message. How is your search going? Reply anytime.'),
      contact: smsTemplate('Following up on my earlier note about {{candidateName}}. Any update when you have a moment?'),
    },
  },

  /** `after` the last reply-expecting message to this person went out, into the window; within `maxNudges`. */
  due({ sentAt, nudgesSoFar }: Facts, { timing, maxNudges = 0 }, ctx, now) {
    if (!shouldNudge(nudgesSoFar, maxNudges)) {
      return skip(`already nudged ${nudgesSoFar} time${nudgesSoFar === 1 ? '' : 's'} (the limit is ${maxNudges})`);
    }
    return due(intoWindow(plusLocal(sentAt, timing.after, ctx.zone), now, ctx));
  },

  on: {
    // A reply-expecting follow-up went out: wait for a silent week. The first nudge and the second
    // hang off the original (subject), numbered n1, n2.
    'follow_up.sent': async (e, ctx) => {
      const sent = await ctx.facts.followUp(e.payload.followUpId);
      if (!sent || sent.kind !== 'message' || !sent.sentAt || !ctx.expectsReply(sent.rule)) return;
      const person: PersonRef | null = sent.recipientCandidateId
        ? { type: 'candidate', id: sent.recipientCandidateId }
        : sent.recipientContactId
          ? { type: 'contact', id: sent.recipientContactId }
          : null;
      if (!person) return;
      const nudgesSoFar = sent.rule === 'no_reply_nudge' ? (sent.nudgeNumber ?? 1) : 0;
      if (!shouldNudge(nudgesSoFar, ctx.policy.maxNudges ?? 0)) return;
      const recipient = person.type === 'candidate' ? await ctx.facts.candidate(person.id) : await ctx.facts.contact(person.id);
      if (!recipient) return;
      const rootId = sent.rule === 'no_reply_nudge' ? (sent.parentFollowUpId ?? sent.id) : sent.id;
      await ctx.plan({
        subject: { type: 'follow_up', id: rootId },
        recipient: { ...person, timeZone: recipient.timeZone },
        occurrence: occurrence.nudge(nudgesSoFar + 1),
        due: { sentAt: sent.sentAt, nudgesSoFar },
        candidateId: sent.candidateId,
        leadId: sent.leadId,
        interviewId: sent.interviewId,
        ownerUserId: sent.ownerUserId,
        parentFollowUpId: rootId,
        nudgeNumber: nudgesSoFar + 1,
      });
    },
    'message.received': async (e, ctx) => {
      if (e.payload.person) await ctx.cancel({ recipient: e.payload.person }, 'they replied');
    },
    // A logged inbound call or meeting is a reply too.
    'activity.logged': async (e, ctx) => {
      if (e.payload.direction === 'in') await ctx.cancel({ recipient: e.payload.person }, 'they replied');
    },
    'consent.changed': async (e, ctx) => {
      if (e.payload.status === 'opted_out') await ctx.cancel({ recipient: e.payload.person }, `they opted out of ${e.payload.channel === 'sms' ? 'SMS' : 'email'}`);
    },
    'lead.status_changed': async (e, ctx) => {
      await ctx.cancel({ leadId: e.payload.leadId }, `the lead moved to ${e.payload.to}`);
    },
  },

  stillApplies({ lead }) {
    return lead && !isOpen(lead.status) ? `the lead is ${lead.status}` : null;
  },
});

/** At most `maxNudges` nudges in a row; `nudgesSoFar` counts those already sent in this run. */
export function shouldNudge(nudgesSoFar: number, maxNudges: number): boolean {
  if (!Number.isInteger(nudgesSoFar) || nudgesSoFar < 0 || !Number.isInteger(maxNudges) || maxNudges < 0) {
    throw new RangeError(`nudge counts must be whole numbers >= 0 (got ${nudgesSoFar} of ${maxNudges})`);
  }
  return nudgesSoFar < maxNudges;
}
