import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { toConnection } from '../common/graphql/connection';
import { MessageConnection, MessagesArgs, MessageView } from './dto/message.dto';
import { MessagesService } from './messages.service';

@Resolver(() => MessageView)
export class MessagesResolver {
  constructor(private readonly service: MessagesService) {}

  @Query(() => MessageConnection)
  @RequireScopes('messages:read')
  async messages(@CurrentPrincipal() p: Principal, @Args() args: MessagesArgs): Promise<MessageConnection> {
    const page = await this.service.list(p.tenantId, args, { limit: args.first, cursor: args.after });
    return toConnection(new MessageConnection(), page, MessageView.of);
  }

  @Query(() => MessageView)
  @RequireScopes('messages:read')
  async message(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<MessageView> {
    return MessageView.of(await this.service.get(p.tenantId, id));
  }

  @Mutation(() => MessageView, { description: 'Mark a reply handled: it leaves "replies to answer" on the agenda.' })
  @RequireScopes('messages:write')
  async markReplyHandled(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<MessageView> {
    return MessageView.of(await this.service.markHandled(p.tenantId, id));
  }
}
