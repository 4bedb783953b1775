/**
 * A tenant id that has been through the auth guard. The brand makes "a query without a tenant"
 * a compile error: data-access methods take a TenantId, and a plain string does not fit.
 */
export type TenantId = string & { readonly __brand: 'TenantId' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Brands a verified tenant id. Only the auth layer and the dispatcher's explicit path call it. */
export function asTenantId(value: string): TenantId {
  if (!isUuid(value)) throw new Error(`Not a tenant id: ${JSON.stringify(value)}`);
  return value.toLowerCase() as TenantId;
}
