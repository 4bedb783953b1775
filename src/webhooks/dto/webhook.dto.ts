import { ArgsType, Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsOptional, IsString, Length, MaxLength, Validate, ValidatorConstraint } from 'class-validator';
import type { ValidatorConstraintInterface } from 'class-validator';
import { ConnectionArgs } from '../../common/graphql/connection';
import { PageQueryDto } from '../../common/pagination';
import { isWebhookEventPattern, WEBHOOK_EVENT_TYPES } from '../../events/outbox';
import { DELIVERY_STATUSES, SETTABLE_SUBSCRIPTION_STATUSES, SUBSCRIPTION_STATUSES } from '../webhook.entity';
import type { WebhookDeliveryAttemptEntity, WebhookDeliveryEntity, WebhookSubscriptionEntity } from '../webhook.entity';
import { Nullable, Omittable } from '../../common/validation';
import { UpdateType } from '../../common/update-type';
import { WebhookDeliveryStatusEnum, WebhookSubscriptionStatusEnum } from '../../graphql/enums';

@ValidatorConstraint({ name: 'webhookEventTypes' })
class WebhookEventTypes implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return Array.isArray(value) && value.every((v) => typeof v === 'string' && isWebhookEventPattern(v));
  }
  defaultMessage(): string {
    return `eventTypes must each be one of: ${WEBHOOK_EVENT_TYPES.join(', ')}, a family such as candidate.*, or *`;
  }
}

const EVENT_TYPES_DOC = `Event types to receive: exact (${WEBHOOK_EVENT_TYPES.join(', ')}), a family (candidate.*) or *.`;

@InputType('CreateWebhookSubscriptionInput')
export class CreateWebhookSubscriptionDto {
  @ApiProperty({ example: 'https://ats.example.com/touchpoint/webhooks', description: 'https in production; must resolve to a public address.' })
  @Field()
  @IsString()
  @MaxLength(2000)
  url!: string;

  @ApiProperty({ example: ['candidate.*', 'lead.status_changed', 'interview.scheduled'], description: EVENT_TYPES_DOC })
  @Field(() => [String], { description: EVENT_TYPES_DOC })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @Validate(WebhookEventTypes)
  eventTypes!: string[];

  @ApiPropertyOptional({ example: 'Bullhorn sync' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @IsString()
  @Length(0, 200)
  description?: string | null;
}

/** PATCH: the create's fields, each optional, and the status (pause, resume). */
@InputType('UpdateWebhookSubscriptionInput')
export class UpdateWebhookSubscriptionDto extends UpdateType(CreateWebhookSubscriptionDto) {
  @ApiPropertyOptional({ enum: SETTABLE_SUBSCRIPTION_STATUSES, description: 'Pause holds deliveries; active resumes and clears a failing flag.' })
  @Field(() => WebhookSubscriptionStatusEnum, { nullable: true, description: 'active or paused (failing is set by Touchpoint).' })
  @Omittable()
  @IsIn(SETTABLE_SUBSCRIPTION_STATUSES, { message: 'status must be active or paused' })
  status?: (typeof SETTABLE_SUBSCRIPTION_STATUSES)[number];
}

@ObjectType('WebhookSubscription')
export class WebhookSubscriptionView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiProperty() @Field() url!: string;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) description!: string | null;
  @ApiProperty({ type: [String] }) @Field(() => [String]) eventTypes!: string[];
  @ApiProperty({ enum: SUBSCRIPTION_STATUSES, description: 'failing: a delivery exhausted its retries (about 24 h).' })
  @Field(() => WebhookSubscriptionStatusEnum)
  status!: string;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Date, { nullable: true }) failingSince!: Date | null;
  @ApiProperty() @Field() createdAt!: Date;
  @ApiProperty() @Field() updatedAt!: Date;

  static of(e: WebhookSubscriptionEntity): WebhookSubscriptionView {
    return Object.assign(new WebhookSubscriptionView(), {
      id: e.id,
      url: e.url,
      description: e.description,
      eventTypes: e.eventTypes,
      status: e.status,
      failingSince: e.failingSince,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}

@ObjectType('CreatedWebhookSubscription')
export class CreatedWebhookSubscriptionView {
  @ApiProperty({ type: WebhookSubscriptionView }) @Field(() => WebhookSubscriptionView) subscription!: WebhookSubscriptionView;

  @ApiProperty({ description: 'The signing secret. Shown once; store it now.', example: 'whsec_…' })
  @Field({ description: 'The signing secret. Shown once; store it now.' })
  secret!: string;
}

@ObjectType('WebhookDeliveryAttempt')
export class WebhookDeliveryAttemptView {
  @ApiProperty() @Field(() => Int) attempt!: number;
  @ApiPropertyOptional({ nullable: true, description: 'HTTP status; null on timeout or network error.' })
  @Field(() => Int, { nullable: true })
  statusCode!: number | null;
  @ApiProperty() @Field(() => Int) latencyMs!: number;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) error!: string | null;
  @ApiProperty() @Field() at!: Date;

  static of(e: WebhookDeliveryAttemptEntity): WebhookDeliveryAttemptView {
    return Object.assign(new WebhookDeliveryAttemptView(), { attempt: e.attempt, statusCode: e.statusCode, latencyMs: e.latencyMs, error: e.error, at: e.at });
  }
}

@ObjectType('WebhookDelivery')
export class WebhookDeliveryView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) subscriptionId!: string;
  @ApiProperty({ format: 'uuid', description: 'The event id (Touchpoint-Event-Id).' }) @Field(() => ID) eventId!: string;
  @ApiProperty() @Field() eventType!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) @Field(() => WebhookDeliveryStatusEnum) status!: string;
  @ApiProperty() @Field(() => Int) attempts!: number;
  @ApiProperty() @Field() nextAttemptAt!: Date;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Int, { nullable: true }) lastStatusCode!: number | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Int, { nullable: true }) lastLatencyMs!: number | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) lastError!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Date, { nullable: true }) deliveredAt!: Date | null;
  @ApiProperty() @Field() createdAt!: Date;
  @ApiProperty({ type: [WebhookDeliveryAttemptView], description: 'Every attempt, oldest first.' })
  @Field(() => [WebhookDeliveryAttemptView])
  log!: WebhookDeliveryAttemptView[];

  static of(e: WebhookDeliveryEntity, eventType: string, log: WebhookDeliveryAttemptEntity[]): WebhookDeliveryView {
    return Object.assign(new WebhookDeliveryView(), {
      id: e.id,
      subscriptionId: e.subscriptionId,
      eventId: e.eventId,
      eventType,
      status: e.status,
      attempts: e.attempts,
      nextAttemptAt: e.nextAttemptAt,
      lastStatusCode: e.lastStatusCode,
      lastLatencyMs: e.lastLatencyMs,
      lastError: e.lastError,
      deliveredAt: e.deliveredAt,
      createdAt: e.createdAt,
      log: log.map(WebhookDeliveryAttemptView.of),
    });
  }
}

export class WebhookDeliveryPageView {
  @ApiProperty({ type: [WebhookDeliveryView] }) items!: WebhookDeliveryView[];
  @ApiPropertyOptional({ nullable: true }) nextCursor!: string | null;
}

@ObjectType('WebhookDeliveryPage')
export class WebhookDeliveryPageGql {
  @Field(() => [WebhookDeliveryView]) items!: WebhookDeliveryView[];
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}

export class ListDeliveriesQueryDto extends PageQueryDto {}

@ArgsType()
export class WebhookDeliveriesArgs extends ConnectionArgs {
  @Field(() => ID)
  @IsString()
  subscriptionId!: string;
}
