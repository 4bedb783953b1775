import { Field } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDate, IsOptional } from 'class-validator';
import { ToDate } from './iso-date-time';

/**
 * `includeDeleted` on lists, for sync: with `updatedSince`, an integration also sees what was
 * soft-deleted since (its `deletedAt` is set) and can delete it on its side.
 * REST takes `?includeDeleted=true`; GraphQL a Boolean.
 */
export function IncludeDeleted(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    ApiPropertyOptional({ type: Boolean, default: false, description: 'Also list soft-deleted rows (deletedAt set), for sync.' })(target, key);
    Field(() => Boolean, { nullable: true, description: 'Also list soft-deleted rows (deletedAt set), for sync.' })(target, key);
    IsOptional()(target, key);
    Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))(target, key);
    IsBoolean({ message: 'includeDeleted must be true or false' })(target, key);
  };
}

/**
 * `deletedSince` on lists: tombstones only. The rows soft-deleted at or after this time (each
 * with its `deletedAt`), oldest change first (updated_at, id), with the same cursor as
 * `updatedSince`, so an integration can poll deletions on their own. REST takes an ISO date-time;
 * GraphQL a DateTime.
 */
export function DeletedSince(): PropertyDecorator {
  const description = 'Tombstones only: rows soft-deleted at or after this time, oldest change first (for sync).';
  return (target: object, key: string | symbol) => {
    ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-11-01T00:00:00Z', description })(target, key);
    Field(() => Date, { nullable: true, description })(target, key);
    IsOptional()(target, key);
    ToDate()(target, key);
    IsDate({ message: 'deletedSince must be an ISO-8601 date-time' })(target, key);
  };
}
