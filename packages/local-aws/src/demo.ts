/*
 * The local AWS of `./scripts/start`: moto with the ECS layer on a given loopback port, seeded
 * with a demo service that went through three releases, so a newcomer sees real ECS state in the
 * Deployment tab and can roll it back without an AWS account.
 *
 * Run: node --require @backstage/cli/config/nodeTransform.cjs packages/local-aws/src/demo.ts <port>
 * Prints one JSON line `{"ready":true,...}` when seeded; stops moto on SIGTERM/SIGINT.
 */
import {
  DescribeServicesCommand,
  ECSClient,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { registerRevision, seedEcsService } from './seedEcsService';
import { startLocalAws } from './startLocalAws';

export const DEMO = {
  region: 'us-east-1',
  cluster: 'demo',
  service: 'demo-web',
  images: [1, 2, 3].map(n => `public.ecr.aws/nginx/nginx:1.27.${n}`),
  /** Owned by another team in catalog/demo-service.yaml: visible, but guest may not roll it back. */
  otherTeamService: 'demo-payments',
};

const ROLLOUT_SECONDS = 3;

async function waitForCompleted(ecs: ECSClient, revisionArn: string) {
  for (let poll = 0; poll < 40; poll++) {
    const { services } = await ecs.send(
      new DescribeServicesCommand({
        cluster: DEMO.cluster,
        services: [DEMO.service],
      }),
    );
    const primary = services?.[0]?.deployments?.find(
      d => d.status === 'PRIMARY',
    );
    if (
      primary?.taskDefinition === revisionArn &&
      primary.rolloutState === 'COMPLETED'
    ) {
      return;
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`local-aws demo: ${revisionArn} did not complete`);
}

async function main() {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error('usage: demo.ts <port>');
  }
  // What Terraform needs of moto when `yarn demo:deploy` applies a generated stack here: AWS
  // managed policies to attach, and ACM certificates that validate at once (as in the Terraform suite).
  process.env.MOTO_IAM_LOAD_MANAGED_POLICIES ??= 'true';
  process.env.MOTO_ACM_VALIDATION_WAIT ??= '0';
  const aws = await startLocalAws({ port, rolloutSeconds: ROLLOUT_SECONDS });
  const shutdown = () => {
    aws.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  // Release 1, then roll out 2 and 3, so the service has a deployment history to choose from.
  const seeded = await seedEcsService({
    endpoint: aws.endpoint,
    region: DEMO.region,
    cluster: DEMO.cluster,
    service: DEMO.service,
    images: DEMO.images.slice(0, 1),
  });
  const ecs = new ECSClient({
    endpoint: aws.endpoint,
    region: DEMO.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const revisions = [...seeded.taskDefinitionArns];
  await waitForCompleted(ecs, revisions[0]);
  for (const image of DEMO.images.slice(1)) {
    const arn = await registerRevision(ecs, DEMO.service, image);
    await ecs.send(
      new UpdateServiceCommand({
        cluster: DEMO.cluster,
        service: DEMO.service,
        taskDefinition: arn,
      }),
    );
    revisions.push(arn);
    await waitForCompleted(ecs, arn);
  }
  ecs.destroy();
  await seedEcsService({
    endpoint: aws.endpoint,
    region: DEMO.region,
    cluster: DEMO.cluster,
    service: DEMO.otherTeamService,
    images: DEMO.images.slice(0, 2),
  });
  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      endpoint: aws.endpoint,
      serviceArn: seeded.serviceArn,
      revisions,
    })}\n`,
  );
}

if (require.main === module) {
  main().catch(error => {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  });
}
