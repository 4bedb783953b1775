import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsDate, IsIn, IsString, Length } from 'class-validator';
import { SCOPES, Scope } from '../../auth/scopes';
import { ToDate } from '../../common/iso-date-time';
import type { ApiKeyEntity } from '../api-key.entity';
import { Omittable } from '../../common/validation';

@InputType('CreateApiKeyInput')
export class CreateApiKeyDto {
  @ApiProperty({ example: 'Bullhorn sync' })
  @Field()
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['candidates:read', 'candidates:write'] })
  @Field(() => [String])
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @IsIn(SCOPES, { each: true, message: `each scope must be one of: ${SCOPES.join(', ')}` })
  scopes!: Scope[];

  @ApiPropertyOptional({ example: '2027-12-31T00:00:00Z' })
  @Field({ nullable: true })
  @Omittable()
  @ToDate()
  @IsDate({ message: 'expiresAt must be an ISO-8601 date-time' })
  expiresAt?: Date;
}

@ObjectType('ApiKey')
export class ApiKeyView {
  @ApiProperty() @Field(() => ID) id!: string;
  @ApiProperty() @Field() name!: string;
  @ApiProperty({ example: 'tp_AbCdEfG' }) @Field() prefix!: string;
  @ApiProperty({ isArray: true, enum: SCOPES }) @Field(() => [String]) scopes!: string[];
  @ApiProperty() @Field(() => ID) createdByUserId!: string;
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
