import { Module } from '@nestjs/common';
import { ErasePersonUseCase } from './erase-person.usecase';
import { ErasureController } from './erasure.controller';
import { ErasureResolver } from './erasure.resolver';

/** Erasure on request (issue 8): one use case, one transaction, reviewable SQL. */
@Module({
  controllers: [ErasureController],
  providers: [ErasePersonUseCase, ErasureResolver],
})
export class ErasureModule {}
