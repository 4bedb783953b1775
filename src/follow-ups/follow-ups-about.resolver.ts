import { ResolveField, Resolver } from '@nestjs/graphql';
import { CandidateView } from '../candidates/dto/candidate.dto';
import { fieldPrincipal } from '../common/graphql/field-scopes';
import type { GqlContext } from '../common/graphql/field-scopes';
import { loaderFor } from '../common/graphql/loaders';
import { ContactView } from '../contacts/dto/contact.dto';
import { InterviewView } from '../interviews/dto/interview.dto';
import { LeadView } from '../leads/dto/lead.dto';
import { FollowUpView } from './dto/follow-up.dto';
import type { FollowUpEntity } from './follow-up.entity';
import { FollowUpsService } from './follow-ups.service';

type About = 'lead' | 'interview' | 'candidate' | 'contact';

/** Which of a follow-up's ids ties it to the thing it is about (a candidate: theirs or to them). */
function belongsTo(about: About, f: FollowUpEntity): string[] {
  switch (about) {
    case 'lead':
      return f.leadId ? [f.leadId] : [];
    case 'interview':
      return f.interviewId ? [f.interviewId] : [];
    case 'candidate':
      return [...new Set([f.candidateId, f.recipientCandidateId].filter((id): id is string => id !== null))];
    case 'contact':
      return f.recipientContactId ? [f.recipientContactId] : [];
  }
}

/** `followUps` on a lead, an interview, a candidate or a contact: all of a page's in one query, by due time. */
function followUpsOf(service: FollowUpsService, about: About, id: string, ctx: GqlContext): Promise<FollowUpView[]> {
  const p = fieldPrincipal(ctx, 'follow_ups:read');
  const loader = loaderFor(ctx, `followUpsAbout:${about}`, async (ids) => {
    const rows = await service.about(p.tenantId, about, ids);
    const byId = new Map<string, FollowUpView[]>(ids.map((k) => [k, []]));
    for (const f of rows) for (const k of belongsTo(about, f)) byId.get(k)?.push(FollowUpView.of(f));
    return ids.map((k) => byId.get(k) ?? []);
  });
  return loader.load(id);
}

const DESCRIPTION = 'Its follow-ups, by due time, each with its preview while pending.';

@Resolver(() => LeadView)
export class LeadFollowUpsResolver {
  constructor(private readonly service: FollowUpsService) {}
  @ResolveField(() => [FollowUpView], { description: DESCRIPTION })
  followUps(lead: LeadView, _args: unknown, ctx: GqlContext): Promise<FollowUpView[]> {
    return followUpsOf(this.service, 'lead', lead.id, ctx);
  }
}

@Resolver(() => InterviewView)
export class InterviewFollowUpsResolver {
  constructor(private readonly service: FollowUpsService) {}
  @ResolveField(() => [FollowUpView], { description: DESCRIPTION })
  followUps(interview: InterviewView, _args: unknown, ctx: GqlContext): Promise<FollowUpView[]> {
    return followUpsOf(this.service, 'interview', interview.id, ctx);
  }
}

@Resolver(() => CandidateView)
export class CandidateFollowUpsResolver {
  constructor(private readonly service: FollowUpsService) {}
  @ResolveField(() => [FollowUpView], { description: DESCRIPTION })
  followUps(candidate: CandidateView, _args: unknown, ctx: GqlContext): Promise<FollowUpView[]> {
    return followUpsOf(this.service, 'candidate', candidate.id, ctx);
  }
}

@Resolver(() => ContactView)
export class ContactFollowUpsResolver {
  constructor(private readonly service: FollowUpsService) {}
  @ResolveField(() => [FollowUpView], { description: DESCRIPTION })
  followUps(contact: ContactView, _args: unknown, ctx: GqlContext): Promise<FollowUpView[]> {
    return followUpsOf(this.service, 'contact', contact.id, ctx);
  }
}
