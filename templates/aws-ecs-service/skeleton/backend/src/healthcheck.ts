/**
 * The image's HEALTHCHECK: the slim Node image has no curl, so Node itself asks /health.
 * Exit code 0 is healthy, 1 unhealthy, as Docker expects.
 */
const port = process.env.PORT?.trim() || '8080';

try {
  const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
