import { Args, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { toConnection } from '../common/graphql/connection';
import { ConversationsService } from './conversations.service';
import { conversationView } from './conversation.view';
import { ConversationArgs, ConversationConnection, ConversationsArgs, ConversationSummaryView, ConversationView } from './dto/conversation.dto';

@Resolver(() => ConversationView)
export class ConversationsResolver {
  constructor(private readonly service: ConversationsService) {}

  @Query(() => ConversationConnection, { description: 'The inbox: one conversation per person; unanswered replies first (longest waiting first), then the most recent.' })
  @RequireScopes('messages:read')
  async conversations(@CurrentPrincipal() p: Principal, @Args() args: ConversationsArgs): Promise<ConversationConnection> {
    const page = await this.service.list(p.tenantId, { ...(args.first ? { limit: args.first } : {}), ...(args.after ? { cursor: args.after } : {}) });
    return toConnection(new ConversationConnection(), page, ConversationSummaryView.of);
  }

  @Query(() => ConversationView, { description: "One person's thread, consent, what a reply would do now, and what is planned to them." })
  @RequireScopes('messages:read')
  async conversation(@CurrentPrincipal() p: Principal, @Args() args: ConversationArgs): Promise<ConversationView> {
    return conversationView(await this.service.get(p.tenantId, { type: args.personType, id: args.personId }));
  }
}
