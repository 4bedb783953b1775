import { ArgsType, Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDate, IsIn, IsOptional, IsString, Length, MaxLength, Validate } from 'class-validator';
import { CHANNELS } from '../../messaging/domain/channel';
import type { Channel } from '../../messaging/domain/channel';
import { WarningView } from '../../people/double-check';
import { Connection, ConnectionArgs } from '../../common/graphql/connection';
import { IanaTimeZone } from '../../common/iana-time-zone.validator';
import { DeletedSince, IncludeDeleted } from '../../common/include-deleted';
import { ToDate } from '../../common/iso-date-time';
import { PageQueryDto } from '../../common/pagination';
import { listInputs, OneOfFilter, TextSearch, UpdatedSince } from '../../common/list-filters';
import { IsExternalId, IsExternalSource, IsPersonEmail, trim } from '../../common/person-fields';
import { IsPhone } from '../../common/phone';
import { CONTACT_ROLES } from '../contact.entity';
import type { ContactEntity, ContactRole } from '../contact.entity';
import { Nullable, Omittable } from '../../common/validation';
import { UpdateType } from '../../common/update-type';
import { ChannelEnum, ContactRoleEnum } from '../../graphql/enums';

const ROLE_MESSAGE = `each role must be one of: ${CONTACT_ROLES.join(', ')}`;

@InputType({ isAbstract: true })
export abstract class ContactFieldsDto {
  @ApiProperty({ example: 'Ann Baker' })
  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: 'ann.baker@globex.com' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @IsPersonEmail()
  email?: string | null;

  @ApiPropertyOptional({ example: '+14155550123' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @IsPhone()
  phone?: string | null;

  @ApiPropertyOptional({ example: 'Globex' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  company?: string | null;

  @ApiPropertyOptional({ example: 'Engineering Manager' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  title?: string | null;

  @ApiPropertyOptional({ example: 'Europe/London' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @Validate(IanaTimeZone)
  timeZone?: string | null;

  @ApiPropertyOptional({ enum: CHANNELS })
  @Field(() => ChannelEnum, { nullable: true })
  @Nullable()
  @IsIn(CHANNELS, { message: 'preferredChannel must be email or sms' })
  preferredChannel?: Channel | null;

  @ApiPropertyOptional({ enum: CONTACT_ROLES, isArray: true, example: ['employer_contact', 'interviewer'] })
  @Field(() => [ContactRoleEnum], { nullable: true })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(CONTACT_ROLES.length)
  @IsIn(CONTACT_ROLES, { each: true, message: ROLE_MESSAGE })
  roles?: ContactRole[];
}

@InputType('CreateContactInput')
export class CreateContactDto extends ContactFieldsDto {
  @ApiPropertyOptional({ example: 'BH-C-991' })
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

@InputType('UpsertContactInput')
export class UpsertContactDto extends ContactFieldsDto {}

/** PATCH: the same fields, each optional; `null` clears a nullable one. */
@InputType('UpdateContactInput')
export class UpdateContactDto extends UpdateType(ContactFieldsDto) {}

export interface ContactFilter {
  includeDeleted?: boolean;
  deletedSince?: Date;
  company?: string;
  role?: ContactRole;
  updatedSince?: Date;
  q?: string;
}

/** The filters of GET /v1/contacts and of contacts(…): one definition for both. */
@ArgsType()
export class ContactFilterDto implements ContactFilter {
  @IncludeDeleted()
  includeDeleted?: boolean;

  @DeletedSince()
  deletedSince?: Date;

  @ApiPropertyOptional({ example: 'Globex', description: 'Exact company name, ignoring case.' })
  @Field(() => String, { nullable: true, description: 'Exact company name, ignoring case.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  company?: string;

  @OneOfFilter(ContactRoleEnum)
  role?: ContactRole;

  @UpdatedSince('contacts')
  updatedSince?: Date;

  @TextSearch('Text search on name and email.', 'ann')
  q?: string;
}

const lists = listInputs(ContactFilterDto);

/** GET /v1/contacts?…&limit=…&cursor=… */
export class ListContactsQueryDto extends lists.Query {}

/** contacts(…, first: …, after: …) */
@ArgsType()
export class ContactsArgs extends lists.Args {}

@ObjectType('Contact')
export class ContactView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiProperty({ example: 'Ann Baker' }) @Field() name!: string;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) email!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) phone!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) company!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) title!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) timeZone!: string | null;
  @ApiPropertyOptional({ nullable: true, enum: CHANNELS }) @Field(() => ChannelEnum, { nullable: true }) preferredChannel!: string | null;
  @ApiProperty({ enum: CONTACT_ROLES, isArray: true }) @Field(() => [ContactRoleEnum]) roles!: string[];
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) externalId!: string | null;
  @ApiProperty() @Field() externalSource!: string;
  @ApiProperty() @Field() createdAt!: Date;
  @ApiProperty() @Field() updatedAt!: Date;
  @ApiPropertyOptional({ nullable: true, description: 'Set when soft-deleted (lists with includeDeleted).' })
  @Field(() => Date, { nullable: true })
  deletedAt!: Date | null;
  @ApiProperty({ type: [WarningView], description: 'Double-check warnings from this write; they never block it.' })
  @Field(() => [WarningView])
  warnings!: WarningView[];

  static of(e: ContactEntity, warnings: WarningView[] = []): ContactView {
    return Object.assign(new ContactView(), {
      id: e.id,
      name: e.name,
      email: e.email,
      phone: e.phone,
      company: e.company,
      title: e.title,
      timeZone: e.timeZone,
      preferredChannel: e.preferredChannel,
      roles: e.roles,
      externalId: e.externalId,
      externalSource: e.externalSource,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      deletedAt: e.deletedAt,
      warnings,
    });
  }
}

export class ContactPageView {
  @ApiProperty({ type: [ContactView] }) items!: ContactView[];
  @ApiPropertyOptional({ nullable: true }) nextCursor!: string | null;
}

@ObjectType('ContactConnection')
export class ContactConnection extends Connection(ContactView, 'Contact') {}
