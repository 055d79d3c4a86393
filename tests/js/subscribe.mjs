// Subscribes to the audit log with the graphql-ws client (the one browsers use) and prints the
// position of each event received, one per line; exits after COUNT events.
// Usage: node subscribe.mjs <ws-url> <after|-> <count> <bearer token>
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, after, count, token] = process.argv.slice(2);
const wanted = Number(count);
const timer = setTimeout(() => {
  console.error(`timed out waiting for ${wanted} events`);
  process.exit(1);
}, 20000);

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  lazy: true,
  retryAttempts: 0,
  connectionParams: { authorization: `Bearer ${token}` },
});
let received = 0;
const dispose = client.subscribe(
  {
    query: 'subscription($after: String) { auditLog(after: $after) { position eventType } }',
    variables: { after: after === '-' ? null : after },
  },
  {
    next: (message) => {
      if (message.errors) {
        console.error(JSON.stringify(message.errors));
        process.exit(1);
      }
      console.log(message.data.auditLog.position);
      received += 1;
      if (received === wanted) {
        clearTimeout(timer);
        dispose();
        client.dispose();
        process.exit(0);
      }
    },
    error: (error) => {
      console.error(error instanceof Error ? error.message : JSON.stringify(error));
      process.exit(1);
    },
    complete: () => {},
  },
);
