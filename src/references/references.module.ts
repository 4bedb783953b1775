import { Module } from '@nestjs/common';
import { CandidatesModule } from '../candidates/candidates.module';
import { ContactsModule } from '../contacts/contacts.module';
import { LeadsModule } from '../leads/leads.module';
import { LeadReferencesController, ReferencesController } from './references.controller';
import { CandidateReferencesResolver, ReferencesResolver } from './references.resolver';
import { ReferencesService } from './references.service';

@Module({
  imports: [CandidatesModule, ContactsModule, LeadsModule],
  controllers: [ReferencesController, LeadReferencesController],
  providers: [ReferencesService, ReferencesResolver, CandidateReferencesResolver],
  exports: [ReferencesService],
})
export class ReferencesModule {}
