// Proves the four delivery packages install into someone else's portal. It
//   1. builds and packs them as `npm publish` would (`backstage-cli package build`, then
//      `yarn pack`, which runs `backstage-cli package prepack`/`postpack` and turns `workspace:^`
//      into versions), and checks the working tree's package.json files are left as they were;
//   2. serves the tarballs from a loopback npm registry for the `@cicd-aws` scope only
//      (registry.mjs), so the READMEs' `yarn add <name>` without a version resolves them the way
//      it resolves a release from the npm registry (packument, `latest`, integrity); every other
//      package comes from the registry of `npm config get registry`. (A `resolutions` entry to
//      `file:` tarballs would need the README's command changed, and would not exercise the
//      packed package.json's dependency ranges as a registry install does.)
//   3. makes a fresh app with `@backstage/create-app` (the release that made this repository's
//      Backstage version, checked against backstage.json), with the Node 24 fixes this
//      repository's own package.json files carry (backend-defaults ^0.19, better-sqlite3 ^13.2);
//   4. installs the packages by following each package's README "Install" section (readme.mjs);
//   5. type-checks the app (`yarn tsc`: the backend's `backend.add(import(...))` lines, App.tsx
//      with the `/alpha` import, the legacy EntityPage snippet);
//   6. boots the app's backend twice (`yarn --cwd packages/backend start`) on free loopback ports,
//      with a catalog file holding a Component with and one without the ECS annotation and a
//      static external-access token: without AWS config the ECS route answers 503 naming the
//      config to add; with AWS config (static keys, an endpoint nothing listens on) it answers
//      400 naming the annotation for the entity without it (no AWS call is made).
// Prints step durations and ends with exactly one line "install checks: N passed, M failed".
// Every wait is bounded. INSTALL_TEST_KEEP=1 keeps the work folder.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyInstallSection } from './readme.mjs';
import { startRegistry } from './registry.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// The create-app release whose template is Backstage 1.55.0 (its templates' backstage.json says
// so; checked below). Bump it together with backstage.json.
const CREATE_APP_VERSION = '0.9.2';
// In the order the READMEs ask for: the backend first (the frontend README says so).
const PACKAGES = [
  ['@cicd-aws/plugin-delivery-common', 'plugins/delivery-common'],
  ['@cicd-aws/plugin-delivery-backend', 'plugins/delivery-backend'],
  [
    '@cicd-aws/plugin-scaffolder-backend-module-delivery',
    'plugins/scaffolder-backend-module-delivery',
  ],
  ['@cicd-aws/plugin-delivery', 'plugins/delivery'],
];
const README_ORDER = [
  'plugins/delivery-backend',
  'plugins/scaffolder-backend-module-delivery',
  'plugins/delivery-common',
  'plugins/delivery',
];

const work = mkdtempSync(join(tmpdir(), 'install-test-'));
const appDir = join(work, 'app');
const tarballDir = join(work, 'tarballs');
const results = [];
const timings = [];
const children = new Set();

function log(line) {
  console.log(line);
}

