import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { toConnection } from '../common/graphql/connection';
import { ExternalSourceQueryDto } from '../common/external-source.dto';
import { ContactsService } from './contacts.service';
import {
  ContactConnection,
  ContactsArgs,
  ContactView,
  CreateContactDto,
  UpdateContactDto,
  UpsertContactDto,
} from './dto/contact.dto';

@Resolver(() => ContactView)
export class ContactsResolver {
  constructor(private readonly service: ContactsService) {}

  @Query(() => ContactView)
  @RequireScopes('contacts:read')
  async contact(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<ContactView> {
    return ContactView.of(await this.service.get(p.tenantId, id));
  }

  @Query(() => ContactConnection)
  @RequireScopes('contacts:read')
  async contacts(@CurrentPrincipal() p: Principal, @Args() args: ContactsArgs): Promise<ContactConnection> {
    const page = await this.service.list(p.tenantId, args, { limit: args.first, cursor: args.after });
    return toConnection(new ContactConnection(), page, (c) => ContactView.of(c));
  }

  @Mutation(() => ContactView)
  @RequireScopes('contacts:write')
  async createContact(@CurrentPrincipal() p: Principal, @Args('input') input: CreateContactDto): Promise<ContactView> {
    const { contact, warnings } = await this.service.create(p.tenantId, input, actorOf(p));
    return ContactView.of(contact, warnings);
  }

  @Mutation(() => ContactView)
  @RequireScopes('contacts:write')
  async updateContact(
    @CurrentPrincipal() p: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateContactDto,
  ): Promise<ContactView> {
    const { contact, warnings } = await this.service.update(p.tenantId, id, input, actorOf(p));
    return ContactView.of(contact, warnings);
  }

  @Mutation(() => Boolean)
  @RequireScopes('contacts:write')
  async deleteContact(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    await this.service.remove(p.tenantId, id, actorOf(p));
    return true;
  }

  @Mutation(() => ContactView, { description: 'Create or update the contact your ATS knows by externalId (idempotent).' })
  @RequireScopes('contacts:write')
  async upsertContact(
    @CurrentPrincipal() p: Principal,
    @Args('externalId') externalId: string,
    @Args('input') input: UpsertContactDto,
    @Args('externalSource', { type: () => String, nullable: true }) externalSource?: string,
  ): Promise<ContactView> {
    const { contact, warnings } = await this.service.upsertByExternalId(
      p.tenantId,
      ExternalSourceQueryDto.source(externalSource),
      ExternalSourceQueryDto.externalId(externalId),
      input,
      actorOf(p),
    );
    return ContactView.of(contact, warnings);
  }
}
