import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { Idempotent } from '../common/idempotency/idempotency.interceptor';
import {
  CreateReferenceDto,
  ListReferencesQueryDto,
  ProvidedReferencesView,
  ProvideReferencesDto,
  ReferencePageView,
  ReferenceProvisionView,
  ReferenceView,
  UpdateReferenceDto,
} from './dto/reference.dto';
import { ReferenceRecord, ReferencesService } from './references.service';

const view = (r: ReferenceRecord): ReferenceView => ReferenceView.of(r.reference, r.provisions);

@ApiTags('references')
@ApiBearerAuth()
@Controller('v1/references')
export class ReferencesController {
  constructor(private readonly references: ReferencesService) {}

  @Post()
  @Idempotent()
  @RequireScopes('references:write')
  @ApiOperation({ summary: 'Add a reference: a contact who vouches for a candidate.' })
  async create(@CurrentPrincipal() p: Principal, @Body() dto: CreateReferenceDto): Promise<ReferenceView> {
    return view(await this.references.create(p.tenantId, dto, actorOf(p)));
  }

  @Get()
  @RequireScopes('references:read')
  @ApiOkResponse({ type: ReferencePageView })
  async list(@CurrentPrincipal() p: Principal, @Query() query: ListReferencesQueryDto): Promise<ReferencePageView> {
    const page = await this.references.list(p.tenantId, query, query);
    return { items: page.items.map(view), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScopes('references:read')
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ReferenceView> {
    return view(await this.references.get(p.tenantId, id));
  }

  @Patch(':id')
  @RequireScopes('references:write')
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: UpdateReferenceDto): Promise<ReferenceView> {
    return view(await this.references.update(p.tenantId, id, dto, actorOf(p)));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('references:write')
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.references.remove(p.tenantId, id, actorOf(p));
  }
}

@ApiTags('leads')
@ApiBearerAuth()
@Controller('v1/leads')
export class LeadReferencesController {
  constructor(private readonly references: ReferencesService) {}

  @Post(':id/references')
  @HttpCode(200)
  @Idempotent()
  @RequireScopes('leads:write', 'references:write')
  @ApiOperation({ summary: "Record that some of the candidate's references were provided to this lead. Repeats are harmless; emits references.provided for new ones." })
  async provide(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: ProvideReferencesDto): Promise<ProvidedReferencesView> {
    const result = await this.references.provide(p.tenantId, id, dto, actorOf(p));
    return Object.assign(new ProvidedReferencesView(), {
      leadId: result.leadId,
      provisions: result.provisions.map(ReferenceProvisionView.of),
      newlyProvided: result.newlyProvided,
    });
  }
}
