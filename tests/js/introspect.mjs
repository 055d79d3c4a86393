// Loads the schema the way GraphiQL, codegen tools and the reference `graphql` package do: sends
// `getIntrospectionQuery()` (as given, and with every option on), builds a client schema from the
// answer and compares it with the checked-in SDL. Prints "same" and exits 0 when they agree.
// Usage: node introspect.mjs <http-url> <schema.graphql>
import { readFileSync } from 'node:fs';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
} from 'graphql';

const [url, sdlPath] = process.argv.slice(2);
const checked = printSchema(lexicographicSortSchema(buildSchema(readFileSync(sdlPath, 'utf8'))));
// The default introspection query does not ask for `specifiedByURL`: without it, the scalars
// come back without `@specifiedBy`.
const checkedWithoutSpecifiedBy = checked.replace(/ @specifiedBy\(url: "[^"]*"\)/g, '');

const variants = {
  default: getIntrospectionQuery(),
  'every option': getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
  }),
};

for (const [name, query] of Object.entries(variants)) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, operationName: 'IntrospectionQuery' }),
  });
  const body = await response.json();
  if (body.errors) {
    console.error(`${name}: ${JSON.stringify(body.errors)}`);
    process.exit(1);
  }
  // async-graphql answers `__schema { description }` with the specification's description of
  // the `__Schema` type, not a description of this schema (which has none): left out.
  delete body.data.__schema.description;
  const live = printSchema(lexicographicSortSchema(buildClientSchema(body.data)));
  const expected = name === 'default' ? checkedWithoutSpecifiedBy : checked;
  if (live !== expected) {
    const a = live.split('\n');
    const b = expected.split('\n');
    const at = a.findIndex((line, i) => line !== b[i]);
    console.error(`${name}: the live schema differs from the SDL at line ${at + 1}:`);
    console.error(`  live:    ${a.slice(at, at + 4).join('\n           ')}`);
    console.error(`  checked: ${b.slice(at, at + 4).join('\n           ')}`);
    process.exit(2);
  }
}
console.log('same');
