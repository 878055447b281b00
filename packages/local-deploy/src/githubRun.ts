/** A job of the recorded run: its steps as `[name, conclusion]`. */
export interface RecordedJob {
  name: string;
  status: 'in_progress' | 'completed';
  steps: Array<[string, 'success' | 'failure' | 'skipped']>;
}

/**
 * Records the local deploy as a run of the repository's `deploy.yml` in the local GitHub (its
 * runner endpoint, `/_local-github/...`, since GitHub has no API to create runs), so the
 * Deployment tab's Pipeline runs card shows it while it runs and how it ended.
 */
export async function recordRun(
  options: {
    repository: string;
    actor: string;
    localGithubUrl: string;
    githubToken: string;
  },
  sha: string,
  subject: string,
) {
  const url = `${options.localGithubUrl}/_local-github/repos/${options.repository}/runs`;
  const send = async (method: string, target: string, body: unknown) => {
    const response = await fetch(target, {
      method,
      headers: {
        authorization: `token ${options.githubToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(
        `the local GitHub answered ${
          response.status
        } to ${method} ${target}: ${await response.text()}`,
      );
    }
    return response.json();
  };
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const user = { login: options.actor };
  const run = await send('POST', url, {
    workflowFile: 'deploy.yml',
    name: 'Deploy',
    event: 'workflow_dispatch',
    status: 'in_progress',
    conclusion: null,
    head_sha: sha,
    display_title: subject,
    head_commit: {
      id: sha,
      tree_id: sha,
      message: subject,
      timestamp: at,
      author: { name: options.actor, email: `${options.actor}@example.test` },
      committer: {
        name: options.actor,
        email: `${options.actor}@example.test`,
      },
    },
    created_at: at,
    run_started_at: at,
    updated_at: at,
    actor: user,
    triggering_actor: user,
    jobs: [{ name: 'Terraform plan', status: 'in_progress' }],
  });
  return {
    id: run.id as number,
    complete: (conclusion: 'success' | 'failure', jobs: RecordedJob[]) =>
      send('PATCH', `${url}/${run.id}`, {
        status: 'completed',
        conclusion,
        jobs,
      }),
  };
}
