import type { configApiRef } from '@backstage/frontend-plugin-api';

/** github.com, then every other `integrations.github` host, each once. */
export function githubHostsOf(config: typeof configApiRef.T): string[] {
  const hosts = (config.getOptionalConfigArray('integrations.github') ?? [])
    .map(entry => entry.getOptionalString('host'))
    .filter((host): host is string => !!host);
  return [...new Set(['github.com', ...hosts])];
}
