import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { actorOf } from '../../auth/principal';
import { PersonConsentView, SetConsentDto } from '../dto/consent.dto';
import { ConsentService } from './consent.service';

@Resolver(() => PersonConsentView)
export class ConsentResolver {
  constructor(private readonly consent: ConsentService) {}

  @Query(() => PersonConsentView)
  @RequireScopes('candidates:read')
  async candidateConsent(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<PersonConsentView> {
    return PersonConsentView.of(await this.consent.get(p.tenantId, { type: 'candidate', id }));
  }

  @Query(() => PersonConsentView)
  @RequireScopes('contacts:read')
  async contactConsent(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<PersonConsentView> {
    return PersonConsentView.of(await this.consent.get(p.tenantId, { type: 'contact', id }));
  }

  @Mutation(() => PersonConsentView)
  @RequireScopes('candidates:write')
  async setCandidateConsent(
    @CurrentPrincipal() p: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: SetConsentDto,
  ): Promise<PersonConsentView> {
    return PersonConsentView.of(await this.consent.set(p.tenantId, { type: 'candidate', id }, input.channel, input.status, actorOf(p)));
  }

  @Mutation(() => PersonConsentView)
  @RequireScopes('contacts:write')
  async setContactConsent(
    @CurrentPrincipal() p: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: SetConsentDto,
  ): Promise<PersonConsentView> {
    return PersonConsentView.of(await this.consent.set(p.tenantId, { type: 'contact', id }, input.channel, input.status, actorOf(p)));
  }
}
