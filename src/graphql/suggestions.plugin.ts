import type { ApolloServerPlugin } from '@apollo/server';

const DID_YOU_MEAN = / ?Did you mean .+?\?$/;

/**
 * Field and argument suggestions ("Cannot query field "cnadidates" … Did you mean "candidates"?")
 * reveal the schema to whoever sends a wrong query, introspection off or not. They are removed
 * from every error unless `allowed` (GRAPHQL_SUGGESTIONS: off in production) and the request
 * carries credentials (a bearer token). Validation runs before the auth guard, so carrying
 * credentials is the most that can be known at that point; production never shows them at all.
 */
export function suggestionsPlugin(allowed: boolean): ApolloServerPlugin {
  return {
    async requestDidStart({ request }) {
      const credentials = /^bearer\s+\S/i.test(request.http?.headers.get('authorization') ?? '');
      if (allowed && credentials) return {};
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors) return;
          response.body.singleResult.errors = errors.map((e) => (DID_YOU_MEAN.test(e.message) ? { ...e, message: e.message.replace(DID_YOU_MEAN, '') } : e));
        },
      };
    },
  };
}
