import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppException } from './app.exception';

/**
 * `limit` (1..100, default 20) and an opaque `cursor` from the previous page's `nextCursor`: REST
 * queries, and GraphQL args of lists that page the same way (not Relay connections).
 */
@ArgsType()
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(100, { message: 'limit must be at most 100' })
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (nextCursor).' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Keyset position: the sort value and the id that breaks ties. */
export interface CursorPosition {
  k: string;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** No cursor (absent, `null` or empty) is the first page. */
export function decodeCursor(cursor: string | null | undefined): CursorPosition | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as CursorPosition).k === 'string' &&
      typeof (parsed as CursorPosition).id === 'string' &&
      /^[0-9a-f-]{36}$/i.test((parsed as CursorPosition).id)
    ) {
      return parsed as CursorPosition;
    }
  } catch {
    // fall through
  }
  throw AppException.validation([{ field: 'cursor', message: 'is not a cursor returned by this API' }]);
}

export function pageLimit(limit: number | undefined): number {
  return limit ?? 20;
}
