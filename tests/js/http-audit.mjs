// The GraphQL over HTTP audit of the reference `graphql-http` package (the specification's own
// test suite) against a running server. Prints every audit that did not pass; exits 1 when a
// MUST ("error") or a SHOULD ("warn") fails. The "notice" audits are MAYs this server declines
// on purpose (it executes operations by POST only), listed but not failing.
// Usage: node http-audit.mjs <http-url>
import { auditServer } from 'graphql-http';

const [url] = process.argv.slice(2);
const results = await auditServer({ url });
let failed = 0;
for (const result of results) {
  if (result.status === 'ok') continue;
  const line = `${result.status} ${result.id} ${result.name}: ${result.reason}`;
  if (result.status === 'notice') {
    console.log(line);
  } else {
    console.error(line);
    failed += 1;
  }
}
console.log(`${results.length} audits, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
