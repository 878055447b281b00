import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

/** Git must never wait for a terminal or read the user's own configuration. */
const GIT_ENV = {
  ...process.env,
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** Commands on a bare repository are short; anything slower than this is a hung git. */
const GIT_TIMEOUT_MS = 60_000;

export class GitError extends Error {}

/** Where a CGI answer's headers end (CRLF or LF line ends), and the separator's length. */
function headerEnd(head: Buffer): { at: number; len: number } | undefined {
  const crlf = head.indexOf('\r\n\r\n');
  const lf = head.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, len: 4 };
  return lf >= 0 ? { at: lf, len: 2 } : undefined;
}

async function git(
  args: string[],
  cwd: string,
  stdin?: Buffer,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: GIT_ENV,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: GIT_TIMEOUT_MS,
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString()).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', code =>
      code === 0
        ? resolve(Buffer.concat(out))
        : reject(new GitError(`git ${args[0]} exited ${code}: ${err.trim()}`)),
    );
    child.stdin.end(stdin);
  });
}

/** One entry of `git ls-tree`, in the shape GitHub's trees API needs. */
export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size?: number;
  path: string;
}

/**
 * Bare repositories on disk, served over git's smart HTTP protocol by the machine's own
 * `git http-backend` (run per request as CGI) and read with git's plumbing commands. Nothing
 * here speaks the git protocol itself.
 */
export class GitHost {
  constructor(readonly root: string) {}

  private dir(slug: string): string {
    return join(this.root, `${slug}.git`);
  }

  /** A new empty repository whose HEAD names `defaultBranch`, accepting authenticated pushes. */
  async create(slug: string, defaultBranch: string): Promise<void> {
    const dir = this.dir(slug);
    await mkdir(dir, { recursive: true });
    await git(['init', '--bare', `--initial-branch=${defaultBranch}`], dir);
    // Without it http-backend refuses pushes from any user it cannot see as authenticated.
    await git(['config', 'http.receivepack', 'true'], dir);
  }

  /**
   * The commit (or, with `peel: 'tree'`, the tree) a ref (branch, tag or sha) names, or
   * undefined (also for an empty repository).
   */
  async resolve(
    slug: string,
    ref: string,
    peel: 'commit' | 'tree' = 'commit',
  ): Promise<string | undefined> {
    if (!/^[\w./-]+$/.test(ref) || ref.startsWith('-')) return undefined;
    try {
      const out = await git(
        ['rev-parse', '--verify', '--quiet', `${ref}^{${peel}}`],
        this.dir(slug),
      );
      return out.toString().trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /** The bytes of `path` at `commit`, or undefined when it is not a file there. */
  async file(
    slug: string,
    commit: string,
    path: string,
  ): Promise<{ content: Buffer; sha: string } | undefined> {
    const spec = `${commit}:${path.replace(/^\/+/, '')}`;
    const dir = this.dir(slug);
    try {
      const type = (await git(['cat-file', '-t', spec], dir)).toString().trim();
      if (type !== 'blob') return undefined;
      const sha = (await git(['rev-parse', spec], dir)).toString().trim();
      return { content: await git(['cat-file', 'blob', sha], dir), sha };
    } catch {
      return undefined;
    }
  }

  /** The entries of a tree (recursively: every blob and tree below it). */
  async tree(
    slug: string,
    treeish: string,
    recursive: boolean,
  ): Promise<TreeEntry[] | undefined> {
    try {
      const out = await git(
        ['ls-tree', '-l', '-z', ...(recursive ? ['-r', '-t'] : []), treeish],
        this.dir(slug),
      );
      return out
        .toString()
        .split('\0')
        .filter(Boolean)
        .map(line => {
          const [meta, path] = line.split('\t');
          const [mode, type, sha, size] = meta.split(/\s+/);
          return {
            mode,
            type: type as TreeEntry['type'],
            sha,
            size: size === '-' ? undefined : Number(size),
            path,
          };
        });
    } catch {
      return undefined;
    }
  }

  /** A blob by its sha. */
  async blob(slug: string, sha: string): Promise<Buffer | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    return git(['cat-file', 'blob', sha], this.dir(slug)).catch(
      () => undefined,
    );
  }

  /** A gzipped tarball of `commit` under one top folder, as GitHub's tarball endpoint has it. */
  async tarball(slug: string, commit: string, prefix: string): Promise<Buffer> {
    return git(
      ['archive', '--format=tar.gz', `--prefix=${prefix}/`, commit],
      this.dir(slug),
    );
  }

  /**
   * Answers one smart-HTTP request (`/<owner>/<repo>.git/info/refs`, `git-upload-pack`,
   * `git-receive-pack`) with `git http-backend`: the request body goes to its stdin, its CGI
   * answer (headers, a blank line, the body) back to the client.
   */
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    pathInfo: string,
    query: string,
    remoteUser: string,
  ): void {
    const child = spawn('git', ['http-backend'], {
      env: {
        ...GIT_ENV,
        GIT_PROJECT_ROOT: this.root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: pathInfo,
        REQUEST_METHOD: req.method ?? 'GET',
        QUERY_STRING: query,
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        // Pushes arrive gzip-encoded; http-backend inflates them itself when told.
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: remoteUser,
        REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 5 * GIT_TIMEOUT_MS,
    });
    req.pipe(child.stdin);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-2000);
    });
    let head = Buffer.alloc(0);
    let headersSent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const split = headerEnd(head);
      if (!split) return;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, split.at).toString().split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      headersSent = true;
      res.write(head.subarray(split.at + split.len));
    });
    child.on('close', code => {
      if (!headersSent) {
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`git http-backend exited ${code}: ${stderr}`);
        return;
      }
      res.end();
    });
    child.on('error', error => {
      if (!headersSent) res.writeHead(500).end(String(error));
    });
  }
}
