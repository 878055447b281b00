/** Form values as the Create wizard sends them for the aws-ecs-service template. */
export const rollingWithoutDomain = {
  name: 'orders-api',
  description: 'Takes and tracks customer orders.',
  owner: 'group:default/platform-team',
  system: 'system:default/cicd-aws',
  repoUrl: 'github.com?owner=acme&repo=orders-api',
  awsAccountId: '123456789012',
  awsRegion: 'eu-west-1',
  environment: 'prod',
  vpcCidr: '10.20.0.0/16',
  stateBucket: 'acme-terraform-state-123456789012',
  // The platform stack's kms_key_arn, in another region than the service: the state lives there.
  stateKmsKeyArn:
    'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  taskCpu: 256,
  taskMemory: 512,
  desiredCount: 2,
  deploymentStrategy: 'rolling',
  databaseEnabled: true,
  dbInstanceClass: 'db.t4g.micro',
  dbAllocatedStorage: 20,
  dbMultiAz: false,
  dbBackupRetentionDays: 7,
  monthlyBudgetUsd: 200,
  alertEmail: 'orders-team@example.com',
};

export const blueGreenWithDomain = {
  ...rollingWithoutDomain,
  name: 'checkout-web',
  description: 'The checkout pages and their API.',
  repoUrl: 'github.com?owner=acme&repo=checkout-web',
  environment: 'live',
  vpcCidr: '10.30.0.0/16',
  taskCpu: 1024,
  taskMemory: 2048,
  deploymentStrategy: 'blue-green',
  dbMultiAz: true,
  dbBackupRetentionDays: 14,
  domainName: 'checkout.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
};
