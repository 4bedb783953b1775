import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { ErasePersonUseCase } from './erase-person.usecase';
import { ErasureView, requireAdmin } from './erasure.dto';

@Resolver(() => ErasureView)
export class ErasureResolver {
  constructor(private readonly erase: ErasePersonUseCase) {}

  @Mutation(() => ErasureView, { description: 'Erase a candidate on request (admins).' })
  @RequireScopes('candidates:write')
  async eraseCandidate(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<ErasureView> {
    requireAdmin(p);
    return ErasureView.of(await this.erase.execute(p.tenantId, { type: 'candidate', id }, actorOf(p)));
  }

  @Mutation(() => ErasureView, { description: 'Erase a contact on request (admins).' })
  @RequireScopes('contacts:write')
  async eraseContact(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<ErasureView> {
    requireAdmin(p);
    return ErasureView.of(await this.erase.execute(p.tenantId, { type: 'contact', id }, actorOf(p)));
  }
}
