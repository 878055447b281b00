import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { PIPELINE } from './pipeline';

const workflowFile = join(
  resolve(__dirname, '../../..'),
  'templates/aws-ecs-service/skeleton/.github/workflows/deploy.yml',
);

/** `[step id, scripts command]` of every step of a job that runs the scripts CLI. */
function scriptsSteps(job: { steps: Array<{ id?: string; run?: string }> }) {
  return job.steps.flatMap(step => {
    const m = /scripts\/src\/cli\.ts ([a-z-]+)(?: (create|status))?/.exec(
      step.run ?? '',
    );
    return m ? [[step.id ?? '', m[2] ? `${m[1]} ${m[2]}` : m[1]]] : [];
  });
}

describe('the local deploy and the deploy workflow', () => {
  const workflow = parse(readFileSync(workflowFile, 'utf8'));

  it('runs every scripts command of the production job, in the same order, under the same step ids', () => {
    const steps = scriptsSteps(workflow.jobs.production);
    expect(PIPELINE.map(s => s.command)).toEqual(steps.map(([, c]) => c));
    // Later steps read the outputs of these ids (steps.<id>.outputs), so they must match.
    const ids = steps.filter(([id]) => id);
    expect(ids.map(([, c]) => c)).toEqual(
      expect.arrayContaining([
        'terraform-outputs',
        'register-task-definition',
        'deploy',
      ]),
    );
    for (const [id, command] of ids) {
      expect(PIPELINE.find(s => s.command === command)?.id).toBe(id);
    }
  });

  it('runs the steps the workflow runs conditionally under the same conditions', () => {
    const conditions = Object.fromEntries(
      workflow.jobs.production.steps
        .filter((s: { id?: string; run?: string }) =>
          s.run?.includes('scripts/src/cli.ts'),
        )
        .map((s: { id?: string; if?: string; run: string }) => [
          /cli\.ts ([a-z-]+(?: (?:create|status))?)/.exec(s.run)![1],
          s.if ?? '',
        ]),
    );
    // The three conditional steps, as the workflow words them; the rest run unless a step failed.
    expect(conditions).toEqual({
      'terraform-outputs': '',
      'register-task-definition': '',
      'github-deployment create': '',
      migrate: "steps.tf.outputs.database_endpoint != ''",
      deploy: '',
      rollback: "failure() && steps.smoke.outcome == 'failure'",
      'upload-frontend': '',
      'github-deployment status':
        "always() && steps.record.outputs.deployment_id != ''",
    });
    const base = { sha: 'a'.repeat(40), image: 'nginx', failed: false };
    const step = (id: string) => PIPELINE.find(s => s.id === id)!;
    const noDb = { ...base, steps: { tf: { database_endpoint: '' } } };
    const db = { ...base, steps: { tf: { database_endpoint: 'db:5432' } } };
    expect(step('migrate').when!(noDb)).toBe(false);
    expect(step('migrate').when!(db)).toBe(true);
    // Rolled back after a failed smoke test only, never after a failed frontend upload.
    const smokeFailed = {
      ...base,
      failed: true,
      steps: { deploy: {}, smoke: { outcome: 'failure' } },
    };
    expect(step('rollback').when!(smokeFailed)).toBe(true);
    expect(
      step('rollback').when!({ ...smokeFailed, steps: { deploy: {} } }),
    ).toBe(false);
    const recorded = {
      ...base,
      failed: true,
      steps: { record: { deployment_id: '7' } },
    };
    expect(step('status').when!(recorded)).toBe(true);
    expect(step('status').args(recorded)).toContain('failure');
  });

  it('takes the frontend from the same folder the workflow uploads', () => {
    const upload = workflow.jobs.production.steps.find((s: { run?: string }) =>
      s.run?.includes('upload-frontend'),
    );
    expect(upload.run).toContain('--dir frontend/dist');
    expect(
      PIPELINE.find(s => s.id === 'frontend')!.args({
        sha: '',
        image: '',
        failed: false,
        steps: {},
      }),
    ).toEqual(expect.arrayContaining(['--dir', 'frontend/dist']));
  });
});
