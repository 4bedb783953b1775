import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ConversationsService } from './conversations.service';
import { ConversationPageView, ConversationParamsDto, ConversationsQueryDto, ConversationSummaryView, ConversationView } from './dto/conversation.dto';
import { conversationView } from './conversation.view';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('v1/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get()
  @RequireScopes('messages:read')
  @ApiOperation({ summary: 'The inbox: one conversation per person (SMS and email together); those with unanswered replies first, longest waiting first, then the most recent.' })
  @ApiOkResponse({ type: ConversationPageView })
  async list(@CurrentPrincipal() p: Principal, @Query() q: ConversationsQueryDto): Promise<ConversationPageView> {
    const page = await this.conversations.list(p.tenantId, q);
    return { items: page.items.map(ConversationSummaryView.of), nextCursor: page.nextCursor };
  }

  @Get(':personType/:personId')
  @RequireScopes('messages:read')
  @ApiOperation({ summary: "One person's thread (both channels, automated follow-ups inline), their consent, what a reply would do now, and what is planned to them." })
  @ApiOkResponse({ type: ConversationView })
  async get(@CurrentPrincipal() p: Principal, @Param() params: ConversationParamsDto): Promise<ConversationView> {
    return conversationView(await this.conversations.get(p.tenantId, { type: params.personType, id: params.personId }));
  }
}
