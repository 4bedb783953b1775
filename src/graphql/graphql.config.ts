import type { ApolloDriverConfig } from '@nestjs/apollo';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { ErrorCode } from '../common/app.exception';
import { StrictDateTimeScalar } from '../common/iso-date-time';
import type { AppConfig } from '../config/app-config';
import { explainEnumError } from './enum-errors';
import { aliasLimitRule, complexityPlugin, depthLimitRule, mutationLimitRule } from './limits';
import { readSessionPlugin } from './read-session.plugin';
import { suggestionsPlugin } from './suggestions.plugin';

/**
 * Apollo 5 on Fastify, code-first. Introspection follows NODE_ENV, and so do field suggestions
 * (suggestions.plugin.ts); depth, alias and
 * complexity limits refuse oversized queries before execution; errors carry extensions.code
 * and never a stack; a value an enum (enums.ts) does not have is answered naming the field and
 * its values (enum-errors.ts).
 */
export function graphqlOptions(config: AppConfig): ApolloDriverConfig {
  let schemaRef: Parameters<typeof complexityPlugin>[0] = () => {
    throw new Error('schema not ready');
  };
  let schema: GraphQLSchema | undefined;
  return {
    path: '/graphql',
    autoSchemaFile: true,
    sortSchema: true,
    // DateTime parses strictly (common/iso-date-time.ts): 2026-02-30 is refused, not read as March 2nd.
    buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: StrictDateTimeScalar }] },
    introspection: config.graphql.introspection,
    playground: false,
    graphiql: false,
    includeStacktraceInErrorResponses: false,
    // Compact JSON: Apollo's default indents every response (JSON.stringify(v, null, 2)), which
    // costs CPU and about a third more bytes on a page of candidates with their leads (B6).
    stringifyResult: (result) => JSON.stringify(result),
    validationRules: [depthLimitRule(config.graphql.maxDepth), aliasLimitRule(config.graphql.maxAliases), mutationLimitRule(config.graphql.maxMutations)],
    // No cache hints are used, so Apollo's default cache-control plugin would only cost: it hooks
    // willResolveField, which makes Apollo wrap every field of the schema, scalars included, and
    // run the hook for each resolved value (thousands per page of candidates with their leads).
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      complexityPlugin(() => schemaRef(), config.graphql.maxComplexity),
      readSessionPlugin(),
      suggestionsPlugin(config.graphql.suggestions),
    ],
    transformSchema: (built) => {
      schema = built;
      schemaRef = () => built;
      return built;
    },
    formatError: (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
      const original = unwrapResolverError(error);
      const ext = { ...(formatted.extensions ?? {}) };
      delete ext.stacktrace;
      delete ext.exception;
      // Apollo relabels validation-rule errors; a limit refusal keeps its own code.
      const code = ext.limit === true ? ErrorCode.QueryTooComplex : typeof ext.code === 'string' ? ext.code : ErrorCode.Internal;
      delete ext.limit;
      if (code === 'INTERNAL_SERVER_ERROR' && !(original instanceof Error && 'extensions' in original)) {
        return { message: 'An unexpected error occurred.', path: formatted.path, extensions: { code: ErrorCode.Internal } };
      }
      // A value an enum does not have: GraphQL's refusal, naming the field and its values too.
      const enumError = explainEnumError(original, schema);
      if (enumError) return { ...formatted, message: enumError.message, extensions: { ...ext, code, errors: enumError.errors } };
      return { ...formatted, extensions: { ...ext, code } };
    },
  };
}
