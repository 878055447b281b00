/** What {@link createTestNetwork} created. */
export interface TestNetwork {
  vpcId: string;
  /** One subnet per Availability Zone, in the order of `availabilityZones`. */
  subnets: string[];
  securityGroup: string;
  availabilityZones: string[];
}

/**
 * Creates an EC2 resource through moto's EC2 Query API and returns its id. `@aws-sdk/client-ec2`
 * is not a dependency of this repo; moto checks no signature, only the credential scope's region.
 */
async function ec2(
  endpoint: string,
  region: string,
  params: Record<string, string>,
  idTag: string,
): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
  });
  const xml = await response.text();
  const id = new RegExp(`<${idTag}>([^<]+)</${idTag}>`).exec(xml)?.[1];
  if (!response.ok || !id) {
    throw new Error(`local-aws: EC2 ${params.Action} failed: ${xml}`);
  }
  return id;
}

/**
 * A VPC with one subnet in each of two Availability Zones and a security group: what an `awsvpc`
 * ECS service needs in moto, whose CreateService checks that they exist. The layer spreads a
 * service's tasks over the subnets' zones.
 */
export async function createTestNetwork(
  endpoint: string,
  options: { region?: string } = {},
): Promise<TestNetwork> {
  const region = options.region ?? 'us-east-1';
  const availabilityZones = [`${region}a`, `${region}b`];
  const vpcId = await ec2(
    endpoint,
    region,
    { Action: 'CreateVpc', CidrBlock: '10.0.0.0/16' },
    'vpcId',
  );
  const subnets: string[] = [];
  for (const [i, zone] of availabilityZones.entries()) {
    subnets.push(
      await ec2(
        endpoint,
        region,
        {
          Action: 'CreateSubnet',
          VpcId: vpcId,
          CidrBlock: `10.0.${i + 1}.0/24`,
          AvailabilityZone: zone,
        },
        'subnetId',
      ),
    );
  }
  const securityGroup = await ec2(
    endpoint,
    region,
    {
      Action: 'CreateSecurityGroup',
      VpcId: vpcId,
      GroupName: `tasks-${vpcId}`,
      GroupDescription: 'ECS tasks',
    },
    'groupId',
  );
  return { vpcId, subnets, securityGroup, availabilityZones };
}
