import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter(e => e.isFile())
    .map(e => relative(dir, join(e.parentPath, e.name)));
}

/**
 * The template and directory contents of `templates/<name>` as the scaffolder's
 * `POST /v2/dry-run` takes them (add `values` and `secrets`). Free of test-backend imports, so
 * the benchmark can send it to a running backend too.
 */
export async function templateDryRunRequest(templateName: string) {
  const templateDir = resolve(
    resolvePackagePath('@internal/template-tests'),
    '../../templates',
    templateName,
  );
  const template = parse(
    await readFile(join(templateDir, 'template.yaml'), 'utf8'),
  );
  const directoryContents = await Promise.all(
    (
      await listFiles(templateDir)
    ).map(async path => ({
      path,
      base64Content: (
        await readFile(join(templateDir, path))
      ).toString('base64'),
    })),
  );
  return { template, directoryContents };
}