function check(name, ok, detail = '') {
  results.push([name, ok]);
  log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail ? `: ${detail}` : ''}`);
  return ok;
}

async function step(name, fn) {
  const started = Date.now();
  log(`--- ${name}`);
  try {
    return await fn();
  } finally {
    const s = Math.round((Date.now() - started) / 1000);
    timings.push([name, s]);
    log(`    (${s}s: ${name})`);
  }
}

/** Runs a command with a time limit; resolves with its output tail, rejects with it on failure. */
function run(cmd, args, { cwd, env, timeoutMs }) {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, {
      cwd,
      env: env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    const keep = chunk => {
      out = (out + chunk).slice(-20000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      out += `\n(killed after ${timeoutMs / 1000}s)`;
      kill(child);
    }, timeoutMs);
    child.on('close', code => {
      clearTimeout(timer);
      children.delete(child);
      const tail = out
        .split('\n')
        .filter(l => !l.startsWith('`'))
        .slice(-25)
        .join('\n');
      if (code === 0) ok(tail);
      else fail(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${tail}`));
    });
  });
}

function kill(child, signal = 'SIGTERM') {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

const freePort = () =>
  new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });

// The fresh app uses the same Yarn release and the same global cache as this repository (an
// honest reuse: the cache holds registry tarballs by name, version and checksum). This test's own
// packages are removed from the cache and the metadata cache before and after, so each run
// installs the tarballs it just packed, never an earlier run's.
function yarnGlobalFolder() {
  try {
    return execFileSync('yarn', ['config', 'get', 'globalFolder'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
  } catch {
    return join(homedir(), '.yarn/berry');
  }
}
function forgetOurPackages(globalFolder) {
  const cache = join(globalFolder, 'cache');
  for (const f of safeList(cache)) {
    if (f.startsWith('@cicd-aws-')) rmSync(join(cache, f), { force: true });
  }
  const metadata = join(globalFolder, 'metadata/npm');
  for (const registryHash of safeList(metadata)) {
    const dir = join(metadata, registryHash, '127.0.0.1');
    for (const f of safeList(dir)) {
      if (f.startsWith('@cicd-aws-')) rmSync(join(dir, f), { force: true });
    }
  }
}
function safeList(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function appEnv(extra = {}) {
  const env = { ...process.env, ...extra, YARN_ENABLE_TELEMETRY: '0' };
  // CI=true would make `yarn install` immutable (the fresh app has no lock file yet).
  delete env.CI;
  // The first backend must see no AWS at all (the plugin also counts these variables).
  for (const name of Object.keys(env)) {
    if (name.startsWith('AWS_')) delete env[name];
  }
  return env;
}

async function bootBackend(label, configPath, port, token, entityNames) {
  const child = spawn(
    'yarn',
    [
      '--cwd',
      'packages/backend',
      'start',
      '--config',
      '../../app-config.yaml',
      '--config',
      configPath,
    ],
    {
      cwd: appDir,
      env: appEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  let out = '';
  const keep = chunk => {
    out = (out + chunk).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  const headers = { authorization: `Bearer ${token}` };
  let ready = false;
  while (Date.now() < deadline && child.exitCode === null) {
    ready = await fetch(`${base}/.backstage/health/v1/readiness`, {
      signal: AbortSignal.timeout(3000),
    })
      .then(r => r.ok)
      .catch(() => false);
    if (ready) break;
    await new Promise(r => setTimeout(r, 2000));
  }
  if (
    !check(
      `${label}: backend ready`,
      ready,
      `not ready within 180s\n${out.slice(-3000)}`,
    )
  ) {
    return { base, headers, child, out: () => out };
  }
  // The catalog reads the file location in the background; wait until it has both entities.
  let found = false;
  while (Date.now() < deadline && !found) {
    const statuses = await Promise.all(
      entityNames.map(n =>
        fetch(`${base}/api/catalog/entities/by-name/component/default/${n}`, {
          headers,
          signal: AbortSignal.timeout(5000),
        })
          .then(r => r.status)
          .catch(() => 0),
      ),
    );
    found = statuses.every(s => s === 200);
    if (!found) await new Promise(r => setTimeout(r, 2000));
  }
  check(`${label}: the catalog has the test entities`, found, out.slice(-2000));
  return { base, headers, child, out: () => out };
}

async function getJson(url, headers) {
  const r = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  const body = await r.json().catch(() => ({}));
  return { status: r.status, message: body?.error?.message ?? '' };
}

async function buildAndPack() {
  const before = new Map(
    PACKAGES.map(([, dir]) => [
      dir,
      readFileSync(join(repoRoot, dir, 'package.json'), 'utf8'),
    ]),
  );
  const packed = await step('build and pack the four packages', async () => {
    // The packages' type declarations are built from the repository's tsc output (dist-types).
    // tsc emits them even when it reports errors (e.g. others' unfinished edits elsewhere in the
    // repository), so its exit code is only logged: the typecheck step judges it.
    await run('yarn', ['tsc'], { cwd: repoRoot, timeoutMs: 600_000 }).catch(e =>
      log(
        `    repository tsc reported errors (the typecheck step judges them):\n${e.message.slice(
          -1500,
        )}`,
      ),
    );
    for (const [name] of PACKAGES) {
      await run('yarn', ['workspace', name, 'build'], {
        cwd: repoRoot,
        timeoutMs: 300_000,
      });
    }
    for (const [name] of PACKAGES) {
      await run(
        'yarn',
        ['workspace', name, 'pack', '--out', join(tarballDir, '%s-%v.tgz')],
        { cwd: repoRoot, timeoutMs: 300_000 },
      );
    }
    return readdirSync(tarballDir).map(f => join(tarballDir, f));
  }).then(
    files => {
      check(
        'the four packages build and pack',
        files.length === PACKAGES.length,
        files.join(', '),
      );
      return files;
    },
    e => {
      check('the four packages build and pack', false, e.message);
      return null;
    },
  );
  const changed = PACKAGES.filter(
    ([, dir]) =>
      readFileSync(join(repoRoot, dir, 'package.json'), 'utf8') !==
      before.get(dir),
  );
  check(
    "packing leaves the packages' package.json as they were (postpack restores them)",
    changed.length === 0,
    changed.map(([, d]) => d).join(', '),
  );
  if (!packed) return null;
  for (const file of packed) {
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', file, 'package/package.json'], {
        encoding: 'utf8',
      }),
    );
    const deps = JSON.stringify(manifest.dependencies ?? {});
    check(
      `${manifest.name}: the tarball's package.json points at dist and names no workspace: ranges`,
      !deps.includes('workspace:') &&
        String(manifest.main ?? '').startsWith('dist/'),
      `main ${manifest.main}, dependencies ${deps}`,
    );
  }
  return packed;
}

