import { ALWAYS_VARIABLES, CANDIDATE_VARIABLES, emailTemplate, smsTemplate } from '../domain/templates';
import { due, intoWindow } from '../domain/timing';
import { plusLocal } from '../domain/windows';
import type { CandidateEntity } from '../../candidates/candidate.entity';
import { defineRule } from './rule';
import type { RuleContext } from './rule';

type Timing = { quietPeriod: string };
type Facts = { lastContactAt: Date };

/**
 * `candidate_check_in`: an active candidate with no message in or out for the quiet period gets a
 * check-in. Any contact restarts the clock (a message either way, a logged call or meeting), except
 * while a nudge waits for the candidate: it covers the silence, so nobody gets a nudge and a
 * check-in at once. Placed or inactive candidates get none.
 */
export const candidateCheckIn = defineRule({
  key: 'candidate_check_in',
  summary: '7 days without any message in or out; to each active candidate',
  defaults: { timing: { quietPeriod: 'P7D' } },
  expectsReply: true,
  audiences: ['candidate'],
  variables: [...ALWAYS_VARIABLES, ...CANDIDATE_VARIABLES],
  templates: {
    email: {
      candidate: emailTemplate('Checking in on your search', [
        "It's been a little while since we spoke, so I wanted to check in. How is your search going?",
        "Is there anything new on your side, like interviews, offers, or changes in what you're looking for? Just reply and let me know how I can help.",
      ]),
    },
    sms: {
      candidate: smsTemplate('How is your job search going? Anything new, or anything I can help with? Just reply here.'),
    },
  },

  /** When the quiet period since the last contact ends, into the window. */
  due({ lastContactAt }: Facts, { timing }, ctx, now) {
    return due(intoWindow(plusLocal(lastContactAt, timing.quietPeriod, ctx.zone), now, ctx));
  },

  on: {
    'candidate.created': (e, ctx) => statusChanged(e.payload.candidateId, ctx),
    'candidate.updated': (e, ctx) => statusChanged(e.payload.candidateId, ctx),
    // A message to the candidate went out (runs after no_reply_nudge's trigger: a nudge it just
    // planned covers the silence).
    'follow_up.sent': async (e, ctx) => {
      const sent = await ctx.facts.followUp(e.payload.followUpId);
      if (!sent?.recipientCandidateId || sent.kind !== 'message' || !sent.sentAt) return;
      const candidate = await ctx.facts.candidate(sent.recipientCandidateId);
      if (candidate?.status !== 'active') return;
      if (await ctx.facts.hasPending({ rule: 'no_reply_nudge', recipient: { type: 'candidate', id: candidate.id } })) return;
      await restart(candidate, sent.sentAt, ctx);
    },
    'message.received': async (e, ctx) => {
      if (e.payload.person?.type !== 'candidate') return;
      const candidate = await ctx.facts.candidate(e.payload.person.id);
      if (candidate?.status === 'active') await restart(candidate, ctx.now, ctx);
    },
    'activity.logged': async (e, ctx) => {
      if (e.payload.person.type !== 'candidate') return;
      const candidate = await ctx.facts.candidate(e.payload.person.id);
      if (candidate?.status === 'active') await restart(candidate, ctx.now, ctx);
    },
  },

  stillApplies({ candidate }) {
    return candidate && candidate.status !== 'active' ? `the candidate is ${candidate.status}` : null;
  },
});

/** Created or changed: an active candidate's clock runs (from now, unless it already does); others get none. */
async function statusChanged(candidateId: string, ctx: RuleContext<Timing, Facts>): Promise<void> {
  const candidate = await ctx.facts.candidate(candidateId);
  if (!candidate) return;
  const recipient = { type: 'candidate' as const, id: candidate.id };
  if (candidate.status !== 'active') {
    await ctx.cancel({ recipient }, `the candidate is ${candidate.status}`);
    return;
  }
  if (!(await ctx.hasPending({ recipient }))) await restart(candidate, ctx.now, ctx);
}

/**
 * Any contact restarts the quiet period: the pending check-in is cancelled and a new one planned
 * from `lastContactAt`, keyed by it, so a repeated event plans nothing new while any later
 * contact (even the same day) restarts the clock.
 */
async function restart(candidate: CandidateEntity, lastContactAt: Date, ctx: RuleContext<Timing, Facts>): Promise<void> {
  const recipient = { type: 'candidate' as const, id: candidate.id };
  const period = `after:${lastContactAt.toISOString()}`;
  await ctx.cancel({ recipient, notOccurrence: period }, 'there was contact; the quiet period restarts');
  await ctx.plan({
    subject: { type: 'candidate', id: candidate.id },
    recipient: { ...recipient, timeZone: candidate.timeZone },
    occurrence: period,
    due: { lastContactAt },
    candidateId: candidate.id,
    ownerUserId: candidate.ownerUserId,
  });
}
