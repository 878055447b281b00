import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The plugin's OpenAPI document (`openapi.yaml` next to this file), the single description of
 * its routes: requests are validated against it and it is served at `/openapi.json`.
 */
export function loadOpenApiDocument(): any {
  const file = resolvePackagePath(
    '@cicd-aws/plugin-delivery-backend',
    'src/schema/openapi.yaml',
  );
  return parse(readFileSync(file, 'utf8'));
}
