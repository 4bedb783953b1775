import { print } from '@0no-co/graphql.web';
import type { TadaDocumentNode } from 'gql.tada';
import { ApiError, fieldsOf } from './errors';
import { currentToken, refresh } from './session';

async function send(body: string, token: string | null): Promise<Response> {
  return fetch('/graphql', {
    method: 'POST',
    credentials: 'omit',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; status?: number; errors?: unknown } }[];
}

/**
 * Runs one typed GraphQL operation as the signed-in user. An expired access token is refreshed
 * once (from the refresh cookie) and the operation retried. The first error becomes an ApiError
 * carrying the fields it names.
 */
export async function request<T, V extends Record<string, unknown>>(doc: TadaDocumentNode<T, V>, variables?: V): Promise<T> {
  const body = JSON.stringify({ query: print(doc), variables: variables ?? {} });
  let token = currentToken() ?? (await refresh());
  let res = await send(body, token);
  let json = (await res.json().catch(() => ({}))) as GraphQLAnswer<T>;
  if (json.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED') {
    token = await refresh();
    if (token) {
      res = await send(body, token);
      json = (await res.json().catch(() => ({}))) as GraphQLAnswer<T>;
    }
  }
  const first = json.errors?.[0];
  if (first) {
    throw new ApiError(first.message, first.extensions?.code ?? 'ERROR', first.extensions?.status ?? res.status, fieldsOf(first.extensions?.errors));
  }
  if (!json.data) throw new ApiError(`The API answered ${res.status} without data`, 'ERROR', res.status);
  return json.data;
}
