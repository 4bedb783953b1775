import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { CandidatesController } from './candidates.controller';
import { CandidatesResolver } from './candidates.resolver';
import { CandidatesService } from './candidates.service';

@Module({
  imports: [UsersModule],
  controllers: [CandidatesController],
  providers: [CandidatesService, CandidatesResolver],
  exports: [CandidatesService],
})
export class CandidatesModule {}
