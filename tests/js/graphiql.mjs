// Drives the GraphiQL page in headless Chromium, offline as a browser on a closed network would
// be: the page renders, its documentation explorer lists Query, a query returns data, and a
// subscription receives an event recorded while it runs. Fails when the page asks anything of
// another origin. Prints "graphiql works" and exits 0 when all hold.
// Usage: node graphiql.mjs <http-base-url> <administrator-token>
import { chromium } from 'playwright-core';

const [base, token] = process.argv.slice(2);
const origin = new URL(base).origin;
const fail = (message) => {
  console.error(message);
  process.exit(1);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage();
  const elsewhere = [];
  const pageErrors = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.origin !== origin && url.origin !== origin.replace(/^http/, 'ws')) {
      elsewhere.push(request.url());
    }
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));

  await page.goto(`${base}/graphql`);
  await page
    .waitForSelector('.graphiql-container', { timeout: 30000 })
    .catch(() => fail(`the page did not render: ${pageErrors.join('; ')}`));

  // The documentation explorer lists the root types, from introspection.
  await page.click('button[aria-label="Show Documentation Explorer"]');
  await page
    .waitForSelector('.graphiql-doc-explorer >> text=Query', { timeout: 15000 })
    .catch(() => fail('the documentation explorer does not list Query'));

  // The editors are CodeMirror 5 instances: set them as a user's typing would.
  const setEditor = (selector, value) =>
    page.evaluate(
      ([s, v]) => document.querySelector(s).CodeMirror.setValue(v),
      [selector, value],
    );
  const response = () =>
    page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue());
  const waitForResponse = async (text, what) => {
    for (let i = 0; i < 100; i++) {
      const shown = await response();
      if (shown.includes(text)) return shown;
      await page.waitForTimeout(200);
    }
    fail(`${what}: the response pane never showed ${text}; it shows ${await response()}`);
  };
  await setEditor(
    '.graphiql-editor-tool .graphiql-editor:nth-of-type(2) .CodeMirror',
    JSON.stringify({ Authorization: `Bearer ${token}` }),
  );

  // A query returns data.
  await setEditor('.graphiql-query-editor .CodeMirror', '{ organizations { totalCount } }');
  await page.click('.graphiql-execute-button');
  await waitForResponse('"totalCount"', 'the query');

  // A subscription receives an event recorded while it runs.
  await setEditor('.graphiql-query-editor .CodeMirror', 'subscription { auditLog { eventType aggregateType } }');
  await page.click('.graphiql-execute-button');
  await page.waitForTimeout(1000);
  const recorded = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: 'mutation { registerOrganization(input: {name: "Comune di Alba", category: COMUNE, territory: "Alba"}) { userErrors { code } } }',
    }),
  }).then((r) => r.json());
  if (recorded.errors || recorded.data.registerOrganization.userErrors.length) {
    fail(`the mutation was refused: ${JSON.stringify(recorded)}`);
  }
  await waitForResponse('OrganizationRegistered', 'the subscription');

  if (elsewhere.length) fail(`the page asked another origin for: ${elsewhere.join(', ')}`);
  if (pageErrors.length) fail(`the page threw: ${pageErrors.join('; ')}`);
  console.log('graphiql works');
} finally {
  await browser.close();
}
