import { Field } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';

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
