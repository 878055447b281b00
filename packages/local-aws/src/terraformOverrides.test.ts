import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MOTO_LIFECYCLE_OVERRIDE } from './terraformOverrides';

const stackDir = join(
  resolve(__dirname, '../../..'),
  'templates/aws-ecs-service/skeleton/infrastructure/terraform',
);

/** `type.name` → attributes of its `ignore_changes`, per resource block of HCL text. */
function ignoredChanges(hcl: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const blocks = hcl.split(/^resource /m).slice(1);
  for (const block of blocks) {
    const head = /^"([^"]+)"\s+"([^"]+)"/.exec(block);
    const list = /ignore_changes\s*=\s*\[([^\]]*)\]/.exec(block);
    if (head && list) {
      found.set(
        `${head[1]}.${head[2]}`,
        list[1]
          .split(',')
          .map(a => a.trim())
          .filter(Boolean),
      );
    }
  }
  return found;
}

describe('the test-only lifecycle override', () => {
  it('keeps every ignore_changes of the generated stack (an override replaces the list, it does not add to it)', () => {
    const template = new Map<string, string[]>();
    for (const file of readdirSync(stackDir).filter(f => f.endsWith('.tf'))) {
      for (const [k, v] of ignoredChanges(
        readFileSync(join(stackDir, file), 'utf8'),
      )) {
        template.set(k, v);
      }
    }
    const overridden = ignoredChanges(MOTO_LIFECYCLE_OVERRIDE);
    expect(overridden.get('aws_ecs_service.rolling')).toContain(
      'task_definition',
    );
    for (const [resource, attributes] of overridden) {
      expect({ resource, ignored: attributes }).toEqual({
        resource,
        ignored: expect.arrayContaining(template.get(resource) ?? []),
      });
    }
  });
});
