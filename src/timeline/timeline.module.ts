import { Module } from '@nestjs/common';
import { ActivitiesModule } from '../activities/activities.module';
import { CandidatesModule } from '../candidates/candidates.module';
import { ContactsModule } from '../contacts/contacts.module';
import { MessagingModule } from '../messaging/messaging.module';
import { InterviewsModule } from '../interviews/interviews.module';
import { LeadsModule } from '../leads/leads.module';
import { ReferencesModule } from '../references/references.module';
import { ContactTimelineController, TimelineController } from './timeline.controller';
import { CandidateTimelineResolver, ContactTimelineResolver } from './timeline.resolver';
import { TimelineService } from './timeline.service';

@Module({
  imports: [CandidatesModule, ContactsModule, LeadsModule, InterviewsModule, ReferencesModule, ActivitiesModule, MessagingModule],
  controllers: [TimelineController, ContactTimelineController],
  providers: [TimelineService, CandidateTimelineResolver, ContactTimelineResolver],
  exports: [TimelineService],
})
export class TimelineModule {}