async function createAndInstall(registryUrl, expectedBackstage) {
  const created = await step(
    `npx @backstage/create-app@${CREATE_APP_VERSION}`,
    async () => {
      await run(
        'npx',
        [
          '-y',
          `@backstage/create-app@${CREATE_APP_VERSION}`,
          '--path',
          appDir,
          '--skip-install',
        ],
        {
          cwd: work,
          env: { ...process.env, BACKSTAGE_APP_NAME: 'fresh-portal' },
          timeoutMs: 300_000,
        },
      );
      return JSON.parse(readFileSync(join(appDir, 'backstage.json'), 'utf8'))
        .version;
    },
  ).catch(e => {
    check('create-app makes an app', false, e.message);
    return null;
  });
  if (!created) return false;
  check(
    `create-app ${CREATE_APP_VERSION} makes a Backstage ${expectedBackstage} app, as this repository is`,
    created === expectedBackstage,
    `it made ${created}`,
  );

  // The Node 24 fixes, as this repository's root and backend package.json have them.
  const editJson = (rel, fn) => {
    const file = join(appDir, rel);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    fn(json);
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  };
  editJson('package.json', j => {
    j.resolutions = { ...j.resolutions, 'better-sqlite3': '^13.2.0' };
  });
  editJson('packages/backend/package.json', j => {
    j.dependencies['@backstage/backend-defaults'] = '^0.19.0';
    j.dependencies['better-sqlite3'] = '^13.2.0';
  });
  // Test wiring only (not something a portal does): the @cicd-aws scope from the loopback
  // registry, which Yarn only talks plain HTTP to when the host is whitelisted.
  writeFileSync(
    join(appDir, '.yarnrc.yml'),
    `${readFileSync(join(appDir, '.yarnrc.yml'), 'utf8').trimEnd()}\n` +
      `npmScopes:\n  cicd-aws:\n    npmRegistryServer: "${registryUrl}"\n` +
      `unsafeHttpWhitelist:\n  - 127.0.0.1\n`,
  );

  return step('yarn install (the fresh app)', () =>
    run('yarn', ['install'], {
      cwd: appDir,
      env: appEnv(),
      timeoutMs: 900_000,
    }),
  ).then(
    () => true,
    e => check('the fresh app installs', false, e.message),
  );
}

