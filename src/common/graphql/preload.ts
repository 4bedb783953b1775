import { Injectable } from '@nestjs/common';
import { Kind } from 'graphql';
import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { Principal } from '../../auth/principal';
import type { Scope } from '../../auth/scopes';
import { CONNECTION_NODES } from './connection';
import { fieldPrincipal } from './field-scopes';
import type { GqlContext } from './field-scopes';
import { loaderFor } from './loaders';

/** Loads one nested list field for every parent of a page at once. */
export interface FieldPreloader<P, C> {
  /** The GraphQL type of the field's items, whose own selected fields are preloaded next. */
  readonly childType: string;
  /** Preloaded only for a principal holding these; without them the field resolver refuses as usual. */
  readonly scopes: readonly Scope[];
  /** The parent's key in the field's lookup. */
  key(parent: P): string;
  /** The field's value for each parent, in the order of `parents`. */
  load(p: Principal, parents: readonly P[]): Promise<C[][]>;
}

type AnyPreloader = FieldPreloader<object, object>;

/** Per request (GraphQL context): for each `Type.field`, the values preloaded by parent key. */
const values = new WeakMap<object, Map<string, Map<string, unknown>>>();
/** Per request: for each `Type.field`, the parents waiting in its DataLoader, by key. */
const waiting = new WeakMap<object, Map<string, Map<string, object>>>();

/** A registered field; its field resolver answers with `resolve`. */
export interface PreloadableField<P extends object, C extends object> {
  /**
   * The field's value for `parent`: refused without the preloader's scopes; preloaded with the
   * page when it was; else through a DataLoader over the same `load`.
   */
  resolve(ctx: GqlContext, parent: P): C[] | Promise<C[]>;
}

/**
 * Look-ahead batching for nested lists (bench B6). graphql-js completes a page field by field,
 * and a field whose value is a promise (a DataLoader's) costs the page a promise per parent, per
 * level, plus graphql-js's own bookkeeping for each. A root list resolver that calls `preload`
 * loads the nested lists the query selects, level after level, one batch each (the same queries
 * the DataLoaders would send), before the page is completed; the field resolvers then answer from
 * what was preloaded synchronously, and through a DataLoader over the same load otherwise
 * (`PreloadableField.resolve`).
 *
 * Each field module registers its preloader here (one instance per app: tests run several apps in
 * one process).
 */
@Injectable()
export class FieldPreloads {
  private readonly preloaders = new Map<string, AnyPreloader>();

  register<P extends object, C extends object>(type: string, field: string, preloader: FieldPreloader<P, C>): PreloadableField<P, C> {
    const typeField = `${type}.${field}`;
    this.preloaders.set(typeField, preloader as unknown as AnyPreloader);
    return {
      resolve: (ctx, parent) => {
        const p = fieldPrincipal(ctx, ...preloader.scopes);
        const key = preloader.key(parent);
        const ready = values.get(ctx)?.get(typeField)?.get(key) as C[] | undefined;
        if (ready) return ready;
        const parents = store(waiting, ctx, typeField) as Map<string, P>;
        parents.set(key, parent);
        return loaderFor(ctx, `preload:${typeField}`, (keys) => preloader.load(p, keys.map((k) => parents.get(k) as P))).load(key);
      },
    };
  }

  /**
   * Preloads what the query selects below `parents` (items of GraphQL type `type`), found at
   * `paths` under the current field (a connection's `nodes` and `edges.node`).
   */
  private async preload(ctx: GqlContext, info: GraphQLResolveInfo, type: string, parents: readonly object[], paths: readonly string[]): Promise<void> {
    const p = ctx.req?.principal;
    if (!p || parents.length === 0) return;
    const selections = paths.flatMap((path) => path.split('.').reduce<readonly SelectionSetNode[]>((sets, name) => subSelections(sets, name, info), selectionSets(info.fieldNodes)));
    await this.level(ctx, p, info, type, parents, selections);
  }

  /** `preload` below a Relay connection's items (`nodes` and `edges.node`); answers the connection. */
  async connection<C extends { nodes: object[] }>(ctx: GqlContext, info: GraphQLResolveInfo, type: string, connection: C): Promise<C> {
    await this.preload(ctx, info, type, connection.nodes, CONNECTION_NODES);
    return connection;
  }

  private async level(ctx: GqlContext, p: Principal, info: GraphQLResolveInfo, type: string, parents: readonly object[], selections: readonly SelectionSetNode[]): Promise<void> {
    for (const field of new Set(fieldsOf(selections, info).map((f) => f.name.value))) {
      const preloader = this.preloaders.get(`${type}.${field}`);
      if (!preloader || !preloader.scopes.every((s) => p.scopes.includes(s))) continue;
      const lists = await preloader.load(p, parents);
      const byKey = store(values, ctx, `${type}.${field}`);
      parents.forEach((parent, i) => byKey.set(preloader.key(parent), lists[i] ?? []));
      const children = lists.flat();
      if (children.length > 0) await this.level(ctx, p, info, preloader.childType, children, subSelections(selections, field, info));
    }
  }
}

function store<V>(perRequest: WeakMap<object, Map<string, Map<string, V>>>, ctx: GqlContext, typeField: string): Map<string, V> {
  let byField = perRequest.get(ctx);
  if (!byField) perRequest.set(ctx, (byField = new Map()));
  let byKey = byField.get(typeField);
  if (!byKey) byField.set(typeField, (byKey = new Map()));
  return byKey;
}

function selectionSets(nodes: readonly FieldNode[]): SelectionSetNode[] {
  return nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
}

/** The fields of selection sets, through inline fragments and fragment spreads. */
function fieldsOf(sets: readonly SelectionSetNode[], info: GraphQLResolveInfo): FieldNode[] {
  const fields: FieldNode[] = [];
  const visit = (set: SelectionSetNode): void => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) fields.push(s);
      else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet);
      else {
        const fragment = info.fragments[s.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  sets.forEach(visit);
  return fields;
}

function subSelections(sets: readonly SelectionSetNode[], name: string, info: GraphQLResolveInfo): SelectionSetNode[] {
  return selectionSets(fieldsOf(sets, info).filter((f) => f.name.value === name));
}
