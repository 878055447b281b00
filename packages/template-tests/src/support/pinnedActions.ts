/**
 * The only actions (and versions) the generated workflows may use, each pinned to the full commit
 * SHA of its release tag. A tag can be moved to other code (as happened to trivy-action's tags in
 * March 2026); a SHA cannot, so workflows name the SHA and keep the version as a comment.
 *
 * How each row was verified (2026-11-25): the action's own repository was cloned, the tag
 * resolved with `git rev-parse <tag>^{commit}` and checked to be on the repository's default or
 * release branch (`git branch --contains <sha>`), and the action.yml at that SHA read for the
 * inputs the workflows pass. To add or bump an action, do the same (Dependabot's update pull
 * requests in a generated repository show the same SHA and tag).
 */
export interface PinnedAction {
  sha: string;
  version: string;
}

export const PINNED_ACTIONS: Record<string, PinnedAction> = {
  'actions/checkout': {
    sha: '3d3c42e5aac5ba805825da76410c181273ba90b1',
    version: 'v7.0.1',
  },
  'actions/setup-node': {
    sha: '820762786026740c76f36085b0efc47a31fe5020',
    version: 'v7.0.0',
  },
  'actions/upload-artifact': {
    sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f',
    version: 'v7.0.0',
  },
  'actions/download-artifact': {
    sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c',
    version: 'v8.0.1',
  },
  'actions/dependency-review-action': {
    sha: '2031cfc080254a8a887f58cffee85186f0e49e48',
    version: 'v4.9.0',
  },
  'aws-actions/configure-aws-credentials': {
    sha: 'e6de054238d6b7531b4efff3b6587d9aade6a06c',
    version: 'v6.2.3',
  },
  'aws-actions/amazon-ecr-login': {
    sha: '03f1aad4c6c7ffd436567f42f9384779290529bd',
    version: 'v2.1.7',
  },
  'hashicorp/setup-terraform': {
    sha: 'dfe3c3f87815947d99a8997f908cb6525fc44e9e',
    version: 'v4.0.1',
  },
  'aquasecurity/trivy-action': {
    sha: 'ed142fd0673e97e23eac54620cfb913e5ce36c25',
    version: 'v0.36.0',
  },
  // One repository, one tag, several actions in subfolders.
  'github/codeql-action/upload-sarif': {
    sha: '8aad20d150bbac5944a9f9d289da16a4b0d87c1e',
    version: 'v4.36.2',
  },
  'github/codeql-action/init': {
    sha: '8aad20d150bbac5944a9f9d289da16a4b0d87c1e',
    version: 'v4.36.2',
  },
  'github/codeql-action/analyze': {
    sha: '8aad20d150bbac5944a9f9d289da16a4b0d87c1e',
    version: 'v4.36.2',
  },
  'docker/setup-buildx-action': {
    sha: '37fe631027851001ddb9b187196cc803df7f5f0e',
    version: 'v4.3.0',
  },
  'docker/build-push-action': {
    sha: '53b7df96c91f9c12dcc8a07bcb9ccacbed38856a',
    version: 'v7.3.0',
  },
  'marocchino/sticky-pull-request-comment': {
    sha: '5770ad5eb8f42dd2c4f34da00c94c5381e49af88',
    version: 'v3.0.5',
  },
};
