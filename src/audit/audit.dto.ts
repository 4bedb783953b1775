import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { ACTOR_KINDS } from '../auth/principal';
import type { ActorKind } from '../auth/principal';
import { ToDate } from '../common/iso-date-time';

export const AUDIT_ACTIONS = ['insert', 'update', 'delete'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export class AuditQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(100, { message: 'limit must be at most 100' })
  limit?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) cursor?: string;

  @ApiPropertyOptional({ enum: ACTOR_KINDS })
  @IsOptional()
  @IsIn(ACTOR_KINDS, { message: 'actorKind must be user, api_key or system' })
  actorKind?: ActorKind;

  @ApiPropertyOptional() @IsOptional() @IsUUID('all', { message: 'actorId must be a UUID' }) actorId?: string;

  @ApiPropertyOptional({ example: 'candidates' })
  @IsOptional()
  @Matches(/^[a-z_]{1,64}$/, { message: 'table must be a table name such as candidates' })
  table?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID('all', { message: 'rowId must be a UUID' }) rowId?: string;

  @ApiPropertyOptional({ description: 'From this time (inclusive).' })
  @IsOptional()
  @ToDate()
  @IsDate({ message: 'since must be an ISO-8601 date-time' })
  since?: Date;

  @ApiPropertyOptional({ description: 'Before this time.' })
  @IsOptional()
  @ToDate()
  @IsDate({ message: 'until must be an ISO-8601 date-time' })
  until?: Date;
}

export class AuditEntryView {
  @ApiProperty() id!: string;
  @ApiProperty() at!: Date;
  @ApiProperty({ enum: ACTOR_KINDS, description: 'system: a change no user or API key made (e.g. a template variant promoted); its actorId is the nil UUID.' })
  actorKind!: string;
  @ApiProperty() actorId!: string;
  @ApiProperty({ example: 'candidates' }) table!: string;
  @ApiPropertyOptional({ nullable: true }) rowId!: string | null;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action!: string;
  @ApiProperty({ example: { email: { before: 'jane@old.example', after: 'jane@new.example' } } })
  changes!: Record<string, { before: unknown; after: unknown }>;
}
