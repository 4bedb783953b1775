import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { Idempotent } from '../common/idempotency/idempotency.interceptor';
import { ContactsService } from './contacts.service';
import {
  ContactPageView,
  ContactView,
  CreateContactDto,
  ListContactsQueryDto,
  UpdateContactDto,
  UpsertContactDto,
} from './dto/contact.dto';
import { ExternalSourceQueryDto } from '../common/external-source.dto';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('v1/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Post()
  @Idempotent()
  @RequireScopes('contacts:write')
  @ApiOperation({ summary: 'Create a contact. The answer carries double-check warnings (never blocking).' })
  async create(@CurrentPrincipal() p: Principal, @Body() dto: CreateContactDto): Promise<ContactView> {
    const { contact, warnings } = await this.contacts.create(p.tenantId, dto, actorOf(p));
    return ContactView.of(contact, warnings);
  }

  @Get()
  @RequireScopes('contacts:read')
  @ApiOperation({ summary: 'List contacts: cursor pagination, filters (company, role, q, updatedSince), newest first (oldest change first with updatedSince).' })
  @ApiOkResponse({ type: ContactPageView })
  async list(@CurrentPrincipal() p: Principal, @Query() query: ListContactsQueryDto): Promise<ContactPageView> {
    const page = await this.contacts.list(p.tenantId, query, query);
    return { items: page.items.map((c) => ContactView.of(c)), nextCursor: page.nextCursor };
  }

  @Put('by-external-id/:externalId')
  @RequireScopes('contacts:write')
  @ApiOperation({ summary: 'Create or update the contact your ATS knows by this id (idempotent; fields not sent are kept).' })
  @ApiQuery({ name: 'source', required: false, example: 'bullhorn', description: 'Your ATS name; default "api".' })
  async upsert(
    @CurrentPrincipal() p: Principal,
    @Param('externalId') externalId: string,
    @Query() query: ExternalSourceQueryDto,
    @Body() dto: UpsertContactDto,
  ): Promise<ContactView> {
    const { contact, warnings } = await this.contacts.upsertByExternalId(
      p.tenantId,
      query.source ?? 'api',
      ExternalSourceQueryDto.externalId(externalId),
      dto,
      actorOf(p),
    );
    return ContactView.of(contact, warnings);
  }

  @Get(':id')
  @RequireScopes('contacts:read')
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ContactView> {
    return ContactView.of(await this.contacts.get(p.tenantId, id));
  }

  @Patch(':id')
  @RequireScopes('contacts:write')
  @ApiOperation({ summary: 'Change some fields. null clears an optional field.' })
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: UpdateContactDto): Promise<ContactView> {
    const { contact, warnings } = await this.contacts.update(p.tenantId, id, dto, actorOf(p));
    return ContactView.of(contact, warnings);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('contacts:write')
  @ApiOperation({ summary: 'Soft-delete a contact.' })
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.contacts.remove(p.tenantId, id, actorOf(p));
  }
}
