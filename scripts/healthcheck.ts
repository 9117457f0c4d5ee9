/**
 * Container health check: exits 0 when the app answers a GraphQL query on PORT, 1 otherwise.
 * No curl in the slim image, so Node itself asks.
 */
const port = Number(process.argv[2] ?? 3000);

fetch(`http://127.0.0.1:${port}/graphql`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ __typename }' }),
  signal: AbortSignal.timeout(2500),
})
  .then((response) => process.exit(response.ok ? 0 : 1))
  .catch(() => process.exit(1));
