import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsDate, IsIn, IsString, IsUUID, Length } from 'class-validator';
import { SCOPE_PRESET_NAMES, SCOPE_PRESETS, SCOPES } from '../../auth/scopes';
import type { Scope, ScopePreset } from '../../auth/scopes';

const OWNER_DOC = 'Who owns the candidates this key creates without an ownerUserId; null: the admin who made the key.';
const PRESET_DOC = `A named set of scopes: ${SCOPE_PRESET_NAMES.map((p) => `${p} (${SCOPE_PRESETS[p].join(', ')})`).join('; ')}.`;
import { ToDate } from '../../common/iso-date-time';
import type { ApiKeyEntity } from '../api-key.entity';
import { Nullable, Omittable } from '../../common/validation';
import { UpdateType } from '../../common/update-type';
import { ScopePresetEnum } from '../../graphql/enums';

@InputType('CreateApiKeyInput')
export class CreateApiKeyDto {
  @ApiProperty({ example: 'Bullhorn sync' })
  @Field()
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ enum: SCOPES, isArray: true, example: ['candidates:read', 'candidates:write'], description: 'The scopes (with a preset: added to it). Give scopes, a preset, or both.' })
  @Field(() => [String], { nullable: true })
  @Omittable()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @IsIn(SCOPES, { each: true, message: `each scope must be one of: ${SCOPES.join(', ')}` })
  scopes?: Scope[];

  @ApiPropertyOptional({ enum: SCOPE_PRESET_NAMES, description: PRESET_DOC })
  @Field(() => ScopePresetEnum, { nullable: true, description: PRESET_DOC })
  @Omittable()
  @IsIn(SCOPE_PRESET_NAMES, { message: `preset must be one of: ${SCOPE_PRESET_NAMES.join(', ')}` })
  preset?: ScopePreset;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: OWNER_DOC })
  @Field(() => ID, { nullable: true, description: OWNER_DOC })
  @Nullable()
  @IsUUID('all', { message: 'defaultOwnerUserId must be a UUID' })
  defaultOwnerUserId?: string | null;

  @ApiPropertyOptional({ example: '2027-12-31T00:00:00Z' })
  @Field({ nullable: true })
  @Omittable()
  @ToDate()
  @IsDate({ message: 'expiresAt must be an ISO-8601 date-time' })
  expiresAt?: Date;
}

/** A key's new name, owner or scopes (a list, a preset, or both: they replace the old ones). */
@InputType('UpdateApiKeyInput')
export class UpdateApiKeyDto extends UpdateType(CreateApiKeyDto, ['name', 'scopes', 'preset', 'defaultOwnerUserId']) {}

@ObjectType('ApiKey')
export class ApiKeyView {
  @ApiProperty() @Field(() => ID) id!: string;
  @ApiProperty() @Field() name!: string;
  @ApiProperty({ example: 'tp_AbCdEfG' }) @Field() prefix!: string;
  @ApiProperty({ isArray: true, enum: SCOPES }) @Field(() => [String]) scopes!: string[];
  @ApiProperty() @Field(() => ID) createdByUserId!: string;
  @ApiPropertyOptional({ nullable: true, format: 'uuid', description: OWNER_DOC }) @Field(() => ID, { nullable: true, description: OWNER_DOC }) defaultOwnerUserId!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
  @ApiProperty() @Field() createdAt!: Date;

  static of(e: ApiKeyEntity): ApiKeyView {
    const v = new ApiKeyView();
    Object.assign(v, {
      id: e.id,
      name: e.name,
      prefix: e.prefix,
      scopes: e.scopes,
      createdByUserId: e.createdByUserId,
      defaultOwnerUserId: e.defaultOwnerUserId,
      lastUsedAt: e.lastUsedAt,
      expiresAt: e.expiresAt,
      revokedAt: e.revokedAt,
      createdAt: e.createdAt,
    });
    return v;
  }
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyView {
  @ApiProperty({ type: ApiKeyView }) @Field(() => ApiKeyView) apiKey!: ApiKeyView;

  @ApiProperty({ description: 'The key itself. Shown once; store it now.', example: 'tp_AbCdEf...' })
  @Field({ description: 'The key itself. Shown once; store it now.' })
  secret!: string;
}
