import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { ActivitiesModule } from './activities/activities.module';
import { AnalyticsModule } from './analytics/analytics.module';
import { ErasureModule } from './erasure/erasure.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CandidatesModule } from './candidates/candidates.module';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import { ContactsModule } from './contacts/contacts.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { Clock } from './common/clock';
import { APP_CONFIG } from './config/app-config';
import type { AppConfig } from './config/app-config';
import { TenantDb } from './database/tenant-db.service';
import { DomainEventBus } from './events/domain-event-bus';
import { ReactionsModule } from './events/reactions/reactions.module';
import { graphqlOptions } from './graphql/graphql.config';
import { HealthController } from './health/health.controller';
import { InterviewsModule } from './interviews/interviews.module';
import { LeadsModule } from './leads/leads.module';
import { MeModule } from './me/me.module';
import { MetricsModule } from './metrics/metrics.module';
import { ReferencesModule } from './references/references.module';
import { MessagingModule } from './messaging/messaging.module';
import { ConversationsModule } from './conversations/conversations.module';
import { FollowUpsModule } from './follow-ups/follow-ups.module';
import { TenancyModule } from './tenancy/tenancy.module';
import { TimelineModule } from './timeline/timeline.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { FieldPreloads } from './common/graphql/preload';

export interface AppModuleOptions {
  config: AppConfig;
  clock: Clock;
  /** Initialised, migrated DataSource. */
  dataSource: DataSource;
}

/** Process-wide infrastructure: configuration, clock, database, event bus. */
@Global()
@Module({})
export class CoreModule {
  static register(options: AppModuleOptions): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: Clock, useValue: options.clock },
        { provide: DataSource, useValue: options.dataSource },
        DomainEventBus,
        TenantDb,
        FieldPreloads,
      ],
      exports: [APP_CONFIG, Clock, DataSource, DomainEventBus, TenantDb, FieldPreloads],
    };
  }
}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(options),
        GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, ...graphqlOptions(options.config) }),
        TenancyModule,
        AuthModule,
        UsersModule,
        MeModule,
        IdempotencyModule,
        CandidatesModule,
        ContactsModule,
        LeadsModule,
        InterviewsModule,
        ReferencesModule,
        TimelineModule,
        MessagingModule,
        FollowUpsModule,
        ConversationsModule,
        MetricsModule,
        ReactionsModule,
        AuditModule,
        AnalyticsModule,
        WebhooksModule,
        ActivitiesModule,
        ErasureModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
