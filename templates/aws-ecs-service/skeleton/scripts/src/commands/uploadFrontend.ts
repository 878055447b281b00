import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { CloudFrontClient, CreateInvalidationCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsRegion } from '../ecs/client.ts';
import { cacheControlFor, contentTypeFor, invalidationPaths, uploadOrder } from '../frontend/caching.ts';
import { PipelineError, isAwsError } from '../lib/errors.ts';
import { parseOptions, requiredString, secondsOption, stringOption } from '../lib/options.ts';
import { log, printResult, setOutputs } from '../lib/output.ts';
import { poll } from '../lib/wait.ts';

export const usage = `upload-frontend --bucket B --dir frontend/dist [--distribution-id ID] [--wait-seconds N]
  Uploads the build to S3 with Cache-Control per file (hashed assets immutable for a year,
  everything else no-cache), index.html last, then invalidates the files that keep their names in
  CloudFront; with --wait-seconds waits (bounded) for the invalidation. Old hashed assets stay,
  so open pages of the previous build keep loading their chunks.`;

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    throw new PipelineError(`the frontend build folder ${dir} does not exist; run the frontend build first`);
  }
  return entries
    .filter(e => e.isFile())
    .map(e => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
}

export async function run(argv: string[]): Promise<void> {
  const values = parseOptions(
    argv,
    {
      bucket: { type: 'string' },
      dir: { type: 'string' },
      'distribution-id': { type: 'string' },
      'wait-seconds': { type: 'string' },
      'poll-seconds': { type: 'string' },
    },
    ['bucket', 'dir'],
  );
  const bucket = requiredString(values, 'bucket');
  const dir = requiredString(values, 'dir');
  const keys = uploadOrder(await listFiles(dir));
  if (!keys.includes('index.html')) throw new PipelineError(`${dir} has no index.html; is it a frontend build?`);

  const s3 = new S3Client({ region: awsRegion(), maxAttempts: 5 });
  for (const key of keys) {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: await readFile(join(dir, key)),
          ContentType: contentTypeFor(key),
          CacheControl: cacheControlFor(key),
        }),
      );
    } catch (error) {
      if (isAwsError(error, 'NoSuchBucket')) throw new PipelineError(`S3 bucket "${bucket}" does not exist`);
      throw error;
    }
  }
  log(`uploaded ${keys.length} files to s3://${bucket}`);
  setOutputs({ uploaded: keys.length });

  const distributionId = stringOption(values, 'distribution-id');
  if (!distributionId) {
    printResult({ uploaded: keys.length });
    return;
  }
  const paths = invalidationPaths(keys);
  // CloudFront is a global service with its API in us-east-1.
  const cloudfront = new CloudFrontClient({ region: 'us-east-1', maxAttempts: 5 });
  const created = await cloudfront.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: {
        CallerReference: `frontend-${process.env.GITHUB_RUN_ID ?? 'local'}-${process.env.GITHUB_RUN_ATTEMPT ?? '1'}-${Date.now()}`,
        Paths: { Quantity: paths.length, Items: paths },
      },
    }),
  );
  const invalidationId = created.Invalidation?.Id ?? '';
  log(`CloudFront invalidation ${invalidationId} of ${paths.join(' ')}`);
  setOutputs({ invalidation_id: invalidationId });
  if (stringOption(values, 'wait-seconds')) {
    await poll(
      async () => {
        const got = await cloudfront.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: invalidationId }));
        // CloudFront answers "Completed"; some emulators "COMPLETED".
        return got.Invalidation?.Status?.toLowerCase() === 'completed' ? true : undefined;
      },
      {
        timeoutMs: secondsOption(values, 'wait-seconds', 600),
        intervalMs: secondsOption(values, 'poll-seconds', 10),
        what: `CloudFront invalidation ${invalidationId}`,
      },
    );
  }
  printResult({ uploaded: keys.length, invalidationId, paths });
}
