import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsResolver } from './analytics.resolver';
import { AnalyticsService } from './analytics.service';
import { VariantsService } from './variants.service';

/** Reply and outcome analytics and template variant comparison (issue 15). Read-only over the facts. */
@Module({
  imports: [TenancyModule],
  controllers: [AnalyticsController],
  providers: [AnalyticsService, VariantsService, AnalyticsResolver],
  exports: [AnalyticsService, VariantsService],
})
export class AnalyticsModule {}
