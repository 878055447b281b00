// End-to-end check of the dev portal as a person meets it: starts ./scripts/start on free loopback
// ports, drives Debian's Chromium with playwright-core, and checks what a newcomer sees first.
// Prints "e2e checks: N passed, N failed" and exits non-zero on any failure. Every wait is bounded.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { approvalChecks } from './approvals.mjs';
import { wholePathChecks } from './wholePath.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shotsDir = mkdtempSync(join(tmpdir(), 'portal-e2e-'));

const freePort = () =>
  new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });

async function waitFor(url, deadlineMs, portalExited) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (portalExited())
      throw new Error('the portal exited before it was ready');
    const ok = await fetch(url, { signal: AbortSignal.timeout(3000) })
      .then(r => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise(r => setTimeout(r, 2000));
  }
  throw new Error(`${url} not ready within ${deadlineMs / 1000}s`);
}

const appPort = await freePort();
const backendPort = await freePort();
const localAwsPort = await freePort();
const localGithubPort = await freePort();
// The demo's data folder (the local GitHub's repositories, the local deploy's state) of this run only.
const localDemoData = join(
  mkdtempSync(join(tmpdir(), 'portal-e2e-demo-')),
  'data',
);
const appUrl = `http://localhost:${appPort}`;
let portalOutput = '';
const portal = spawn(join(repoRoot, 'scripts/start'), [], {
  cwd: repoRoot,
  detached: true,
  env: {
    ...process.env,
    APP_PORT: String(appPort),
    BACKEND_PORT: String(backendPort),
    LOCAL_AWS_PORT: String(localAwsPort),
    LOCAL_GITHUB_PORT: String(localGithubPort),
    LOCAL_DEMO_DATA: localDemoData,
    BROWSER: 'none',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let localAwsDemo = false;
let localGithubDemo = false;
const keep = chunk => {
  // The start command announces the demo long before the output tail kept below.
  localAwsDemo ||= String(chunk).includes('local AWS demo on');
  localGithubDemo ||= String(chunk).includes('local GitHub demo on');
  portalOutput = (portalOutput + chunk).slice(-8000);
};
portal.stdout.on('data', keep);
portal.stderr.on('data', keep);

const stopPortal = async () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL']) {
    try {
      process.kill(-portal.pid, signal);
    } catch {
      return;
    }
    await new Promise(r => setTimeout(r, 2000));
  }
};

const results = [];
async function check(name, fn, page) {
  try {
    await fn();
    results.push([name, true]);
    console.log(`  ok   ${name}`);
  } catch (e) {
    results.push([name, false]);
    const shot = join(shotsDir, `${results.length}.png`);
    await page?.screenshot({ path: shot }).catch(() => {});
    console.log(
      `  FAIL ${name}: ${
        String(e.message).split('\n')[0]
      } (screenshot ${shot})`,
    );
  }
}

// One browser per person: each has its own profile, so no sign-in leaks between them.
const launch = () =>
  chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-')), {
    executablePath: chromiumPath,
    viewport: { width: 1280, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

let context;
try {
  const started = Date.now();
  await waitFor(
    `http://localhost:${backendPort}/.backstage/health/v1/readiness`,
    300_000,
    () => portal.exitCode !== null,
  );
  await waitFor(appUrl, 300_000, () => portal.exitCode !== null);
  console.log(
    `portal ready in ${Math.round(
      (Date.now() - started) / 1000,
    )}s on ${appUrl}`,
  );

  context = await launch();
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  // A full page load shows the sign-in page again: enter as guest whenever it appears.
  const visit = async path => {
    await page.goto(`${appUrl}${path}`, { timeout: 120_000 });
    const enter = page.getByRole('button', { name: 'Enter' });
    // The first load waits for the dev server's bundle: wait for either the sign-in page or the app.
    await enter
      .or(page.getByRole('link', { name: 'Catalog' }))
      .first()
      .waitFor({ timeout: 180_000 });
    if (await enter.isVisible()) await enter.click();
    await enter.waitFor({ state: 'hidden' });
  };

  await check(
    'guest sign-in lands on the catalog, which lists this repository',
    async () => {
      await visit('/');
      // The app title says the same words, so look for the entity's link in the catalog table.
      await page
        .getByRole('link', { name: 'CI/CD on AWS portal' })
        .first()
        .waitFor();
      await page.getByRole('link', { name: 'platform-team' }).first().waitFor();
    },
    page,
  );

  await check(
    'the Create page lists the AWS ECS service and the rollback templates',
    async () => {
      await visit('/create');
      await page.getByText('AWS ECS service').first().waitFor();
      await page.getByText('Roll back an ECS service').first().waitFor();
    },
    page,
  );

  await check(
    'the template form refuses a service name AWS cannot use',
    async () => {
      await visit('/create/templates/default/aws-ecs-service');
      // Letters, digits and hyphens, but two in a row: RDS refuses it, so the form does too.
      await page.getByLabel('Name').first().fill('orders--api');
      await page.getByLabel('Description').fill('A service that does things.');
      await page.getByLabel('Owner').click();
      await page.getByRole('option').first().click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText("'Name' must match pattern").first().waitFor();
    },
    page,
  );

  // The local AWS demo of ./scripts/start, through the delivery API as the guest user:
  // the portal's owners-only policy lets guest (platform-team) roll back demo-web, not demo-payments.
  if (localAwsDemo) {
    const api = `http://localhost:${backendPort}/api`;
    const { backstageIdentity } = await (
      await fetch(`${api}/auth/guest/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      })
    ).json();
    const headers = {
      Authorization: `Bearer ${backstageIdentity.token}`,
      'Content-Type': 'application/json',
    };
    const entity = name =>
      `${api}/delivery/v1/entities/default/component/${name}/ecs`;
    const state = async name => (await fetch(entity(name), { headers })).json();
    const rollback = (name, revision) =>
      fetch(`${entity(name)}/rollback`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ revision, reason: 'e2e rollback' }),
      });

    await check(
      'guest sees demo-web in the local AWS with its earlier revisions',
      async () => {
        const demo = await state('demo-web');
        const targets = demo.rollbackTargets?.map(t => t.revision).join(',');
        if (demo.deployments?.[0]?.revision !== 3 || targets !== '2,1') {
          throw new Error(
            `unexpected state: ${JSON.stringify(demo).slice(0, 300)}`,
          );
        }
      },
    );
    await check(
      'guest may not roll back another team’s service (403, unchanged)',
      async () => {
        const response = await rollback('demo-payments', 1);
        const body = await response.json();
        const after = await state('demo-payments');
        if (
          response.status !== 403 ||
          !body.error.message.includes('delivery.ecs.rollback') ||
          after.deployments[0].revision !== 2
        ) {
          throw new Error(
            `got ${response.status} ${JSON.stringify(body).slice(0, 300)}`,
          );
        }
      },
    );
    // The Deployment tab in the browser: demo-web runs revision 3; the dialog rolls it back to 2.
    const artifacts =
      process.env.E2E_ARTIFACTS_DIR ??
      mkdtempSync(join(tmpdir(), 'portal-e2e-artifacts-'));
    mkdirSync(artifacts, { recursive: true });
    await check(
      'guest sees the four cards with data and rolls demo-web back to revision 2 in the Deployment tab',
      async () => {
        await visit('/catalog/default/component/demo-web/deployment');
        await page.getByText('ECS service', { exact: true }).waitFor();
        await page
          .getByRole('table', { name: 'Deployments' })
          .getByText('revision 3')
          .first()
          .waitFor();
        if (localGithubDemo) {
          // The pipeline and drift cards read the local GitHub through the backend.
          await page.getByText('Add discount codes').first().waitFor();
          await page.getByText('aws_ecs_service.rolling[0]').first().waitFor();
        }
        const target = page.getByRole('radio', { name: /^Revision 2/ });
        await target.waitFor({ timeout: 90_000 });
        await page.screenshot({
          path: join(artifacts, 'deployment-tab-before.png'),
          fullPage: true,
        });
        if (await target.isChecked())
          throw new Error('a target was preselected');
        await target.check();
        await page
          .getByRole('table', { name: 'Current and target revision' })
          .waitFor();
        await page
          .getByRole('textbox', { name: /Reason/ })
          .fill('e2e rollback in the browser');
        await page.getByRole('button', { name: 'Roll back…' }).click();
        const dialog = page.getByRole('dialog');
        const text = await dialog.innerText();
        if (!/demo-web goes from revision 3 back to revision 2/.test(text)) {
          throw new Error(`the dialog says: ${text}`);
        }
        await dialog
          .getByRole('button', { name: 'Roll back to revision 2' })
          .click();
        await page
          .getByText(/Rollback of demo-web to revision 2: COMPLETED/)
          .waitFor({ timeout: 90_000 });
        await page
          .getByRole('table', { name: 'Deployments' })
          .getByText('revision 2')
          .first()
          .waitFor();
        await page.screenshot({
          path: join(artifacts, 'deployment-tab-after.png'),
          fullPage: true,
        });
        const after = await state('demo-web');
        if (after.deployments?.[0]?.revision !== 2) {
          throw new Error(
            `ECS runs revision ${after.deployments?.[0]?.revision}`,
          );
        }
      },
      page,
    );
    await check(
      'guest rolls demo-web back to revision 1 through the API (202, new deployment)',
      async () => {
        const response = await rollback('demo-web', 1);
        const body = await response.json();
        const after = await state('demo-web');
        if (
          response.status !== 202 ||
          body.toRevision !== 1 ||
          after.deployments[0].revision !== 1
        ) {
          throw new Error(
            `got ${response.status} ${JSON.stringify(body).slice(0, 300)}`,
          );
        }
      },
    );

    await check(
      'demo-payments shows the rollback disabled, naming the missing permission',
      async () => {
        await visit('/catalog/default/component/demo-payments/deployment');
        const why = page.getByText(/You cannot roll back this service/);
        await why.waitFor();
        const text = await why.innerText();
        if (!text.includes('delivery.ecs.rollback')) {
          throw new Error(`the explanation says: ${text}`);
        }
        if (
          !(await page.getByRole('button', { name: 'Roll back…' }).isDisabled())
        ) {
          throw new Error('the rollback button is enabled');
        }
      },
      page,
    );
    if (localGithubDemo) {
      await approvalChecks({
        context,
        newContext: launch,
        visit,
        page,
        check,
        appUrl,
        artifacts,
      });
      await wholePathChecks({
        page,
        visit,
        check,
        repoRoot,
        env: {
          LOCAL_AWS_PORT: String(localAwsPort),
          LOCAL_GITHUB_PORT: String(localGithubPort),
          LOCAL_DEMO_DATA: localDemoData,
        },
        ecsState: state,
        artifacts,
      });
    }
    console.log(`  screenshots of the Deployment tab in ${artifacts}`);
  } else {
    console.log(
      '  skip local AWS demo checks: the portal started without moto_server',
    );
  }
} catch (e) {
  results.push(['portal starts', false]);
  console.log(`  FAIL portal starts: ${e.message}\n${portalOutput}`);
} finally {
  await context?.close().catch(() => {});
  await stopPortal();
}

const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
if (failed === 0) rmSync(shotsDir, { recursive: true, force: true });
console.log(`e2e checks: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
