import { ArgsType, Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDate, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { Connection, ConnectionArgs } from '../../common/graphql/connection';
import { IncludeDeleted } from '../../common/include-deleted';
import { ToDate } from '../../common/iso-date-time';
import { PageQueryDto } from '../../common/pagination';
import { IdFilter, listInputs, UpdatedSince } from '../../common/list-filters';
import { IsExternalId, IsExternalSource, trim } from '../../common/person-fields';
import type { ReferenceEntity, ReferenceProvisionEntity } from '../reference.entity';
import { Omittable } from '../../common/validation';
import { UpdateType } from '../../common/update-type';

@InputType('CreateReferenceInput')
export class CreateReferenceDto {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  @IsUUID('all', { message: 'candidateId must be a UUID' })
  candidateId!: string;

  @ApiProperty({ format: 'uuid', description: 'The contact who vouches for the candidate.' })
  @Field(() => ID)
  @IsUUID('all', { message: 'contactId must be a UUID' })
  contactId!: string;

  @ApiProperty({ example: 'Former manager at Initech' })
  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  relationship!: string;

  @ApiPropertyOptional({ example: 'REF-12' })
  @Field(() => String, { nullable: true })
  @Omittable()
  @IsExternalId()
  externalId?: string;

  @ApiPropertyOptional({ example: 'bullhorn' })
  @Field(() => String, { nullable: true })
  @Omittable()
  @IsExternalSource()
  externalSource?: string;
}

/** PATCH: only the relationship changes (the candidate and the contact are the reference). */
@InputType('UpdateReferenceInput')
export class UpdateReferenceDto extends UpdateType(CreateReferenceDto, ['relationship']) {}

@InputType('ProvideReferencesInput')
export class ProvideReferencesDto {
  @ApiProperty({ type: [String], format: 'uuid', description: "References of the lead's candidate." })
  @Field(() => [ID])
  @IsArray()
  @ArrayMinSize(1, { message: 'referenceIds must name at least one reference' })
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true, message: 'each of referenceIds must be a UUID' })
  referenceIds!: string[];

  @ApiPropertyOptional({ description: 'When they were handed over; default now. Not in the future.' })
  @Field(() => Date, { nullable: true })
  @Omittable()
  @ToDate()
  @IsDate({ message: 'providedAt must be an ISO-8601 date-time' })
  providedAt?: Date;
}

export interface ReferenceFilter {
  includeDeleted?: boolean;
  candidateId?: string;
  contactId?: string;
  updatedSince?: Date;
}

/** The filters of GET /v1/references and of references(…): one definition for both. */
@ArgsType()
export class ReferenceFilterDto implements ReferenceFilter {
  @IncludeDeleted()
  includeDeleted?: boolean;

  @IdFilter()
  candidateId?: string;

  @IdFilter()
  contactId?: string;

  @UpdatedSince('references')
  updatedSince?: Date;
}

const lists = listInputs(ReferenceFilterDto);

/** GET /v1/references?…&limit=…&cursor=… */
export class ListReferencesQueryDto extends lists.Query {}

/** references(…, first: …, after: …) */
@ArgsType()
export class ReferencesArgs extends lists.Args {}

@ObjectType('ReferenceProvision')
export class ReferenceProvisionView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) referenceId!: string;
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) leadId!: string;
  @ApiProperty() @Field() providedAt!: Date;

  static of(p: ReferenceProvisionEntity): ReferenceProvisionView {
    return Object.assign(new ReferenceProvisionView(), { referenceId: p.referenceId, leadId: p.leadId, providedAt: p.providedAt });
  }
}

@ObjectType('Reference')
export class ReferenceView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) candidateId!: string;
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) contactId!: string;
  @ApiProperty({ example: 'Former manager at Initech' }) @Field() relationship!: string;
  @ApiProperty({ type: [ReferenceProvisionView], description: 'The leads this reference was provided to.' })
  @Field(() => [ReferenceProvisionView])
  providedTo!: ReferenceProvisionView[];
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) externalId!: string | null;
  @ApiProperty() @Field() externalSource!: string;
  @ApiProperty() @Field() createdAt!: Date;
  @ApiProperty() @Field() updatedAt!: Date;
  @ApiPropertyOptional({ nullable: true, description: 'Set when soft-deleted (lists with includeDeleted).' })
  @Field(() => Date, { nullable: true })
  deletedAt!: Date | null;

  static of(e: ReferenceEntity, provisions: ReferenceProvisionEntity[] = []): ReferenceView {
    return Object.assign(new ReferenceView(), {
      id: e.id,
      candidateId: e.candidateId,
      contactId: e.contactId,
      relationship: e.relationship,
      providedTo: provisions.map(ReferenceProvisionView.of),
      externalId: e.externalId,
      externalSource: e.externalSource,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      deletedAt: e.deletedAt,
    });
  }
}

@ObjectType('ProvidedReferences')
export class ProvidedReferencesView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) leadId!: string;
  @ApiProperty({ type: [ReferenceProvisionView], description: 'Every reference provided to this lead, including earlier ones.' })
  @Field(() => [ReferenceProvisionView])
  provisions!: ReferenceProvisionView[];
  @ApiProperty({ type: [String], description: 'The references newly provided by this request (empty on a repeat).' })
  @Field(() => [ID])
  newlyProvided!: string[];
}

export class ReferencePageView {
  @ApiProperty({ type: [ReferenceView] }) items!: ReferenceView[];
  @ApiPropertyOptional({ nullable: true }) nextCursor!: string | null;
}

@ObjectType('ReferenceConnection')
export class ReferenceConnection extends Connection(ReferenceView, 'Reference') {}
