import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { Idempotent } from '../common/idempotency/idempotency.interceptor';
import {
  InterviewPageView,
  InterviewRescheduleView,
  InterviewTransitionDto,
  InterviewView,
  ListInterviewsQueryDto,
  RescheduleInterviewDto,
  ScheduleInterviewDto,
  UpdateInterviewDto,
} from './dto/interview.dto';
import { InterviewRecord, InterviewsService } from './interviews.service';

const view = (r: InterviewRecord): InterviewView => InterviewView.of(r.interview, r.interviewerIds, r.warnings);

@ApiTags('interviews')
@ApiBearerAuth()
@Controller('v1/interviews')
export class InterviewsController {
  constructor(private readonly interviews: InterviewsService) {}

  @Post()
  @Idempotent()
  @RequireScopes('interviews:write')
  @ApiOperation({ summary: 'Schedule an interview for an open lead. startsAt must be in the future; interviewers are contacts of this firm.' })
  async schedule(@CurrentPrincipal() p: Principal, @Body() dto: ScheduleInterviewDto): Promise<InterviewView> {
    return view(await this.interviews.schedule(p.tenantId, dto, actorOf(p)));
  }

  @Get()
  @RequireScopes('interviews:read')
  @ApiOkResponse({ type: InterviewPageView })
  @ApiOperation({ summary: 'List interviews: cursor pagination; filters leadId, candidateId, status, updatedSince.' })
  async list(@CurrentPrincipal() p: Principal, @Query() query: ListInterviewsQueryDto): Promise<InterviewPageView> {
    const page = await this.interviews.list(p.tenantId, query, query);
    return { items: page.items.map(view), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScopes('interviews:read')
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<InterviewView> {
    return view(await this.interviews.get(p.tenantId, id));
  }

  @Get(':id/reschedules')
  @RequireScopes('interviews:read')
  @ApiOkResponse({ type: [InterviewRescheduleView] })
  @ApiOperation({ summary: 'Every earlier time of this interview, oldest first.' })
  async reschedules(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<{ items: InterviewRescheduleView[] }> {
    return { items: (await this.interviews.reschedules(p.tenantId, id)).map(InterviewRescheduleView.of) };
  }

  @Patch(':id')
  @RequireScopes('interviews:write')
  @ApiOperation({ summary: 'Change details (format, place, interviewers). A new time goes through /reschedule.' })
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: UpdateInterviewDto): Promise<InterviewView> {
    return view(await this.interviews.update(p.tenantId, id, dto, actorOf(p)));
  }

  @Post(':id/reschedule')
  @HttpCode(200)
  @Idempotent()
  @RequireScopes('interviews:write')
  @ApiOperation({ summary: 'Move to a new future time. The old time is kept; emits interview.rescheduled with both.' })
  async reschedule(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: RescheduleInterviewDto): Promise<InterviewView> {
    return view(await this.interviews.reschedule(p.tenantId, id, dto, actorOf(p)));
  }

  @Post(':id/confirm')
  @HttpCode(200)
  @Idempotent()
  @RequireScopes('interviews:write')
  @ApiOperation({ summary: 'Mark a scheduled interview as confirmed.' })
  async confirm(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<InterviewView> {
    return view(await this.interviews.confirm(p.tenantId, id, actorOf(p)));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Idempotent()
  @RequireScopes('interviews:write')
  @ApiOperation({ summary: 'Cancel a scheduled or confirmed interview.' })
  async cancel(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: InterviewTransitionDto): Promise<InterviewView> {
    return view(await this.interviews.closeOut(p.tenantId, id, 'cancelled', dto.reason, actorOf(p)));
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Idempotent()
  @RequireScopes('interviews:write')
  @ApiOperation({ summary: 'Mark the interview as held.' })
  async complete(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: InterviewTransitionDto): Promise<InterviewView> {
    return view(await this.interviews.closeOut(p.tenantId, id, 'completed', dto.reason, actorOf(p)));
  }

  @Post(':id/no-show')
  @HttpCode(200)
  @Idempotent()
  @RequireScopes('interviews:write')
  @ApiOperation({ summary: 'Mark that the candidate did not show up.' })
  async noShow(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: InterviewTransitionDto): Promise<InterviewView> {
    return view(await this.interviews.closeOut(p.tenantId, id, 'no_show', dto.reason, actorOf(p)));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('interviews:write')
  @ApiOperation({ summary: 'Soft-delete an interview recorded by mistake (use cancel for a real cancellation).' })
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.interviews.remove(p.tenantId, id, actorOf(p));
  }
}
