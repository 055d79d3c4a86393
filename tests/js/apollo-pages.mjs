// Pages a list the way an Apollo frontend does: the cache's `relayStylePagination` policy
// merges each page fetched (`fetchMore` does the same) after the edge whose cursor it was
// asked `after`. Between the first page and the next, registers an organization named
// INSERTED (a coordinator writing while a frontend pages). Prints, as JSON, the names of the
// list the cache holds at the end, in its order.
// Usage: node apollo-pages.mjs <http-url> <bearer token> <page size> <inserted name>
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';

const [url, token, size, inserted] = process.argv.slice(2);
const client = new ApolloClient({
  cache: new InMemoryCache({
    typePolicies: { Query: { fields: { organizations: relayStylePagination() } } },
  }),
  link: new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` } }),
});
const query = gql`
  query Organizations($first: Int!, $after: String) {
    organizations(first: $first, after: $after) {
      edges { cursor node { id name } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const first = Number(size);
let { data } = await client.query({ query, variables: { first }, fetchPolicy: 'network-only' });
const registered = await client.mutate({
  mutation: gql`
    mutation Register($name: String!) {
      registerOrganization(input: { name: $name, category: COMUNE, territory: "Torino" }) {
        organization { id }
        userErrors { code message }
      }
    }
  `,
  variables: { name: inserted },
});
if (!registered.data.registerOrganization.organization) {
  throw new Error(JSON.stringify(registered.data));
}
while (data.organizations.pageInfo.hasNextPage) {
  const after = data.organizations.pageInfo.endCursor;
  await client.query({ query, variables: { first, after }, fetchPolicy: 'network-only' });
  data = client.readQuery({ query, variables: { first } });
}
console.log(JSON.stringify(data.organizations.edges.map((edge) => edge.node.name)));
