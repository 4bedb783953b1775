import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { Idempotent } from '../common/idempotency/idempotency.interceptor';
import { CandidatesService } from './candidates.service';
import {
  CandidatePageView,
  CandidateView,
  CreateCandidateDto,
  ListCandidatesQueryDto,
  UpdateCandidateDto,
  UpsertCandidateDto,
} from './dto/candidate.dto';
import { ExternalSourceQueryDto } from '../common/external-source.dto';

@ApiTags('candidates')
@ApiBearerAuth()
@Controller('v1/candidates')
export class CandidatesController {
  constructor(private readonly candidates: CandidatesService) {}

  @Post()
  @Idempotent()
  @RequireScopes('candidates:write')
  @ApiOperation({ summary: 'Create a candidate. The answer carries double-check warnings (never blocking).' })
  async create(@CurrentPrincipal() p: Principal, @Body() dto: CreateCandidateDto): Promise<CandidateView> {
    const { candidate, warnings } = await this.candidates.create(p.tenantId, dto, actorOf(p));
    return CandidateView.of(candidate, warnings);
  }

  @Get()
  @RequireScopes('candidates:read')
  @ApiOperation({ summary: 'List candidates: cursor pagination, filters, newest first (oldest change first with updatedSince).' })
  @ApiOkResponse({ type: CandidatePageView })
  async list(@CurrentPrincipal() p: Principal, @Query() query: ListCandidatesQueryDto): Promise<CandidatePageView> {
    const page = await this.candidates.list(p.tenantId, query, query);
    return { items: page.items.map((c) => CandidateView.of(c)), nextCursor: page.nextCursor };
  }

  @Put('by-external-id/:externalId')
  @RequireScopes('candidates:write')
  @ApiOperation({ summary: 'Create or update the candidate your ATS knows by this id (idempotent; fields not sent are kept).' })
  @ApiQuery({ name: 'source', required: false, example: 'bullhorn', description: 'Your ATS name; default "api".' })
  async upsert(
    @CurrentPrincipal() p: Principal,
    @Param('externalId') externalId: string,
    @Query() query: ExternalSourceQueryDto,
    @Body() dto: UpsertCandidateDto,
  ): Promise<CandidateView> {
    const { candidate, warnings } = await this.candidates.upsertByExternalId(
      p.tenantId,
      query.source ?? 'api',
      ExternalSourceQueryDto.externalId(externalId),
      dto,
      actorOf(p),
    );
    return CandidateView.of(candidate, warnings);
  }

  @Get(':id')
  @RequireScopes('candidates:read')
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<CandidateView> {
    return CandidateView.of(await this.candidates.get(p.tenantId, id));
  }

  @Patch(':id')
  @RequireScopes('candidates:write')
  @ApiOperation({ summary: 'Change some fields. null clears an optional field.' })
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: UpdateCandidateDto): Promise<CandidateView> {
    const { candidate, warnings } = await this.candidates.update(p.tenantId, id, dto, actorOf(p));
    return CandidateView.of(candidate, warnings);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('candidates:write')
  @ApiOperation({ summary: 'Soft-delete a candidate.' })
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.candidates.remove(p.tenantId, id, actorOf(p));
  }
}
