import { mockCredentials } from '@backstage/backend-test-utils';
import { JsonValue } from '@backstage/types';
import { PassThrough } from 'node:stream';

/**
 * A scaffolder action context for unit tests. (`createMockActionContext` from
 * `@backstage/plugin-scaffolder-node-test-utils` has no release for scaffolder-node 1.0 in the
 * registry yet.) `checkpoints` persists across contexts, like a retried task's stored state.
 */
export function mockActionContext<TInput>(options: {
  input: TInput;
  isDryRun?: boolean;
  checkpoints?: Map<string, JsonValue>;
  user?: string;
}) {
  const logLines: string[] = [];
  const outputs: Record<string, unknown> = {};
  const checkpoints = options.checkpoints ?? new Map<string, JsonValue>();
  const log = (line: unknown) => {
    logLines.push(String(line));
  };
  const ctx = {
    input: options.input,
    isDryRun: options.isDryRun ?? false,
    workspacePath: '/tmp',
    logger: {
      info: log,
      warn: log,
      error: log,
      debug: log,
      child: () => ctx.logger,
    },
    logStream: new PassThrough(),
    task: { id: 'task-1' },
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    createTemporaryDirectory: async () => '/tmp',
    getInitiatorCredentials: async () =>
      mockCredentials.user(options.user ?? 'user:default/alice'),
    checkpoint: async ({ key, fn }: { key: string; fn: () => any }) => {
      if (checkpoints.has(key)) return checkpoints.get(key);
      const value = await fn();
      checkpoints.set(key, value ?? null);
      return value;
    },
  };
  return { ctx: ctx as any, logLines, outputs, checkpoints };
}
