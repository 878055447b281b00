// A read-only npm registry for one scope, on a loopback port, serving the tarballs that
// `yarn pack` made, so the fresh app's `yarn add @cicd-aws/...` (the READMEs' command, without a
// version) resolves them exactly as it would resolve a published release: packument, `latest`
// dist-tag, tarball URL and integrity. Every other name answers 404; the fresh app reaches the
// real registry for everything outside the scope (yarn's `npmScopes`).
//
// startRegistry() -> { url, publish(tarballs), close() }: until publish(paths of `yarn pack`
// tarballs) every name answers 404; the URL is known first, so the app can be configured (and
// installed) while the packages are still being built.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

export async function startRegistry() {
  const files = new Map(); // tarball file name -> bytes
  const packuments = new Map(); // package name -> packument (without tarball URLs' origin)
  const publish = tarballs => {
    const published = new Date().toISOString(); // honest: the packages were packed just now
    for (const path of tarballs) {
      const bytes = readFileSync(path);
      const manifest = JSON.parse(
        execFileSync('tar', ['-xzOf', path, 'package/package.json'], {
          encoding: 'utf8',
        }),
      );
      // The conventional npm tarball path, which Yarn asks for before the packument's `tarball`.
      const file = `${manifest.name}/-/${manifest.name.split('/').pop()}-${
        manifest.version
      }.tgz`;
      files.set(file, bytes);
      packuments.set(manifest.name, {
        name: manifest.name,
        'dist-tags': { latest: manifest.version },
        time: {
          created: published,
          modified: published,
          [manifest.version]: published,
        },
        versions: {
          [manifest.version]: {
            ...manifest,
            _id: `${manifest.name}@${manifest.version}`,
            dist: {
              tarballPath: `/${file}`,
              shasum: createHash('sha1').update(bytes).digest('hex'),
              integrity: `sha512-${createHash('sha512')
                .update(bytes)
                .digest('base64')}`,
            },
          },
        },
      });
    }
    return [...packuments.keys()];
  };

  let origin = '';
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (process.env.INSTALL_TEST_REGISTRY_LOG)
      console.error(req.method, req.url);
    if (files.has(path.slice(1))) {
      const bytes = files.get(path.slice(1));
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': bytes.length,
      });
      res.end(bytes);
      return;
    }
    const packument = packuments.get(path.slice(1));
    if (!packument) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Not found' }));
      return;
    }
    const versions = Object.fromEntries(
      Object.entries(packument.versions).map(([v, m]) => {
        const { tarballPath, ...dist } = m.dist;
        return [v, { ...m, dist: { ...dist, tarball: origin + tarballPath } }];
      }),
    );
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...packument, versions }));
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  origin = `http://127.0.0.1:${server.address().port}`;
  return {
    url: origin,
    publish,
    close: () =>
      new Promise(ok => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
