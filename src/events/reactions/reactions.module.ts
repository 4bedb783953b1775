import { Global, Module } from '@nestjs/common';
import { ReactionRunner } from './reaction-runner';
import { ReactionWorker } from './reaction-worker';
import { ReactionsController } from './reactions.controller';
import { ReactionsResolver } from './reactions.resolver';
import { ReactionsService } from './reactions.service';

/** Durable reactions to domain events: the runner, the retrying worker, and the admins' view. */
@Global()
@Module({
  controllers: [ReactionsController],
  providers: [ReactionRunner, ReactionWorker, ReactionsService, ReactionsResolver],
  exports: [ReactionRunner, ReactionWorker],
})
export class ReactionsModule {}
