/**
 * Container health check: exits 0 when the app on PORT is ready (GET /health/ready answers 200,
 * so the database answers too), 1 otherwise. The slim image has no curl, so Node itself asks.
 */
const port = Number(process.argv[2] ?? 3000);

fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2500) })
  .then((response) => process.exit(response.ok ? 0 : 1))
  .catch(() => process.exit(1));
