import { ArgsType, Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, IsUUID, Length, MaxLength, Validate } from 'class-validator';
import { WarningView } from '../../people/double-check';
import { Connection, ConnectionArgs } from '../../common/graphql/connection';
import { IanaTimeZone } from '../../common/iana-time-zone.validator';
import { DeletedSince, IncludeDeleted } from '../../common/include-deleted';
import { ToDate } from '../../common/iso-date-time';
import { PageQueryDto } from '../../common/pagination';
import { listInputs, OneOfFilter, TextSearch, UpdatedSince } from '../../common/list-filters';
import { IsExternalId, IsExternalSource, IsPersonEmail, trim } from '../../common/person-fields';
import { IsPhone } from '../../common/phone';
import { CHANNELS } from '../../messaging/domain/channel';
import type { Channel } from '../../messaging/domain/channel';
import { CANDIDATE_STATUSES } from '../candidate.entity';
import type { CandidateEntity, CandidateStatus } from '../candidate.entity';
import { Nullable, Omittable } from '../../common/validation';
import { UpdateType } from '../../common/update-type';
import { CandidateStatusEnum, ChannelEnum } from '../../graphql/enums';

/** The fields a create and an upsert share. */
@InputType({ isAbstract: true })
export abstract class CandidateFieldsDto {
  @ApiProperty({ example: 'Jane Doe' })
  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: 'jane.doe@gmail.com' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @IsPersonEmail()
  email?: string | null;

  @ApiPropertyOptional({ example: '+14155552671', description: 'Any valid number with its country code; stored as E.164.' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @IsPhone()
  phone?: string | null;

  @ApiPropertyOptional({ example: 'America/New_York' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @Validate(IanaTimeZone)
  timeZone?: string | null;

  @ApiPropertyOptional({ enum: CHANNELS, example: 'sms' })
  @Field(() => ChannelEnum, { nullable: true })
  @Nullable()
  @IsIn(CHANNELS, { message: 'preferredChannel must be email or sms' })
  preferredChannel?: Channel | null;

  @ApiPropertyOptional({ format: 'uuid', description: 'The recruiter who owns this candidate.' })
  @Field(() => ID, { nullable: true })
  @Nullable()
  @IsUUID('all', { message: 'ownerUserId must be a UUID' })
  ownerUserId?: string | null;

  @ApiPropertyOptional({ enum: CANDIDATE_STATUSES, default: 'active' })
  @Field(() => CandidateStatusEnum, { nullable: true })
  @Omittable()
  @IsIn(CANDIDATE_STATUSES, { message: `status must be one of: ${CANDIDATE_STATUSES.join(', ')}` })
  status?: CandidateStatus;
}

@InputType('CreateCandidateInput')
export class CreateCandidateDto extends CandidateFieldsDto {
  @ApiPropertyOptional({ example: 'BH-48213', description: 'The id of this candidate in your ATS.' })
  @Field(() => String, { nullable: true })
  @Omittable()
  @IsExternalId()
  externalId?: string;

  @ApiPropertyOptional({ example: 'bullhorn', default: 'api' })
  @Field(() => String, { nullable: true })
  @Omittable()
  @IsExternalSource()
  externalSource?: string;
}

@InputType('UpsertCandidateInput')
export class UpsertCandidateDto extends CandidateFieldsDto {}

/** PATCH: the same fields, each optional; `null` clears a nullable one. */
@InputType('UpdateCandidateInput')
export class UpdateCandidateDto extends UpdateType(CandidateFieldsDto) {}

export interface CandidateFilter {
  includeDeleted?: boolean;
  deletedSince?: Date;
  status?: CandidateStatus;
  ownerUserId?: string;
  updatedSince?: Date;
  q?: string;
}

/** The filters of GET /v1/candidates and of candidates(…): one definition for both. */
@ArgsType()
export class CandidateFilterDto implements CandidateFilter {
  @IncludeDeleted()
  includeDeleted?: boolean;

  @DeletedSince()
  deletedSince?: Date;

  @OneOfFilter(CandidateStatusEnum)
  status?: CandidateStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'ownerUserId must be a UUID' })
  ownerUserId?: string;

  @UpdatedSince('candidates')
  updatedSince?: Date;

  @TextSearch('Text search on name and email.', 'jane')
  q?: string;
}

const lists = listInputs(CandidateFilterDto);

/** GET /v1/candidates?…&limit=…&cursor=… */
export class ListCandidatesQueryDto extends lists.Query {}

/** candidates(…, first: …, after: …) */
@ArgsType()
export class CandidatesArgs extends lists.Args {}

@ObjectType('Candidate')
export class CandidateView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiProperty({ example: 'Jane Doe' }) @Field() name!: string;
  @ApiPropertyOptional({ nullable: true, example: 'jane.doe@gmail.com' }) @Field(() => String, { nullable: true }) email!: string | null;
  @ApiPropertyOptional({ nullable: true, example: '+14155552671' }) @Field(() => String, { nullable: true }) phone!: string | null;
  @ApiPropertyOptional({ nullable: true, example: 'America/New_York' }) @Field(() => String, { nullable: true }) timeZone!: string | null;
  @ApiPropertyOptional({ nullable: true, enum: CHANNELS }) @Field(() => ChannelEnum, { nullable: true }) preferredChannel!: string | null;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) @Field(() => ID, { nullable: true }) ownerUserId!: string | null;
  @ApiProperty({ enum: CANDIDATE_STATUSES }) @Field(() => CandidateStatusEnum) status!: string;
  @ApiPropertyOptional({ nullable: true, example: 'BH-48213' }) @Field(() => String, { nullable: true }) externalId!: string | null;
  @ApiProperty({ example: 'api' }) @Field() externalSource!: string;
  @ApiProperty() @Field() createdAt!: Date;
  @ApiProperty() @Field() updatedAt!: Date;
  @ApiPropertyOptional({ nullable: true, description: 'Set when soft-deleted (lists with includeDeleted).' })
  @Field(() => Date, { nullable: true })
  deletedAt!: Date | null;
  @ApiProperty({ type: [WarningView], description: 'Double-check warnings from this write; they never block it.' })
  @Field(() => [WarningView])
  warnings!: WarningView[];

