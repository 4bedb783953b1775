import type { ApolloServerPlugin } from '@apollo/server';
import {
  ASTVisitor,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLError,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationContext,
} from 'graphql';
import { ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { ErrorCode } from '../common/app.exception';

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.QueryTooComplex, status: 400, limit: true } });
}

/** Refuses operations nested deeper than `max` fields (fragments followed, cycles guarded). */
export function depthLimitRule(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const depthOf = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): number => {
      if (!set) return depth;
      let deepest = depth;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (sel.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, depthOf(sel.selectionSet, depth + 1, seen));
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(sel.selectionSet, depth, seen));
        } else {
          const name = sel.name.value;
          const frag = fragments.get(name);
          if (frag && !seen.has(name)) deepest = Math.max(deepest, depthOf(frag.selectionSet, depth, new Set([...seen, name])));
        }
        if (deepest > max) return deepest;
      }
      return deepest;
    };
    return {
      OperationDefinition(node: OperationDefinitionNode) {
        const depth = depthOf(node.selectionSet, 0, new Set());
        if (depth > max) context.reportError(tooComplex(`Query depth ${depth} exceeds the limit of ${max}`));
      },
    };
  };
}

/** Refuses documents with more than `max` aliased fields (alias-based amplification). */
export function aliasLimitRule(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node: FieldNode) {
        if (node.alias) aliases += 1;
      },
      Document: {
        leave() {
          if (aliases > max) context.reportError(tooComplex(`Query uses ${aliases} aliases; the limit is ${max}`));
        },
      },
    };
  };
}

/**
 * Refuses a mutation operation with more than `max` root fields (aliases, fragments and inline
 * fragments counted): each is a write with its own transaction, reactions and webhooks, and 30
 * aliased bulk upserts in one request were 3,000 writes behind one HTTP request.
 */
export function mutationLimitRule(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const count = (set: SelectionSetNode, seen: Set<string>): number => {
      let n = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) n += sel.name.value.startsWith('__') ? 0 : 1;
        else if (sel.kind === Kind.INLINE_FRAGMENT) n += count(sel.selectionSet, seen);
        else {
          const frag = fragments.get(sel.name.value);
          if (frag && !seen.has(sel.name.value)) n += count(frag.selectionSet, new Set([...seen, sel.name.value]));
        }
      }
      return n;
    };
    return {
      OperationDefinition(node: OperationDefinitionNode) {
        if (node.operation !== 'mutation') return;
        const n = count(node.selectionSet, new Set());
        if (n > max) context.reportError(tooComplex(`The mutation has ${n} fields; the limit is ${max} per request`));
      },
    };
  };
}

/**
 * Connections cost what they can return: a field with a `first` (or `limit`) argument costs
 * first × (its children's cost), so `candidates(first: 100) { leads(first: 50) { ... } }`
 * is priced as the rows it could touch.
 */
export const connectionEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const size = typeof args.first === 'number' ? args.first : typeof args.limit === 'number' ? args.limit : undefined;
  if (size === undefined) return undefined;
  return 1 + Math.max(1, size) * Math.max(1, childComplexity);
};

/** Computes each operation's complexity before execution and refuses it over the limit. */
export function complexityPlugin(getSchema: () => GraphQLSchema, max: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema: getSchema(),
              operationName: request.operationName ?? undefined,
              query: document,
              variables: request.variables ?? {},
              estimators: [connectionEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (err) {
            // Variables that do not coerce (an unknown input field such as tenantId, a wrong
            // type): execution refuses them before any resolver runs, as a 400 BAD_USER_INPUT
            // naming the field. Throwing here would turn that client error into a 500.
            if (err instanceof GraphQLError && err.message.startsWith('Variable "$')) return;
            throw err;
          }
          if (complexity > max) {
            throw tooComplex(`Query complexity ${complexity} exceeds the limit of ${max}`);
          }
        },
      };
    },
  };
}
