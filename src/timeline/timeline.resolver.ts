import { ResolveField, Resolver } from '@nestjs/graphql';
import { fieldPrincipal } from '../common/graphql/field-scopes';
import type { GqlContext } from '../common/graphql/field-scopes';
import { CandidateView } from '../candidates/dto/candidate.dto';
import { ContactView } from '../contacts/dto/contact.dto';
import { TimelineEntryView } from './timeline.dto';
import { timelineParts } from './timeline.controller';
import { TimelineService } from './timeline.service';

@Resolver(() => CandidateView)
export class CandidateTimelineResolver {
  constructor(private readonly service: TimelineService) {}

  /** Meant for one candidate at a time (it is not batched): ask for it on `candidate(id)`. */
  @ResolveField(() => [TimelineEntryView])
  timeline(candidate: CandidateView, _args: unknown, ctx: GqlContext): Promise<TimelineEntryView[]> {
    const p = fieldPrincipal(ctx, 'candidates:read', 'leads:read', 'interviews:read', 'references:read');
    return this.service.forCandidate(p.tenantId, candidate.id, timelineParts(p));
  }
}

@Resolver(() => ContactView)
export class ContactTimelineResolver {
  constructor(private readonly service: TimelineService) {}

  /** Messages and activities with this contact, oldest first. Not batched: ask for it on one contact. */
  @ResolveField(() => [TimelineEntryView])
  timeline(contact: ContactView, _args: unknown, ctx: GqlContext): Promise<TimelineEntryView[]> {
    const p = fieldPrincipal(ctx, 'contacts:read');
    return this.service.forContact(p.tenantId, contact.id, timelineParts(p));
  }
}
