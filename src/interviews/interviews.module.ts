import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { LeadsModule } from '../leads/leads.module';
import { InterviewsController } from './interviews.controller';
import { InterviewsResolver, LeadInterviewsResolver } from './interviews.resolver';
import { InterviewsService } from './interviews.service';

@Module({
  imports: [LeadsModule, ContactsModule],
  controllers: [InterviewsController],
  providers: [InterviewsService, InterviewsResolver, LeadInterviewsResolver],
  exports: [InterviewsService],
})
export class InterviewsModule {}
