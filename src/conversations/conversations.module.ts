import { Module } from '@nestjs/common';
import { FollowUpsModule } from '../follow-ups/follow-ups.module';
import { MessagingModule } from '../messaging/messaging.module';
import { ConversationsController } from './conversations.controller';
import { ConversationsResolver } from './conversations.resolver';
import { ConversationsService } from './conversations.service';

/** The recruiter's inbox (REST /v1/conversations, GraphQL conversations / conversation), read over messaging and follow-ups. */
@Module({
  imports: [MessagingModule, FollowUpsModule],
  controllers: [ConversationsController],
  providers: [ConversationsService, ConversationsResolver],
})
export class ConversationsModule {}
