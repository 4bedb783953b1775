import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ListMessagesQueryDto, MessagePageView, MessageView } from './dto/message.dto';
import { MessagesService } from './messages.service';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('v1/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get()
  @RequireScopes('messages:read')
  @ApiOperation({ summary: 'Messages in and out, newest first, with delivery status. Filters: person, channel, direction, status.' })
  @ApiOkResponse({ type: MessagePageView })
  async list(@CurrentPrincipal() p: Principal, @Query() query: ListMessagesQueryDto): Promise<MessagePageView> {
    const page = await this.messages.list(p.tenantId, query, query);
    return { items: page.items.map(MessageView.of), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScopes('messages:read')
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<MessageView> {
    return MessageView.of(await this.messages.get(p.tenantId, id));
  }

  @Post(':id/handled')
  @HttpCode(200)
  @RequireScopes('messages:write')
  @ApiOperation({ summary: 'Mark a reply handled: it leaves "replies to answer" on the agenda. An answered or handled reply stays as it is.' })
  async handled(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<MessageView> {
    return MessageView.of(await this.messages.markHandled(p.tenantId, id));
  }
}
