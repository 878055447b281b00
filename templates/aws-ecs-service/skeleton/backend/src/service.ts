import { readFileSync } from 'node:fs';

/** What the template baked into package.json when it generated this repository. */
export interface ServiceInfo {
  name: string;
  version: string;
  /** False when the service was generated without a database: no pool, no migrations, no /api/items. */
  databaseEnabled: boolean;
}

/** Reads package.json; src/ and dist/ both sit next to it, so the same relative URL works for both. */
export function readServiceInfo(packageJson = new URL('../package.json', import.meta.url)): ServiceInfo {
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    version?: string;
    service?: { name?: string; databaseEnabled?: boolean };
  };
  if (typeof pkg.service?.name !== 'string' || typeof pkg.service.databaseEnabled !== 'boolean') {
    throw new Error(`${packageJson.pathname} lacks "service": { "name": string, "databaseEnabled": boolean }`);
  }
  return {
    name: pkg.service.name,
    version: pkg.version ?? '0.0.0',
    databaseEnabled: pkg.service.databaseEnabled,
  };
}
