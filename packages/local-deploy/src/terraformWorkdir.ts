import {
  MOTO_LIFECYCLE_OVERRIDE,
  MOTO_TOGGLES,
  motoOverrideTf,
} from '@internal/local-aws';
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Files the local deploy adds next to the repository's Terraform; none of them is in the clone. */
export const OVERRIDE_FILES = [
  'moto_override.tf',
  'moto_toggles.auto.tfvars',
  'moto_lifecycle_override.tf',
];

/**
 * A Terraform working folder outside the clone: a symlink to each file and folder of the
 * repository's `infrastructure/terraform`, plus the test-only files that point the provider at
 * the local AWS and keep state in this folder (the same ones the Terraform suite uses). The
 * clone itself is never written to; the state survives from one deploy to the next.
 */
export async function prepareTerraformWorkdir(
  repositoryTerraformDir: string,
  workdir: string,
  localAwsEndpoint: string,
): Promise<void> {
  await mkdir(workdir, { recursive: true });
  // Links of an earlier clone go; Terraform's own files (.terraform, state, lock file) stay.
  for (const entry of await readdir(workdir, { withFileTypes: true })) {
    if (entry.isSymbolicLink() || OVERRIDE_FILES.includes(entry.name)) {
      await rm(join(workdir, entry.name), { force: true });
    }
  }
  for (const entry of await readdir(repositoryTerraformDir)) {
    if (entry === '.terraform' || entry.startsWith('terraform.tfstate')) {
      continue;
    }
    if (entry === '.terraform.lock.hcl') continue;
    await symlink(join(repositoryTerraformDir, entry), join(workdir, entry));
  }
  await writeFile(
    join(workdir, 'moto_override.tf'),
    motoOverrideTf(localAwsEndpoint),
  );
  await writeFile(join(workdir, 'moto_toggles.auto.tfvars'), MOTO_TOGGLES);
  await writeFile(
    join(workdir, 'moto_lifecycle_override.tf'),
    MOTO_LIFECYCLE_OVERRIDE,
  );
}
