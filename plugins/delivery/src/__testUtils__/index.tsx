import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { scmAuthApiRef } from '@backstage/integration-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  DeliveryApi,
  EcsDeployment,
  EcsServiceState,
} from '@cicd-aws/plugin-delivery-common';
import userEvent from '@testing-library/user-event';
import { screen } from '@testing-library/react';
import { Theme, ThemeProvider } from '@material-ui/core/styles';
import { ReactElement } from 'react';
import { deliveryApiRef } from '../api';
import {
  PollIntervals,
  PollIntervalsProvider,
} from '../hooks/usePollIntervals';

let entityCount = 0;

/**
 * A component with the delivery annotations. Each call gets a new name: the permission hook
 * caches decisions per entity across renders, so tests must not share one.
 */
export function makeEntity(
  annotations: Record<string, string | undefined> = {},
): Entity {
  entityCount += 1;
  const all: Record<string, string | undefined> = {
    'aws.amazon.com/amazon-ecs-service-arn':
      'arn:aws:ecs:us-east-1:123456789012:service/demo/demo-web',
    'github.com/project-slug': 'acme/demo-web',
    ...annotations,
  };
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `demo-web-${entityCount}`,
      namespace: 'default',
      annotations: Object.fromEntries(
        Object.entries(all).filter(([, v]) => v !== undefined),
      ) as Record<string, string>,
    },
    spec: { type: 'service', owner: 'group:default/platform-team' },
  };
}

const image = (tag: string) => [
  {
    name: 'web',
    image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/web:${tag}`,
  },
];

export function deployment(
  overrides: Partial<EcsDeployment> & { revision: number },
): EcsDeployment {
  return {
    id: `ecs-svc/${overrides.revision}000`,
    status: 'PRIMARY',
    rolloutState: 'COMPLETED',
    taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:${overrides.revision}`,
    images: image(`v${overrides.revision}`),
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    failedTasks: 0,
    createdAt: new Date(Date.now() - 3600_000).toISOString(),
    ...overrides,
  };
}

/** demo-web running revision 3, with 2 and 1 to roll back to (2 the last completed). */
export function ecsState(
  overrides: Partial<EcsServiceState> = {},
): EcsServiceState {
  return {
    serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/demo/demo-web',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo',
    serviceName: 'demo-web',
    region: 'us-east-1',
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deploymentController: 'ECS',
    deploymentStrategy: 'ROLLING',
    minimumHealthyPercent: 100,
    maximumPercent: 200,
    family: 'demo-web',
    taskDefinitionArn:
      'arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:3',
    deployments: [deployment({ revision: 3 })],
    circuitBreaker: { enable: true, rollback: true },
    events: [
      {
        id: 'e1',
        message: '(service demo-web) has reached a steady state.',
        createdAt: new Date(Date.now() - 60_000).toISOString(),
      },
    ],
    tasks: [
      {
        taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/demo/aaa111',
        taskId: 'aaa111',
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        healthStatus: 'HEALTHY',
        revision: 3,
        availabilityZone: 'us-east-1a',
        startedAt: new Date(Date.now() - 600_000).toISOString(),
        containers: [{ name: 'web', lastStatus: 'RUNNING' }],
      },
      {
        taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/demo/bbb222',
        taskId: 'bbb222',
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        healthStatus: 'UNHEALTHY',
        revision: 2,
        stoppedAt: new Date(Date.now() - 300_000).toISOString(),
        stoppedReason: 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
        containers: [
          {
            name: 'web',
            lastStatus: 'STOPPED',
            exitCode: 137,
            reason: 'OutOfMemoryError',
          },
        ],
      },
    ],
    rollbackTargets: [
      {
        revision: 2,
        taskDefinitionArn:
          'arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:2',
        images: image('v2'),
        registeredAt: new Date(Date.now() - 86400_000).toISOString(),
        lastCompleted: true,
      },
      {
        revision: 1,
        taskDefinitionArn:
          'arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:1',
        images: image('v1'),
        registeredAt: new Date(Date.now() - 2 * 86400_000).toISOString(),
      },
    ],
    ...overrides,
  };
}

