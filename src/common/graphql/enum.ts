import { registerEnumType } from '@nestjs/graphql';

/** A GraphQL enum made from a value list: each value named as itself. */
export type EnumOf<T extends string> = { readonly [K in T]: K };

/** What GraphQL accepts as an enum value's name (and `true`, `false`, `null` it does not). */
const ENUM_VALUE_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * Registers a closed value set as a GraphQL enum, built from the one list the code already keeps
 * for it (the `as const` array REST documents and validates with). Each value is named as itself,
 * so GraphQL spells it as REST does (`awaiting_approval`, not `AWAITING_APPROVAL`) and resolvers
 * keep returning the stored string. The returned object is what `@Field(() => …)` and `@Args`
 * take; `enumValues()` gives the list back.
 *
 *   export const LeadStatusEnum = graphqlEnum('LeadStatus', LEAD_STATUSES, { description: '…' });
 *   @Field(() => LeadStatusEnum) status!: LeadStatus;
 */
export function graphqlEnum<const T extends string>(
  name: string,
  values: readonly T[],
  options: { description: string; values?: Partial<Record<T, string>> },
): EnumOf<T> {
  const unfit = values.filter((v) => !ENUM_VALUE_NAME.test(v) || v === 'true' || v === 'false' || v === 'null');
  if (unfit.length > 0) throw new Error(`GraphQL enum ${name}: ${unfit.join(', ')} cannot be enum values (keep the field a String)`);
  const described = Object.entries(options.values ?? {}) as [T, string][];
  for (const [value] of described) if (!values.includes(value)) throw new Error(`GraphQL enum ${name}: a description for ${value}, which is not one of its values`);
  const enumObject = Object.fromEntries(values.map((v) => [v, v])) as EnumOf<T>;
  registerEnumType(enumObject, {
    name,
    description: options.description,
    valuesMap: Object.fromEntries(described.map(([value, description]) => [value, { description }])) as Partial<Record<T, { description: string }>>,
  });
  return enumObject;
}

/** The values of an enum made by `graphqlEnum`, in the order of its list. */
export function enumValues<T extends string>(enumObject: EnumOf<T>): T[] {
  return Object.values(enumObject) as T[];
}
