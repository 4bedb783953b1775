import { ArgsType, Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { Connection, ConnectionArgs } from '../../common/graphql/connection';
import { DeletedSince, IncludeDeleted } from '../../common/include-deleted';
import { ToDate } from '../../common/iso-date-time';
import { PageQueryDto } from '../../common/pagination';
import { IdFilter, listInputs, OneOfFilter, TextSearch, UpdatedSince } from '../../common/list-filters';
import { IsExternalId, IsExternalSource, trim } from '../../common/person-fields';
import { LEAD_SOURCES } from '../lead.entity';
import type { LeadEntity, LeadSource, LeadStatusHistoryEntity } from '../lead.entity';
import { allowedTransitions, LEAD_STATUSES } from '../lead-status';
import type { LeadStatus } from '../lead-status';
import { Nullable, Omittable } from '../../common/validation';
import { UpdateType } from '../../common/update-type';
import { LeadSourceEnum, LeadStatusEnum } from '../../graphql/enums';

const STATUS_MESSAGE = `status must be one of: ${LEAD_STATUSES.join(', ')}`;
const SOURCE_MESSAGE = `source must be one of: ${LEAD_SOURCES.join(', ')}`;

@InputType({ isAbstract: true })
export abstract class LeadFieldsDto {
  @ApiProperty({ example: 'Globex' })
  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  company!: string;

  @ApiProperty({ example: 'Senior Backend Engineer' })
  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  position!: string;

  @ApiPropertyOptional({ enum: LEAD_SOURCES, default: 'other' })
  @Field(() => LeadSourceEnum, { nullable: true })
  @Omittable()
  @IsIn(LEAD_SOURCES, { message: SOURCE_MESSAGE })
  source?: LeadSource;

  @ApiPropertyOptional({ format: 'uuid', description: 'The contact who referred the candidate.' })
  @Field(() => ID, { nullable: true })
  @Nullable()
  @IsUUID('all', { message: 'referrerContactId must be a UUID' })
  referrerContactId?: string | null;

  @ApiPropertyOptional({ format: 'uuid', description: 'The employer contact (hiring manager) for this job.' })
  @Field(() => ID, { nullable: true })
  @Nullable()
  @IsUUID('all', { message: 'employerContactId must be a UUID' })
  employerContactId?: string | null;

  @ApiPropertyOptional({ example: '2026-11-20T14:00:00Z', description: 'When the resume was sent; defaults to now when the lead is applied.' })
  @Field(() => Date, { nullable: true })
  @Omittable()
  @ToDate()
  @IsDate({ message: 'resumeSentAt must be an ISO-8601 date-time' })
  resumeSentAt?: Date;

  @ApiPropertyOptional({ example: '2026-11-25T09:00:00Z', description: 'When the offer came; defaults to now when the lead reaches offer.' })
  @Field(() => Date, { nullable: true })
  @Omittable()
  @ToDate()
  @IsDate({ message: 'offerAt must be an ISO-8601 date-time' })
  offerAt?: Date;
}

@InputType({ isAbstract: true })
export abstract class LeadCreateFieldsDto extends LeadFieldsDto {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  @IsUUID('all', { message: 'candidateId must be a UUID' })
  candidateId!: string;

  @ApiPropertyOptional({ enum: LEAD_STATUSES, default: 'identified', description: 'Initial status, for imports.' })
  @Field(() => LeadStatusEnum, { nullable: true })
  @Omittable()
  @IsIn(LEAD_STATUSES, { message: STATUS_MESSAGE })
  status?: LeadStatus;
}

@InputType('CreateLeadInput')
export class CreateLeadDto extends LeadCreateFieldsDto {
  @ApiPropertyOptional({ example: 'JOB-7781' })
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

/** An upsert creates like POST, or updates the fields and moves the status through the machine. */
@InputType('UpsertLeadInput')
export class UpsertLeadDto extends LeadCreateFieldsDto {}

/** PATCH: the lead's own fields, each optional (the candidate and the status change elsewhere). */
@InputType('UpdateLeadInput')
export class UpdateLeadDto extends UpdateType(LeadFieldsDto) {}

@InputType('ChangeLeadStatusInput')
export class ChangeLeadStatusDto {
  @ApiProperty({ enum: LEAD_STATUSES, example: 'applied' })
  @Field(() => LeadStatusEnum)
  @IsIn(LEAD_STATUSES, { message: STATUS_MESSAGE })
  status!: LeadStatus;

  @ApiPropertyOptional({ description: 'Only with status applied: when the resume was sent (back-dating). Default now.' })
  @Field(() => Date, { nullable: true })
  @Omittable()
  @ToDate()
  @IsDate({ message: 'resumeSentAt must be an ISO-8601 date-time' })
  resumeSentAt?: Date;

  @ApiPropertyOptional({ description: 'Only with status offer: when the offer came (back-dating). Default now.' })
  @Field(() => Date, { nullable: true })
  @Omittable()
  @ToDate()
  @IsDate({ message: 'offerAt must be an ISO-8601 date-time' })
  offerAt?: Date;

  @ApiPropertyOptional({ example: 'Sent via the referral portal' })
  @Field(() => String, { nullable: true })
  @Omittable()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export interface LeadFilter {
  includeDeleted?: boolean;
  deletedSince?: Date;
  status?: LeadStatus;
  candidateId?: string;
  company?: string;
  updatedSince?: Date;
  q?: string;
}

/** The filters of GET /v1/leads and of leads(…): one definition for both. */
@ArgsType()
export class LeadFilterDto implements LeadFilter {
  @IncludeDeleted()
  includeDeleted?: boolean;

  @DeletedSince()
  deletedSince?: Date;

  @OneOfFilter(LeadStatusEnum)
  status?: LeadStatus;

  @IdFilter()
  candidateId?: string;

  @ApiPropertyOptional({ example: 'Globex', description: 'Company, ignoring case.' })
  @Field(() => String, { nullable: true, description: 'Company, ignoring case.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  company?: string;

  @UpdatedSince('leads')
  updatedSince?: Date;

  @TextSearch('Text search on company and position.', 'engineer')
  q?: string;
}

const lists = listInputs(LeadFilterDto);

/** GET /v1/leads?…&limit=…&cursor=… */
export class ListLeadsQueryDto extends lists.Query {}

/** leads(…, first: …, after: …) */
@ArgsType()
export class LeadsArgs extends lists.Args {}

@ObjectType('LeadStatusChange')
export class LeadStatusChangeView {
  @ApiPropertyOptional({ nullable: true, enum: LEAD_STATUSES }) @Field(() => LeadStatusEnum, { nullable: true }) from!: string | null;
  @ApiProperty({ enum: LEAD_STATUSES }) @Field(() => LeadStatusEnum) to!: string;
  @ApiProperty() @Field() at!: Date;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) note!: string | null;

  static of(h: LeadStatusHistoryEntity): LeadStatusChangeView {
    return Object.assign(new LeadStatusChangeView(), { from: h.fromStatus, to: h.toStatus, at: h.changedAt, note: h.note });
  }
}

@ObjectType('Lead')
export class LeadView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) candidateId!: string;
  @ApiProperty({ example: 'Globex' }) @Field() company!: string;
  @ApiProperty({ example: 'Senior Backend Engineer' }) @Field() position!: string;
  @ApiProperty({ enum: LEAD_SOURCES }) @Field(() => LeadSourceEnum) source!: string;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) @Field(() => ID, { nullable: true }) referrerContactId!: string | null;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) @Field(() => ID, { nullable: true }) employerContactId!: string | null;
  @ApiProperty({ enum: LEAD_STATUSES }) @Field(() => LeadStatusEnum) status!: string;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Date, { nullable: true }) resumeSentAt!: Date | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Date, { nullable: true }) offerAt!: Date | null;
  @ApiProperty() @Field() statusChangedAt!: Date;
  @ApiProperty({ enum: LEAD_STATUSES, isArray: true, description: 'Where the status may move next.' })
  @Field(() => [LeadStatusEnum])
  allowedTransitions!: string[];
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) externalId!: string | null;
  @ApiProperty() @Field() externalSource!: string;
  @ApiProperty() @Field() createdAt!: Date;
  @ApiProperty() @Field() updatedAt!: Date;
  @ApiPropertyOptional({ nullable: true, description: 'Set when soft-deleted (lists with includeDeleted).' })
  @Field(() => Date, { nullable: true })
  deletedAt!: Date | null;

  static of(e: LeadEntity): LeadView {
    return Object.assign(new LeadView(), {
      id: e.id,
      candidateId: e.candidateId,
      company: e.company,
      position: e.position,
      source: e.source,
      referrerContactId: e.referrerContactId,
      employerContactId: e.employerContactId,
      status: e.status,
      resumeSentAt: e.resumeSentAt,
      offerAt: e.offerAt,
      statusChangedAt: e.statusChangedAt,
      allowedTransitions: allowedTransitions(e.status),
      externalId: e.externalId,
      externalSource: e.externalSource,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      deletedAt: e.deletedAt,
    });
  }
}

export class LeadPageView {
  @ApiProperty({ type: [LeadView] }) items!: LeadView[];
  @ApiPropertyOptional({ nullable: true }) nextCursor!: string | null;
}

@ObjectType('LeadConnection')
export class LeadConnection extends Connection(LeadView, 'Lead') {}
