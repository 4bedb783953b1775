import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { Idempotent } from '../common/idempotency/idempotency.interceptor';
import { ActivitiesService } from './activities.service';
import { ActivityPageView, ActivityView, ListActivitiesQueryDto, LogActivityDto } from './dto/activity.dto';

@ApiTags('activities')
@ApiBearerAuth()
@Controller('v1/activities')
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @Post()
  @Idempotent()
  @RequireScopes('activities:write')
  @ApiOperation({ summary: 'Log a call, meeting or note. An inbound one counts as a reply; an inbound call makes the next follow-up a call task.' })
  async log(@CurrentPrincipal() p: Principal, @Body() dto: LogActivityDto): Promise<ActivityView> {
    return ActivityView.of(await this.activities.log(p.tenantId, dto, actorOf(p)));
  }

  @Get()
  @RequireScopes('activities:read')
  @ApiOperation({ summary: 'Logged activities, newest first. Filters: candidateId, contactId, kind, direction.' })
  @ApiOkResponse({ type: ActivityPageView })
  async list(@CurrentPrincipal() p: Principal, @Query() q: ListActivitiesQueryDto): Promise<ActivityPageView> {
    const page = await this.activities.list(p.tenantId, q, q);
    return { items: page.items.map(ActivityView.of), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScopes('activities:read')
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ActivityView> {
    return ActivityView.of(await this.activities.get(p.tenantId, id));
  }
}
