import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { unzipSync } from 'fflate';
import { GithubClientFactory, GithubRepoRef } from './GithubClientFactory';
import { mapGithubError } from './githubErrors';

/** Which JSON file a workflow's artifact carries, how big it may be and how it is checked. */
export interface JsonArtifactSpec<T> {
  /** Artifact name, e.g. `drift-report`. */
  artifactName: string;
  /** The one file read from its zip, e.g. `drift-report.json`. */
  fileName: string;
  /** What the file is, for messages: `drift report`, `plan summary`. */
  what: string;
  /** Zips bigger than this are not downloaded or inflated. */
  maxZipBytes: number;
  /** The file is not inflated when its declared size is bigger. */
  maxFileBytes: number;
  /** Schema check of the parsed JSON. */
  validate(
    value: unknown,
  ): { valid: true; value: T } | { valid: false; errors: string[] };
}

/** What an artifact held: a valid document, or why it is unusable. */
export type ArtifactResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: string };

/** Reads the spec's JSON file out of an artifact's zip, bounded and validated. */
export function readJsonArtifact<T>(
  zip: Uint8Array,
  spec: JsonArtifactSpec<T>,
): ArtifactResult<T> {
  const { artifactName, fileName } = spec;
  if (zip.byteLength > spec.maxZipBytes) {
    return {
      ok: false,
      reason: `the ${artifactName} artifact is ${zip.byteLength} bytes, more than the ${spec.maxZipBytes} a ${spec.what} can need`,
    };
  }
  let files: Record<string, Uint8Array>;
  let oversized: number | undefined;
  try {
    files = unzipSync(zip, {
      // Inflates only the one file, and only when its declared size is sane (fflate then writes
      // into a buffer of that size, so a lying header cannot make it allocate more).
      filter: file => {
        if (file.name !== fileName) {
          return false;
        }
        if (file.originalSize > spec.maxFileBytes) {
          oversized = file.originalSize;
          return false;
        }
        return true;
      },
    });
  } catch (error) {
    return {
      ok: false,
      reason: `the ${artifactName} artifact is not a readable zip archive (${
        (error as Error).message
      })`,
    };
  }
  if (oversized !== undefined) {
    return {
      ok: false,
      reason: `${fileName} in the artifact is ${oversized} bytes, more than the ${spec.maxFileBytes} allowed`,
    };
  }
  const content = files[fileName];
  if (!content) {
    return {
      ok: false,
      reason: `the ${artifactName} artifact has no ${fileName}`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(content));
  } catch (error) {
    return {
      ok: false,
      reason: `${fileName} is not JSON (${(error as Error).message})`,
    };
  }
  const validation = spec.validate(parsed);
  if (!validation.valid) {
    return {
      ok: false,
      reason: `${fileName} does not match the ${
        spec.what
      } schema: ${validation.errors.slice(0, 10).join('; ')}`,
    };
  }
  return { ok: true, value: validation.value };
}

// An artifact never changes, so its parse is kept for long.
const ARTIFACT_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Downloads workflow artifacts and keeps what each held (document or reason) in the cache
 * service, so every artifact is downloaded once per cache lifetime; concurrent reads of one
 * artifact share the download.
 */
export class ArtifactReader {
  private readonly inFlight = new Map<string, Promise<ArtifactResult<any>>>();

  constructor(
    private readonly clients: GithubClientFactory,
    private readonly cache: CacheService,
    private readonly logger: LoggerService,
  ) {}

  read<T>(
    ref: GithubRepoRef,
    id: number,
    spec: JsonArtifactSpec<T>,
  ): Promise<ArtifactResult<T>> {
    const key = `github-artifact:${spec.artifactName}:${ref.apiBaseUrl}/${ref.owner}/${ref.repo}/${id}`;
    const pending = this.inFlight.get(key);
    if (pending) {
      return pending;
    }
    const load = (async (): Promise<ArtifactResult<T>> => {
      const cached = (await this.cache.get(key)) as
        | ArtifactResult<T>
        | undefined;
      if (cached) {
        return cached;
      }
      const { octokit } = await this.clients.forRepo(ref);
      let zip: ArrayBuffer;
      try {
        // GitHub answers with a redirect to a short-lived storage URL; fetch follows it and
        // drops the Authorization header on the way (another origin).
        const response = await octokit.request(
          'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
          {
            owner: ref.owner,
            repo: ref.repo,
            artifact_id: id,
            archive_format: 'zip',
          },
        );
        zip = response.data as ArrayBuffer;
      } catch (error) {
        throw mapGithubError(error, {
          operation: `download the ${spec.what} artifact ${id} of ${ref.owner}/${ref.repo}`,
          permission: 'actions: read',
          host: ref.host,
        });
      }
      const result = readJsonArtifact(new Uint8Array(zip), spec);
      if (!result.ok) {
        this.logger.info(
          `The ${spec.artifactName} artifact ${id} of ${ref.owner}/${ref.repo} is unusable: ${result.reason}`,
        );
      }
      await this.cache
        .set(key, result as unknown as JsonValue, { ttl: ARTIFACT_TTL_MS })
        .catch(e =>
          this.logger.warn(`Failed to cache a ${spec.what} artifact: ${e}`),
        );
      return result;
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, load);
    return load;
  }
}
