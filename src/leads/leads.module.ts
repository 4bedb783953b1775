import { Module } from '@nestjs/common';
import { CandidatesModule } from '../candidates/candidates.module';
import { ContactsModule } from '../contacts/contacts.module';
import { LeadsController } from './leads.controller';
import { CandidateLeadsResolver, LeadsResolver } from './leads.resolver';
import { LeadsService } from './leads.service';

@Module({
  imports: [CandidatesModule, ContactsModule],
  controllers: [LeadsController],
  providers: [LeadsService, LeadsResolver, CandidateLeadsResolver],
  exports: [LeadsService],
})
export class LeadsModule {}
