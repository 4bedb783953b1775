import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { JsonScalar } from '../common/graphql/json.scalar';
import { CandidatesModule } from '../candidates/candidates.module';
import { ContactsModule } from '../contacts/contacts.module';
import { InterviewsModule } from '../interviews/interviews.module';
import { LeadsModule } from '../leads/leads.module';
import { MessagingModule } from '../messaging/messaging.module';
import { UsersModule } from '../users/users.module';
import { AgendaService } from './agenda.service';
import { DispatcherService } from './dispatch/dispatcher.service';
import { FollowUpExecutor } from './dispatch/follow-up.executor';
import { MessagingContactState } from './dispatch/messaging-contact-state';
import { PipelineComposer } from './dispatch/pipeline-composer';
import { CONTACT_STATE_READER, FOLLOW_UP_COMPOSER } from './dispatch/ports';
import { FollowUpSettingsController } from './follow-up-settings.controller';
import { FollowUpSettingsService } from './follow-up-settings.service';
import { FollowUpsController } from './follow-ups.controller';
import { FollowUpsResolver } from './follow-ups.resolver';
import { FollowUpsService } from './follow-ups.service';
import { FollowUpPlanner } from './planning/follow-up.planner';
import { FollowUpRules } from './planning/follow-up.rules';
import { OneOffAnswers } from './one-off/one-off-answers';
import { OneOffController } from './one-off/one-off.controller';
import { OneOffResolver } from './one-off/one-off.resolver';
import { SendOneOffUseCase } from './one-off/send-one-off.usecase';

/**
 * The follow-up engine: the planner (domain events → follow-up rows, by the tenant's policy),
 * the dispatcher (claim → compose → choose channel → send through messaging → record), and the
 * recruiter's controls (list, approve, cancel, snooze, send now, agenda, policy).
 */
@Module({
  imports: [ScheduleModule.forRoot(), UsersModule, CandidatesModule, ContactsModule, LeadsModule, InterviewsModule, MessagingModule],
  controllers: [FollowUpsController, FollowUpSettingsController, OneOffController],
  providers: [
    FollowUpPlanner,
    FollowUpRules,
    FollowUpExecutor,
    DispatcherService,
    FollowUpsService,
    FollowUpSettingsService,
    AgendaService,
    FollowUpsResolver,
    JsonScalar,
    SendOneOffUseCase,
    OneOffResolver,
    OneOffAnswers,
    { provide: FOLLOW_UP_COMPOSER, useClass: PipelineComposer },
    { provide: CONTACT_STATE_READER, useClass: MessagingContactState },
  ],
  exports: [FollowUpsService, DispatcherService, FollowUpPlanner, SendOneOffUseCase],
})
export class FollowUpsModule {}
