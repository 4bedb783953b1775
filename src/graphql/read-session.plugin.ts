import type { ApolloServerPlugin } from '@apollo/server';
import { requestContext } from '../common/request-context';
import { ReadSession } from '../database/read-session';

/**
 * A GraphQL query operation runs its reads in one tenant transaction (ReadSession): opened by
 * its first read, committed when the response is ready. Mutations are unchanged: each write is
 * its own transaction, with its reactions. The request's context store (one per HTTP request,
 * opened by an onRequest hook) carries the session to every resolver of the operation.
 */
export function readSessionPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          const store = requestContext.getStore();
          if (store && operation?.operation === 'query') store.readSession = new ReadSession();
        },
        async willSendResponse() {
          const store = requestContext.getStore();
          const session = store?.readSession;
          if (!session) return;
          store.readSession = undefined;
          await session.close();
        },
      };
    },
  };
}
