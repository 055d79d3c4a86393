// Runs one operation over graphql-transport-ws with the graphql-ws client (the one browsers
// use) and prints, as JSON, what the client's sink received: the results passed to `next`,
// the errors passed to `error` (null if none) and whether `complete` was called.
// Usage: node operation.mjs <ws-url> <query> <variables as JSON>
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, query, variables] = process.argv.slice(2);
const timer = setTimeout(() => {
  console.error('timed out waiting for the operation to end');
  process.exit(1);
}, 20000);
const client = createClient({ url, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
const seen = { next: [], error: null, complete: false };
const done = () => {
  clearTimeout(timer);
  console.log(JSON.stringify(seen));
  client.dispose();
  process.exit(0);
};
client.subscribe(
  { query, variables: JSON.parse(variables) },
  {
    next: (result) => seen.next.push(result),
    error: (error) => {
      seen.error = Array.isArray(error) ? error : { notGraphQLErrors: String(error) };
      done();
    },
    complete: () => {
      seen.complete = true;
      done();
    },
  },
);
