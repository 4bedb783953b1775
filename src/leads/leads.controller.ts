import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { ExternalSourceQueryDto } from '../common/external-source.dto';
import { Idempotent } from '../common/idempotency/idempotency.interceptor';
import {
  ChangeLeadStatusDto,
  CreateLeadDto,
  LeadPageView,
  LeadStatusChangeView,
  LeadView,
  ListLeadsQueryDto,
  UpdateLeadDto,
  UpsertLeadDto,
} from './dto/lead.dto';
import { LeadsService } from './leads.service';

@ApiTags('leads')
@ApiBearerAuth()
@Controller('v1/leads')
export class LeadsController {
  constructor(private readonly leads: LeadsService) {}

  @Post()
  @Idempotent()
  @RequireScopes('leads:write')
  @ApiOperation({ summary: 'Record a job lead for a candidate. An initial status may be given for imports.' })
  async create(@CurrentPrincipal() p: Principal, @Body() dto: CreateLeadDto): Promise<LeadView> {
    return LeadView.of(await this.leads.create(p.tenantId, dto, actorOf(p)));
  }

  @Get()
  @RequireScopes('leads:read')
  @ApiOkResponse({ type: LeadPageView })
  @ApiOperation({ summary: 'List leads: cursor pagination; filters status, candidateId, company, q, updatedSince.' })
  async list(@CurrentPrincipal() p: Principal, @Query() query: ListLeadsQueryDto): Promise<LeadPageView> {
    const page = await this.leads.list(p.tenantId, query, query);
    return { items: page.items.map((l) => LeadView.of(l)), nextCursor: page.nextCursor };
  }

  @Put('by-external-id/:externalId')
  @RequireScopes('leads:write')
  @ApiOperation({ summary: 'Create or update the lead your ATS knows by this id. A status in the body goes through the status machine.' })
  @ApiQuery({ name: 'source', required: false, example: 'bullhorn' })
  async upsert(
    @CurrentPrincipal() p: Principal,
    @Param('externalId') externalId: string,
    @Query() query: ExternalSourceQueryDto,
    @Body() dto: UpsertLeadDto,
  ): Promise<LeadView> {
    return LeadView.of(
      await this.leads.upsertByExternalId(p.tenantId, query.source ?? 'api', ExternalSourceQueryDto.externalId(externalId), dto, actorOf(p)),
    );
  }

  @Get(':id')
  @RequireScopes('leads:read')
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<LeadView> {
    return LeadView.of(await this.leads.get(p.tenantId, id));
  }

  @Get(':id/history')
  @RequireScopes('leads:read')
  @ApiOperation({ summary: 'Every status change of the lead, oldest first.' })
  @ApiOkResponse({ type: [LeadStatusChangeView] })
  async history(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<{ items: LeadStatusChangeView[] }> {
    return { items: (await this.leads.history(p.tenantId, id)).map(LeadStatusChangeView.of) };
  }

  @Patch(':id')
  @RequireScopes('leads:write')
  @ApiOperation({ summary: 'Change lead details. The status changes only through POST /v1/leads/{id}/status.' })
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: UpdateLeadDto): Promise<LeadView> {
    return LeadView.of(await this.leads.update(p.tenantId, id, dto, actorOf(p)));
  }

  @Post(':id/status')
  @HttpCode(200)
  @Idempotent()
  @RequireScopes('leads:write')
  @ApiOperation({
    summary: 'Move the lead through identified → applied → interviewing → offer → accepted, or to declined/rejected/withdrawn/closed. Illegal moves are a 409 naming the allowed ones.',
  })
  async changeStatus(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: ChangeLeadStatusDto): Promise<LeadView> {
    return LeadView.of(await this.leads.changeStatus(p.tenantId, id, dto, actorOf(p)));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('leads:write')
  @ApiOperation({ summary: 'Soft-delete a lead.' })
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.leads.remove(p.tenantId, id, actorOf(p));
  }
}