async function main() {
  const started = Date.now();
  const globalFolder = yarnGlobalFolder();
  const expectedBackstage = JSON.parse(
    readFileSync(join(repoRoot, 'backstage.json'), 'utf8'),
  ).version;

  const registry = await startRegistry();
  forgetOurPackages(globalFolder);
  try {
    // The packages' build and the fresh app's first install do not depend on each other: they
    // run side by side (the install mostly waits on the network and the disk).
    const [packed, installed] = await Promise.all([
      buildAndPack(),
      createAndInstall(registry.url, expectedBackstage),
    ]);
    if (!packed || !installed) return;
    registry.publish(packed);

    // 3. The READMEs, word for word.
    let followed = true;
    await step('follow the four READMEs', async () => {
      for (const dir of README_ORDER) {
        const readme = join(repoRoot, dir, 'README.md');
        try {
          const done = await applyInstallSection(readme, appDir, args =>
            run('yarn', args, {
              cwd: appDir,
              // Yarn 4.13 on Node 24 crashes here ("The `onCancel` handler was attached after the
              // promise settled") whenever it retries a request during `yarn add`; without
              // retries the same command succeeds.
              env: appEnv({ YARN_HTTP_RETRY: '0' }),
              timeoutMs: 600_000,
            }),
          );
          done.forEach(d => log(`    ${dir}: ${d}`));
          check(
            `${dir}/README.md's Install section applies to the fresh app`,
            done.length > 0,
            'nothing to apply',
          );
        } catch (e) {
          followed = false;
          check(
            `${dir}/README.md's Install section applies to the fresh app`,
            false,
            e.message,
          );
        }
      }
    });
    if (!followed) return;
    const appPackage = JSON.parse(
      readFileSync(join(appDir, 'packages/app/package.json'), 'utf8'),
    );
    const backendPackage = JSON.parse(
      readFileSync(join(appDir, 'packages/backend/package.json'), 'utf8'),
    );
    check(
      'the app depends on the frontend plugin and the backend on the backend packages, at the released versions',
      ['@cicd-aws/plugin-delivery'].every(n =>
        /^\^\d/.test(appPackage.dependencies[n] ?? ''),
      ) &&
        [
          '@cicd-aws/plugin-delivery-backend',
          '@cicd-aws/plugin-scaffolder-backend-module-delivery',
        ].every(n => /^\^\d/.test(backendPackage.dependencies[n] ?? '')),
      JSON.stringify({
        app: appPackage.dependencies,
        backend: backendPackage.dependencies,
      })
        .match(/"@cicd-aws[^,]*/g)
        ?.join(' '),
    );

    // 4. Type-check.
    await step('yarn tsc (the fresh app)', () =>
      run('yarn', ['tsc'], { cwd: appDir, env: appEnv(), timeoutMs: 600_000 }),
    ).then(
      () =>
        check(
          "the fresh app type-checks with the READMEs' code (/alpha import, legacy EntityPage)",
          true,
        ),
      e =>
        check(
          "the fresh app type-checks with the READMEs' code (/alpha import, legacy EntityPage)",
          false,
          e.message,
        ),
    );

    // 5. Boot the backend and call the routes.
    await step(
      'boot the fresh backend (without and with AWS config) and call the delivery routes',
      async () => {
        const annotation = execFileSync(
          'node',
          [
            '-p',
            "require('@cicd-aws/plugin-delivery-common').ANNOTATION_ECS_SERVICE_ARN",
          ],
          { cwd: join(appDir, 'packages/backend'), encoding: 'utf8' },
        ).trim();
        check(
          "the backend resolves @cicd-aws/plugin-delivery-common's CommonJS entry",
          annotation === 'aws.amazon.com/amazon-ecs-service-arn',
          annotation,
        );
        const catalogFile = join(work, 'catalog.yaml');
        writeFileSync(
          catalogFile,
          [
            [
              'with-ecs',
              `\n  annotations:\n    ${annotation}: arn:aws:ecs:eu-west-1:123456789012:service/prod/with-ecs`,
            ],
            ['without-ecs', ''],
          ]
            .map(
              ([name, annotations]) =>
                `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}${annotations}\n` +
                `spec:\n  type: service\n  lifecycle: production\n  owner: guests\n`,
            )
            .join('---\n'),
        );
        const token = randomBytes(24).toString('hex');
        const config = (port, extra) =>
          `backend:\n  baseUrl: http://127.0.0.1:${port}\n  listen:\n    host: 127.0.0.1\n    port: ${port}\n` +
          `  auth:\n    externalAccess:\n      - type: static\n        options:\n          token: ${token}\n          subject: install-test\n` +
          `catalog:\n  locations:\n    - type: file\n      target: ${catalogFile}\n${extra}`;
        const noAwsPort = await freePort();
        const awsPort = await freePort();
        const noAws = join(work, 'app-config.no-aws.yaml');
        const aws = join(work, 'app-config.aws.yaml');
        writeFileSync(noAws, config(noAwsPort, ''));
        // An endpoint nothing listens on: no AWS call happens for the entity without the annotation.
        writeFileSync(
          aws,
          config(
            awsPort,
            `delivery:\n  aws:\n    endpoint: http://127.0.0.1:9\n` +
              `aws:\n  accounts:\n    - accountId: '123456789012'\n      accessKeyId: test\n      secretAccessKey: test\n`,
          ),
        );
        const names = ['with-ecs', 'without-ecs'];
        // Both at once: the two boots overlap, which is quicker on two cores than one after the other.
        const [a, b] = await Promise.all([
          bootBackend('without AWS config', noAws, noAwsPort, token, names),
          bootBackend('with AWS config', aws, awsPort, token, names),
        ]);
        try {
          const route = (base, name) =>
            `${base}/api/delivery/v1/entities/default/component/${name}/ecs`;
          const r503 = await getJson(
            route(a.base, 'with-ecs'),
            a.headers,
          ).catch(e => ({ status: 0, message: e.message }));
          check(
            'without AWS config: GET .../component/with-ecs/ecs answers 503 naming the missing AWS config',
            r503.status === 503 &&
              /AWS is not configured/.test(r503.message) &&
              /aws\.accounts|aws\.mainAccount/.test(r503.message),
            `${r503.status} ${r503.message}`,
          );
          const r401 = await fetch(route(a.base, 'with-ecs'), {
            signal: AbortSignal.timeout(10_000),
          })
            .then(r => r.status)
            .catch(() => 0);
          check(
            'without a token the delivery route answers 401',
            r401 === 401,
            String(r401),
          );
          const r400 = await getJson(
            route(b.base, 'without-ecs'),
            b.headers,
          ).catch(e => ({ status: 0, message: e.message }));
          check(
            'with AWS config: GET .../component/without-ecs/ecs answers 400 naming the annotation',
            r400.status === 400 && r400.message.includes(annotation),
            `${r400.status} ${r400.message}`,
          );
        } finally {
          for (const child of [a.child, b.child]) kill(child, 'SIGINT');
          await new Promise(r => setTimeout(r, 3000));
          for (const child of [a.child, b.child]) kill(child, 'SIGKILL');
        }
      },
    );
  } finally {
    await registry.close();
    forgetOurPackages(globalFolder);
    log(`install test total ${Math.round((Date.now() - started) / 1000)}s`);
  }
}

try {
  await main();
} catch (e) {
  check('the install test ran to the end', false, e.stack ?? String(e));
} finally {
  for (const child of children) kill(child, 'SIGKILL');
  log('step durations:');
  for (const [name, s] of timings) log(`  ${String(s).padStart(4)}s  ${name}`);
  if (process.env.INSTALL_TEST_KEEP === '1') log(`work folder kept: ${work}`);
  else rmSync(work, { recursive: true, force: true });
  const passed = results.filter(([, ok]) => ok).length;
  const failed = results.length - passed;
  console.log(
    `install checks: ${passed} passed, ${
      failed === 0 && passed === 0 ? 1 : failed
    } failed`,
  );
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
