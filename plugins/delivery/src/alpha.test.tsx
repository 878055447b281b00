import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { screen, waitFor } from '@testing-library/react';
import { deliveryApiRef } from './api';
import deliveryPlugin, {
  entityDeliveryContent,
  entityRollbackCard,
} from './alpha';
import {
  deployment,
  ecsState,
  makeEntity,
  mockDeliveryApi,
} from './__testUtils__';

describe('delivery plugin for the new frontend system', () => {
  it('is the delivery plugin with its API, tab and cards', () => {
    expect(deliveryPlugin.pluginId).toBe('delivery');
  });

  it('adds a "Deployment" tab at /deployment for entities with the annotations only', () => {
    const tester = createExtensionTester(entityDeliveryContent);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Deployment',
    );
    expect(tester.get(coreExtensionData.routePath)).toBe('/deployment');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(filter).toBeDefined();
    expect(filter!(makeEntity())).toBe(true);
    expect(filter!(makeEntity({ 'github.com/project-slug': undefined }))).toBe(
      true,
    );
    expect(
      filter!(
        makeEntity({
          'github.com/project-slug': undefined,
          'aws.amazon.com/amazon-ecs-service-arn': undefined,
        }),
      ),
    ).toBe(false);
  });

  it('renders the tab with its cards', async () => {
    const tester = createExtensionTester(entityDeliveryContent);
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(ecsState()),
    });
    renderInTestApp(
      <EntityProvider entity={makeEntity()}>
        {tester.reactElement()}
      </EntityProvider>,
      {
        apis: [[deliveryApiRef, api], mockApis.permission()],
      },
    );
    expect(await screen.findByText('ECS service')).toBeInTheDocument();
    expect(await screen.findByText('Rollback')).toBeInTheDocument();
    expect(await screen.findByText('Pipeline runs')).toBeInTheDocument();
    expect(await screen.findByText('Terraform drift')).toBeInTheDocument();
    expect(
      await screen.findByText('2 running / 2 desired, 0 pending'),
    ).toBeInTheDocument();
  });

  it('polls at the intervals set in app-config', async () => {
    // A rollout in progress: the ECS cards poll until it settles.
    const getEcsState = jest.fn().mockResolvedValue(
      ecsState({
        deployments: [deployment({ revision: 4, rolloutState: 'IN_PROGRESS' })],
      }),
    );
    const tester = createExtensionTester(entityDeliveryContent, {
      config: { ecsPollIntervalMs: 1000 },
    });
    renderInTestApp(
      <EntityProvider entity={makeEntity()}>
        {tester.reactElement()}
      </EntityProvider>,
      {
        apis: [
          [deliveryApiRef, mockDeliveryApi({ getEcsState })],
          mockApis.permission(),
        ],
      },
    );
    expect(
      await screen.findByText(/A rollout of revision 4 is in progress/),
    ).toBeInTheDocument();
    expect(getEcsState).toHaveBeenCalledTimes(1);
    // The default (3 s) would not have read it again by then.
    await waitFor(() => expect(getEcsState).toHaveBeenCalledTimes(2), {
      timeout: 2500,
    });
  });

  it('refuses poll intervals under a second, which would only load the backend', () => {
    expect(() =>
      createExtensionTester(entityDeliveryContent, {
        config: { driftPollIntervalMs: 10 },
      }).reactElement(),
    ).toThrow(/driftPollIntervalMs/);
    expect(() =>
      createExtensionTester(entityRollbackCard, {
        config: { pollIntervalMs: -1 },
      }).reactElement(),
    ).toThrow(/pollIntervalMs/);
  });
});