/** A ResponseError as the client throws it for a Backstage error body. */
export function responseError(
  statusCode: number,
  name: string,
  message: string,
): Promise<ResponseError> {
  const body = JSON.stringify({
    error: { name, message },
    response: { statusCode },
  });
  return ResponseError.fromResponse({
    status: statusCode,
    statusText: name,
    ok: false,
    url: 'http://localhost:7007/api/delivery/v1/entities/default/component/x',
    headers: {
      get: (key: string) =>
        key.toLowerCase() === 'content-type' ? 'application/json' : null,
    },
    text: async () => body,
  } as any);
}

const never = () => new Promise<never>(() => {});

/** A DeliveryApi whose methods never answer unless a test says otherwise. */
export function mockDeliveryApi(
  overrides: Partial<Record<keyof DeliveryApi, jest.Mock>> = {},
): jest.Mocked<DeliveryApi> {
  return {
    getEcsState: jest.fn(never),
    rollbackEcs: jest.fn(never),
    stopEcsRollout: jest.fn(never),
    listPipelineRuns: jest.fn(never),
    getPipelineJobs: jest.fn(never),
    rerunFailedJobs: jest.fn(never),
    listDeployments: jest.fn(never),
    getDrift: jest.fn(never),
    checkDrift: jest.fn(never),
    listPendingDeployments: jest.fn(never),
    reviewPendingDeployment: jest.fn(never),
    ...overrides,
  } as unknown as jest.Mocked<DeliveryApi>;
}

export function mockPermissionApi(
  decide: (name: string) => AuthorizeResult = () => AuthorizeResult.ALLOW,
) {
  return {
    authorize: jest.fn(
      async (request: { permission: { name: string } }) =>
        ({
          result: decide(request.permission.name),
        } as { result: AuthorizeResult.ALLOW | AuthorizeResult.DENY }),
    ),
  };
}

/**
 * The app's theme without ripples and with instant transitions: a ripple re-renders its button
 * on every press and a dialog waits out its fade on close, which only slows the tests down.
 */
function withoutAnimations(outer: Theme): Theme {
  const instant = Object.fromEntries(
    Object.keys(outer.transitions.duration).map(key => [key, 0]),
  ) as unknown as Theme['transitions']['duration'];
  return {
    ...outer,
    props: { ...outer.props, MuiButtonBase: { disableRipple: true } },
    transitions: { ...outer.transitions, duration: instant },
  };
}

/** The app's ScmAuthApi: the user's GitHub token, or none (a guest). */
export function mockScmAuthApi(token?: string) {
  return {
    getCredentials: jest.fn(
      async (options: {
        optional?: boolean;
      }): Promise<{ token: string; headers: Record<string, string> }> => {
        if (!token && !options.optional) {
          throw new Error('The user closed the GitHub sign-in popup');
        }
        return {
          token: token ?? '',
          headers: token ? { Authorization: `Bearer ${token}` } : {},
        };
      },
    ),
  };
}

export async function renderWithEntity(
  element: ReactElement,
  options: {
    api: DeliveryApi;
    entity?: Entity;
    permissionApi?: ReturnType<typeof mockPermissionApi>;
    /** Default: a user without a GitHub sign-in. */
    scmAuthApi?: ReturnType<typeof mockScmAuthApi>;
    /** Short intervals for tests that watch a rollout or run move. */
    pollIntervals?: Partial<PollIntervals>;
  },
): Promise<{ entity: Entity }> {
  const entity = options.entity ?? makeEntity();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [deliveryApiRef, options.api],
        [permissionApiRef, options.permissionApi ?? mockPermissionApi()],
        [scmAuthApiRef, options.scmAuthApi ?? mockScmAuthApi()],
      ]}
    >
      <ThemeProvider theme={withoutAnimations}>
        <PollIntervalsProvider intervals={options.pollIntervals ?? {}}>
          <EntityProvider entity={entity}>{element}</EntityProvider>
        </PollIntervalsProvider>
      </ThemeProvider>
    </TestApiProvider>,
  );
  return { entity };
}

/**
 * A user-event instance for one test. Without the default 0 ms pause between actions: each
 * pause is a macrotask, and on a busy machine those add up without testing anything.
 */
export function setupUser() {
  return userEvent.setup({ delay: null });
}

/**
 * Types the rollback reason the way most people enter a sentence into a form in one go: a
 * paste. Typing it key by key re-measures the multiline field (a forced layout, slow in jsdom)
 * once per character; the keyboard-only test still types.
 */
export async function enterReason(
  user: ReturnType<typeof setupUser>,
  reason: string,
) {
  await user.click(screen.getByRole('textbox', { name: /Reason/ }));
  await user.paste(reason);
}
