import { Module } from '@nestjs/common';
import { CandidatesModule } from '../candidates/candidates.module';
import { InterviewsModule } from '../interviews/interviews.module';
import { LeadsModule } from '../leads/leads.module';
import { ReferencesModule } from '../references/references.module';
import { TimelineController } from './timeline.controller';
import { CandidateTimelineResolver } from './timeline.resolver';
import { TimelineService } from './timeline.service';

@Module({
  imports: [CandidatesModule, LeadsModule, InterviewsModule, ReferencesModule],
  controllers: [TimelineController],
  providers: [TimelineService, CandidateTimelineResolver],
  exports: [TimelineService],
})
export class TimelineModule {}