  static of(e: CandidateEntity, warnings: WarningView[] = []): CandidateView {
    return Object.assign(new CandidateView(), {
      id: e.id,
      name: e.name,
      email: e.email,
      phone: e.phone,
      timeZone: e.timeZone,
      preferredChannel: e.preferredChannel,
      ownerUserId: e.ownerUserId,
      status: e.status,
      externalId: e.externalId,
      externalSource: e.externalSource,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      deletedAt: e.deletedAt,
      warnings,
    });
  }
}

export class CandidatePageView {
  @ApiProperty({ type: [CandidateView] }) items!: CandidateView[];
  @ApiPropertyOptional({ nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}

@ObjectType('CandidateConnection')
export class CandidateConnection extends Connection(CandidateView, 'Candidate') {}

/** One item of upsertCandidates: the candidate's fields plus the id your ATS knows it by. */
@InputType('UpsertCandidatesItemInput')
export class BulkUpsertCandidateDto extends CandidateFieldsDto {
  @Field(() => String, { description: 'The id of this candidate in your ATS (the idempotency key).' })
  @IsExternalId()
  externalId!: string;

  @Field(() => String, { nullable: true, description: 'Your ATS name; default "api".' })
  @Omittable()
  @IsExternalSource()
  externalSource?: string;
}

@ObjectType('BulkItemError')
export class BulkItemErrorView {
  @Field({ description: 'VALIDATION_FAILED, ABORTED (atomic batch with another failing item), CONFLICT, …' }) code!: string;
  @Field() message!: string;
  @Field(() => String, { nullable: true }) field!: string | null;
}

@ObjectType('UpsertCandidateResult')
export class UpsertCandidateResultView {
  @Field(() => Int, { description: 'Position of the item in the input list.' }) index!: number;
  @Field() externalId!: string;
  @Field({ description: 'True when this call created the candidate.' }) created!: boolean;
  @Field({ description: 'True when this item changed the candidate (created, updated or restored); false when it was already so.' }) changed!: boolean;
  @Field(() => CandidateView, { nullable: true, description: 'Null when the item was not written.' }) candidate!: CandidateView | null;
  @Field(() => BulkItemErrorView, { nullable: true }) error!: BulkItemErrorView | null;
}

@ObjectType('UpsertCandidatesPayload')
export class UpsertCandidatesPayload {
  @Field() atomic!: boolean;
  @Field(() => Int, { description: 'Items stored without an error (unchanged ones included).' }) written!: number;
  @Field(() => Int, { description: 'Of the written items, those that changed nothing (the candidate was already so).' }) unchanged!: number;
  @Field(() => Int) failed!: number;
  @Field(() => [UpsertCandidateResultView]) results!: UpsertCandidateResultView[];
}
