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
import { FollowUpComposer } from './compose/follow-up.composer';
import { AttemptRecorder } from './dispatch/attempt-recorder';
import { DispatcherService } from './dispatch/dispatcher.service';
import { SendFollowUpUseCase } from './dispatch/send-follow-up.usecase';
import { SmsPacer } from './dispatch/sms-pacer';
import { FollowUpSettingsController } from './follow-up-settings.controller';
import { FollowUpSettingsService } from './follow-up-settings.service';
import { FollowUpsController } from './follow-ups.controller';
import { CandidateFollowUpsResolver, ContactFollowUpsResolver, InterviewFollowUpsResolver, LeadFollowUpsResolver } from './follow-ups-about.resolver';
import { FollowUpsResolver } from './follow-ups.resolver';
import { FollowUpPreviewService } from './compose/follow-up-preview.service';
import { PreviewTemplateUseCase } from './compose/template-preview.usecase';
import { FollowUpsService } from './follow-ups.service';
import { FollowUpPlanner } from './planning/follow-up.planner';
import { PlanFollowUpsReaction } from './planning/plan-follow-ups.reaction';
import { OneOffAnswers } from './one-off/one-off-answers';
import { InterviewInvitesReaction } from './planning/interview-invites.reaction';
import { EmailBouncesReaction } from './planning/email-bounces.reaction';
import { OneOffController } from './one-off/one-off.controller';
import { OneOffResolver } from './one-off/one-off.resolver';
import { SendOneOffUseCase } from './one-off/send-one-off.usecase';

/**
 * The follow-up engine: the rules (rules/, one file each), planning (a durable reaction to domain
 * events: events → follow-up rows, by the tenant's policy), composing (current data → the message,
 * for sending and for previews alike), the dispatcher (claim → send use case: compose, draft,
 * window, SMS pacing → messaging → record), and the recruiter's controls (list with previews,
 * approve, cancel, snooze, send now, edit, agenda, policy).
 */
@Module({
  imports: [ScheduleModule.forRoot(), UsersModule, CandidatesModule, ContactsModule, LeadsModule, InterviewsModule, MessagingModule],
  controllers: [FollowUpsController, FollowUpSettingsController, OneOffController],
  providers: [
    FollowUpPlanner,
    PlanFollowUpsReaction,
    FollowUpComposer,
    SendFollowUpUseCase,
    SmsPacer,
    AttemptRecorder,
    DispatcherService,
    FollowUpsService,
    FollowUpSettingsService,
    AgendaService,
    FollowUpsResolver,
    LeadFollowUpsResolver,
    InterviewFollowUpsResolver,
    CandidateFollowUpsResolver,
    ContactFollowUpsResolver,
    FollowUpPreviewService,
    PreviewTemplateUseCase,
    JsonScalar,
    SendOneOffUseCase,
    OneOffResolver,
    OneOffAnswers,
    InterviewInvitesReaction,
    EmailBouncesReaction,
  ],
  exports: [FollowUpsService, DispatcherService, FollowUpPlanner, SendOneOffUseCase],
})
export class FollowUpsModule {}
