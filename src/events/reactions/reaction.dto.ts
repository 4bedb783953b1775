import { ArgsType, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ACTOR_KINDS } from '../../auth/principal';
import { JsonScalar } from '../../common/graphql/json.scalar';
import { PageQueryDto } from '../../common/pagination';
import { REACTION_STATES, REACTION_STATUSES } from './reaction-store';
import type { ReactionState } from './reaction-store';
import { ActorKindEnum, ReactionStateEnum, ReactionStatusEnum } from '../../graphql/enums';


/**
 * One filter for REST (`GET /v1/reactions?state=…&limit=…&cursor=…`) and GraphQL
 * (`reactions(state:, limit:, cursor:)`); `limit` defaults to 50 here.
 */
@ArgsType()
export class ReactionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: REACTION_STATES,
    default: 'open',
    description: 'failing: failed, retried with backoff; dead: given up after many attempts, waiting for an admin; open: both; done: failed once, then succeeded (kept 7 days).',
  })
  @Field(() => ReactionStateEnum, { nullable: true })
  @IsOptional()
  @IsIn(REACTION_STATES, { message: `state must be one of: ${REACTION_STATES.join(', ')}` })
  state?: ReactionState;
}

@ObjectType('Reaction', {
  description: 'What the system does because of a change (planning its follow-ups, …) that failed where the change was made, and its retries.',
})
export class ReactionView {
  @ApiProperty() @Field(() => ID) id!: string;
  @ApiProperty({ example: 'follow-ups.plan' }) @Field() reaction!: string;
  @ApiProperty({ example: 'lead.status_changed', description: 'The change it reacts to.' }) @Field() eventType!: string;
  @ApiProperty() @Field(() => ID) eventId!: string;
  @ApiProperty({ description: 'The change, as its event recorded it (ids, from/to, …).', example: { leadId: '…', from: 'identified', to: 'applied' } })
  @Field(() => JsonScalar)
  change!: unknown;
  @ApiPropertyOptional({ enum: ACTOR_KINDS, nullable: true }) @Field(() => ActorKindEnum, { nullable: true }) actorKind!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) actorId!: string | null;
  @ApiProperty() @Field() occurredAt!: Date;
  @ApiProperty({ enum: REACTION_STATUSES }) @Field(() => ReactionStatusEnum) status!: string;
  @ApiProperty() @Field(() => Int) attempts!: number;
  @ApiPropertyOptional({ nullable: true, description: 'The last error, as the handler raised it.' }) @Field(() => String, { nullable: true }) lastError!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Date, { nullable: true }) lastErrorAt!: Date | null;
  @ApiProperty({ description: 'When the worker tries it next (failing only).' }) @Field() nextAttemptAt!: Date;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Date, { nullable: true }) doneAt!: Date | null;
}

@ObjectType('ReactionPage')
export class ReactionPage {
  @ApiProperty({ type: [ReactionView] }) @Field(() => [ReactionView]) items!: ReactionView[];
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) nextCursor!: string | null;
}
