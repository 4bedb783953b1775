import type { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { CursorPage } from '../keyset';

@ObjectType('PageInfo')
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
}

/**
 * A Relay connection type for `classRef`: `edges { cursor node }`, `nodes` as a shortcut, and
 * `pageInfo { hasNextPage endCursor }`. Declare one per type:
 *   @ObjectType('CandidateConnection') class CandidateConnection extends Connection(CandidateView, 'Candidate') {}
 */
export function Connection<T>(classRef: Type<T>, name: string): Type<ConnectionShape<T>> {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field() cursor!: string;
    @Field(() => classRef) node!: T;
  }

  @ObjectType({ isAbstract: true })
  abstract class ConnectionType implements ConnectionShape<T> {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => [classRef]) nodes!: T[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
  }
  return ConnectionType as unknown as Type<ConnectionShape<T>>;
}

/** Where a connection's items sit in a query: for FieldPreloads to look below them. */
export const CONNECTION_NODES = ['nodes', 'edges.node'] as const;

/** Fills a connection from a keyset page, mapping each entity to its view. */
export function toConnection<C extends ConnectionShape<V>, E, V>(target: C, page: CursorPage<E>, view: (e: E) => V): C {
  const nodes = page.items.map(view);
  target.nodes = nodes;
  target.edges = nodes.map((node, i) => ({ node, cursor: page.cursors[i]! }));
  target.pageInfo = Object.assign(new PageInfo(), { hasNextPage: page.nextCursor !== null, endCursor: page.nextCursor });
  return target;
}

/** Relay paging arguments: `first` (1..100, default 20) and `after`. */
@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, defaultValue: 20, description: 'Page size, 1 to 100.' })
  @IsOptional()
  @IsInt({ message: 'first must be a whole number' })
  @Min(1, { message: 'first must be at least 1' })
  @Max(100, { message: 'first must be at most 100' })
  first?: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  after?: string;
}
