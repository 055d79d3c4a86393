// Runs one query twice with Apollo Client and its automatic persisted queries link (the
// way Apollo's web and mobile clients send operations): a first client (its first request
// sends only the query's hash), then a second client that never sent the query. Prints, as
// JSON, each answer's data and every HTTP request the clients made (whether it carried the
// query text, and the status).
// With a fifth argument `get`, the link sends hashes alone by GET (`useGETForHashedQueries`).
// Usage: node apollo.mjs <http-url> <query> <variables as JSON> <bearer token> [get]
import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

const [url, text, variables, token, mode] = process.argv.slice(2);
const requests = [];
const recording = async (input, init) => {
  const method = init.method ?? 'GET';
  // A GET carries the request in its URL's parameters, a POST in its body.
  const params = new URL(input, url).searchParams;
  const body = method === 'GET'
    ? { query: params.get('query') ?? undefined, extensions: JSON.parse(params.get('extensions') ?? '{}') }
    : JSON.parse(init.body);
  const response = await fetch(input, init);
  requests.push({
    method,
    withQuery: typeof body.query === 'string',
    hash: body.extensions?.persistedQuery?.sha256Hash ?? null,
    status: response.status,
  });
  return response;
};
const client = () =>
  new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([
      new PersistedQueryLink({
        sha256: (q) => createHash('sha256').update(q).digest('hex'),
        useGETForHashedQueries: mode === 'get',
      }),
      new HttpLink({ uri: url, fetch: recording, headers: { authorization: `Bearer ${token}` } }),
    ]),
  });
const query = gql(text);
const answers = [];
for (const c of [client(), client()]) {
  const result = await c.query({ query, variables: JSON.parse(variables), fetchPolicy: 'network-only' });
  answers.push(result.data);
}
console.log(JSON.stringify({ answers, requests }));
