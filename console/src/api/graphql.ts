import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env';

/**
 * Typed GraphQL operations: every `graphql(...)` document is checked against schema.gql at
 * compile time (gql.tada reads the introspection generated from it by `gql.tada generate-output`),
 * and its result and variables types are inferred from the document itself.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string; JSON: unknown; ID: string };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
export { readFragment } from 'gql.tada';

/** An enum of the API (schema.gql), as the union of its values: `Enum<'LeadStatus'>` is 'identified' | 'applied' | …. */
export type Enum<Name extends string> = ReturnType<typeof graphql.scalar<Name>>;
