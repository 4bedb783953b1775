import { Module } from '@nestjs/common';
import { ActivitiesModule } from '../activities/activities.module';
import { CandidatesModule } from '../candidates/candidates.module';
import { MessagingModule } from '../messaging/messaging.module';
import { InterviewsModule } from '../interviews/interviews.module';
import { LeadsModule } from '../leads/leads.module';
import { ReferencesModule } from '../references/references.module';
import { TimelineController } from './timeline.controller';
import { CandidateTimelineResolver } from './timeline.resolver';
import { TimelineService } from './timeline.service';

@Module({
  imports: [CandidatesModule, LeadsModule, InterviewsModule, ReferencesModule, ActivitiesModule, MessagingModule],
  controllers: [TimelineController],
  providers: [TimelineService, CandidateTimelineResolver],
  exports: [TimelineService],
})
export class TimelineModule {}
