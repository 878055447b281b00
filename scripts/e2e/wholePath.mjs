// The whole path a newcomer takes on the local portal: Create → "AWS ECS service" in the wizard
// (every optional field left empty), follow "Open in catalog", deploy the new repository twice
// with `yarn demo:deploy` (its own Terraform and scripts against the local AWS), see it on its
// Deployment tab, and roll it back through the dialog. Prints the wall times of each leg.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const SERVICE = 'orders-e2e';
const REPOSITORY = `acme/${SERVICE}`;

/** Runs `yarn demo:deploy` as a person would, bounded in time; resolves with its output. */
function demoDeploy(repoRoot, env, args) {
  return new Promise((resolve, reject) => {
    const child = spawn('yarn', ['demo:deploy', REPOSITORY, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env, DEMO_DEPLOY_QUIET: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', c => (output += c));
    child.stderr.on('data', c => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.on('error', reject);
    child.on('close', code => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else
        reject(
          new Error(`yarn demo:deploy exited ${code}:\n${output.slice(-3000)}`),
        );
    });
  });
}

const seconds = ms => `${(ms / 1000).toFixed(1)} s`;

export async function wholePathChecks({
  page,
  visit,
  check,
  repoRoot,
  env,
  ecsState,
  artifacts,
}) {
  const times = {};
  let created = false;
  await check(
    'guest creates a service in the wizard with every optional field empty, and opens it in the catalog',
    async () => {
      await visit('/create/templates/default/aws-ecs-service');
      const next = () => page.getByRole('button', { name: 'Next' }).click();
      await page.getByLabel('Name').first().fill(SERVICE);
      await page.getByLabel('Description').fill('Takes and tracks orders.');
      await page.getByLabel('Owner').click();
      await page
        .getByRole('option', { name: /platform-team/ })
        .first()
        .click();
      await next();
      // Repository: the local GitHub, organisation acme.
      await page
        .getByTestId('host-select')
        .locator('select')
        .selectOption('github.local');
      await page.getByLabel('Owner').fill('acme');
      // The repository field is an autocomplete: it takes the value when it loses focus.
      await page.getByLabel('Repository').fill(SERVICE);
      await page.getByLabel('Repository').press('Tab');
      await next();
      // AWS account: the local AWS's account; region, environment and CIDR keep their defaults.
      await page.getByLabel('AWS account id').fill('123456789012');
      await page
        .getByLabel('Terraform state bucket')
        .fill('acme-terraform-state');
      await page
        .getByLabel('Terraform state KMS key')
        .fill(
          'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        );
      await next();
      // Compute: memory has no default (it depends on the CPU chosen).
      await page.getByLabel('Memory (MiB)').click();
      await page.getByRole('option', { name: '512' }).click();
      await next();
      await next(); // Database: on, with its defaults.
      await page.getByLabel('Alert e-mail').fill('orders-team@example.com');
      await page.getByRole('button', { name: 'Review' }).click();
      await page.screenshot({
        path: join(artifacts, 'create-review.png'),
        fullPage: true,
      });
      const started = Date.now();
      await page.getByRole('button', { name: 'Create' }).click();
      const open = page.getByRole('link', { name: 'Open in catalog' });
      await open.waitFor({ timeout: 180_000 });
      times.create = Date.now() - started;
      await page.screenshot({
        path: join(artifacts, 'create-done.png'),
        fullPage: true,
      });
      await open.click();
      // The catalog registers the location at once; the entity appears after its first processing.
      await page
        .getByText(SERVICE, { exact: true })
        .first()
        .waitFor({ timeout: 120_000 });
      created = true;
    },
    page,
  );
  if (!created) return;

  let deployed = false;
  await check(
    'yarn demo:deploy runs the repository through its own pipeline twice: revisions 2 and 3 of the family',
    async () => {
      let started = Date.now();
      await demoDeploy(repoRoot, env, []);
      times.firstDeploy = Date.now() - started;
      const first = await ecsState(SERVICE);
      started = Date.now();
      await demoDeploy(repoRoot, env, [
        '--image',
        'public.ecr.aws/nginx/nginx:1.28',
      ]);
      times.secondDeploy = Date.now() - started;
      const second = await ecsState(SERVICE);
      // Revision 1 is Terraform's own bootstrap definition; each deploy registers the next.
      if (
        first.deployments?.[0]?.revision !== 2 ||
        second.deployments?.[0]?.revision !== 3
      ) {
        throw new Error(
          `ECS ran revision ${first.deployments?.[0]?.revision} after the first deploy and ${second.deployments?.[0]?.revision} after the second`,
        );
      }
      deployed = true;
    },
  );
  if (!deployed) return;

  await check(
    "the new service's Deployment tab shows revision 3, both GitHub deployments and the deploy runs; guest rolls back to revision 2",
    async () => {
      await visit(`/catalog/default/component/${SERVICE}/deployment`);
      await page
        .getByRole('table', { name: 'Deployments' })
        .getByText('revision 3')
        .first()
        .waitFor({ timeout: 90_000 });
      // Revision 2 is the first deploy's, the last one that completed before revision 3.
      const target = page.getByRole('radio', {
        name: /^Revision 2 \(last completed\)/,
      });
      await target.waitFor({ timeout: 90_000 });
      // Pipeline runs: the two local deploy runs of deploy.yml, by guest.
      await page
        .getByText('Create orders-e2e from the AWS ECS service template')
        .first()
        .waitFor();
      // The drift card finds the repository's drift workflow (it has not run yet).
      await page.screenshot({
        path: join(artifacts, 'new-service-before.png'),
        fullPage: true,
      });
      await target.check();
      // Both GitHub deployments, with who deployed them and their commit.
      const comparison = page.getByRole('table', {
        name: 'Current and target revision',
      });
      await comparison
        .getByText(/github-actions\[bot\].*github-actions\[bot\]/s)
        .first()
        .waitFor();
      await page
        .getByRole('textbox', { name: /Reason/ })
        .fill('e2e: back to the first deploy');
      await page.getByRole('button', { name: 'Roll back…' }).click();
      const dialog = page.getByRole('dialog');
      const text = await dialog.innerText();
      if (
        !new RegExp(`${SERVICE} goes from revision 3 back to revision 2`).test(
          text,
        )
      ) {
        throw new Error(`the dialog says: ${text}`);
      }
      const started = Date.now();
      await dialog
        .getByRole('button', { name: 'Roll back to revision 2' })
        .click();
      await page
        .getByText(
          new RegExp(`Rollback of ${SERVICE} to revision 2: COMPLETED`),
        )
        .waitFor({ timeout: 120_000 });
      times.rollback = Date.now() - started;
      await page.screenshot({
        path: join(artifacts, 'new-service-after.png'),
        fullPage: true,
      });
      const after = await ecsState(SERVICE);
      if (after.deployments?.[0]?.revision !== 2) {
        throw new Error(
          `the local AWS runs revision ${after.deployments?.[0]?.revision}`,
        );
      }
    },
    page,
  );
  console.log(
    `  whole path wall times: create ${seconds(
      times.create ?? 0,
    )}, first deploy ${seconds(
      times.firstDeploy ?? 0,
    )}, second deploy ${seconds(times.secondDeploy ?? 0)}, rollback ${seconds(
      times.rollback ?? 0,
    )}`,
  );
}
