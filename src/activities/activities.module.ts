import { Module } from '@nestjs/common';
import { CandidatesModule } from '../candidates/candidates.module';
import { ContactsModule } from '../contacts/contacts.module';
import { MessagingModule } from '../messaging/messaging.module';
import { ActivitiesController } from './activities.controller';
import { ActivitiesResolver } from './activities.resolver';
import { ActivitiesService } from './activities.service';

/** Calls, meetings and notes a recruiter logs (issue 8). Effects on follow-ups go through `activity.logged`. */
@Module({
  imports: [CandidatesModule, ContactsModule, MessagingModule],
  controllers: [ActivitiesController],
  providers: [ActivitiesService, ActivitiesResolver],
  exports: [ActivitiesService],
})
export class ActivitiesModule {}
