import type { Type } from '@nestjs/common';
import { ArgsType, Field, ID, IntersectionType as GraphqlIntersection } from '@nestjs/graphql';
import { ApiPropertyOptional, IntersectionType as RestIntersection } from '@nestjs/swagger';
import { IsDate, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { ConnectionArgs } from './graphql/connection';
import { enumValues } from './graphql/enum';
import type { EnumOf } from './graphql/enum';
import { ToDate } from './iso-date-time';
import { PageQueryDto } from './pagination';

/**
 * A resource's list filters are one class (decorated for both transports: @ApiPropertyOptional
 * and @Field on each field, one set of validation rules). The REST query adds limit/cursor to
 * it, the GraphQL args first/after:
 *
 *   @ArgsType() export class CandidateFilterDto implements CandidateFilter { … }
 *   const lists = listInputs(CandidateFilterDto);
 *   export class ListCandidatesQueryDto extends lists.Query {}          // GET /v1/candidates?…
 *   @ArgsType() export class CandidatesArgs extends lists.Args {}        // candidates(…)
 */
export function listInputs<F>(filters: Type<F>): { Query: Type<PageQueryDto & F>; Args: Type<ConnectionArgs & F> } {
  return {
    Query: RestIntersection(PageQueryDto, filters) as Type<PageQueryDto & F>,
    Args: GraphqlIntersection(ConnectionArgs, filters, ArgsType),
  };
}

/** `updatedSince` on lists, for sync: rows changed at or after this time, oldest change first. */
export function UpdatedSince(what: string): PropertyDecorator {
  const description = `Only ${what} changed at or after this time, oldest change first (for sync).`;
  return (target: object, key: string | symbol) => {
    ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-11-01T00:00:00Z', description })(target, key);
    Field(() => Date, { nullable: true, description })(target, key);
    IsOptional()(target, key);
    ToDate()(target, key);
    IsDate({ message: `${String(key)} must be an ISO-8601 date-time` })(target, key);
  };
}

/** `q` on lists: a text search (1 to 200 characters). */
export function TextSearch(description: string, example: string): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    ApiPropertyOptional({ example, description })(target, key);
    Field(() => String, { nullable: true, description })(target, key);
    IsOptional()(target, key);
    IsString()(target, key);
    Length(1, 200)(target, key);
  };
}

/** A filter on a related row's id (`candidateId`, `leadId`…): a UUID. */
export function IdFilter(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    ApiPropertyOptional({ format: 'uuid' })(target, key);
    Field(() => ID, { nullable: true })(target, key);
    IsOptional()(target, key);
    IsUUID('all', { message: `${String(key)} must be a UUID` })(target, key);
  };
}

/**
 * A filter on one of a fixed set of values (a status, a role, a channel): the GraphQL enum of that
 * set (src/graphql/enums.ts), so REST documents and validates the same values GraphQL declares.
 */
export function OneOfFilter<T extends string>(graphqlEnum: EnumOf<T>, message?: string): PropertyDecorator {
  const values = enumValues(graphqlEnum);
  return (target: object, key: string | symbol) => {
    ApiPropertyOptional({ enum: values })(target, key);
    Field(() => graphqlEnum as object, { nullable: true })(target, key);
    IsOptional()(target, key);
    IsIn(values, { message: message ?? `${String(key)} must be one of: ${values.join(', ')}` })(target, key);
  };
}
