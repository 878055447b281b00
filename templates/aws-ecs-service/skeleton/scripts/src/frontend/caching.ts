/**
 * How each file of the frontend build is cached. Vite names bundled assets
 * `assets/<name>-<content hash>.<ext>`: a new build gets new names, so those can be cached for a
 * year; everything else (index.html above all) must be revalidated on every load, or browsers
 * keep an old page that points at assets of an old build.
 */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

const HASHED_ASSET = /^assets\/(?:.*\/)?[^/]+[-.][A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$/;

export function isHashedAsset(key: string): boolean {
  return HASHED_ASSET.test(key);
}

export function cacheControlFor(key: string): string {
  return isHashedAsset(key) ? IMMUTABLE : REVALIDATE;
}

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  map: 'application/json',
  webmanifest: 'application/manifest+json',
  txt: 'text/plain; charset=utf-8',
  xml: 'application/xml',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  wasm: 'application/wasm',
};

export function contentTypeFor(key: string): string {
  const extension = key.split('.').pop()?.toLowerCase() ?? '';
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

/**
 * Upload order: hashed assets first, then other files, `index.html` files last, so a visitor
 * never gets a page that references an asset not uploaded yet.
 */
export function uploadOrder(keys: string[]): string[] {
  const rank = (key: string) => (isHashedAsset(key) ? 0 : key.endsWith('index.html') ? 2 : 1);
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

// CloudFront charges per path beyond 1,000 a month and accepts wildcards; past this many paths one
// wildcard is cheaper and simpler.
const MAX_EXPLICIT_PATHS = 15;

/**
 * Paths to invalidate: only files that keep their name across builds (hashed assets are new
 * objects). `index.html` at the root is also served as `/`.
 */
export function invalidationPaths(keys: string[]): string[] {
  const paths = keys.filter(k => !isHashedAsset(k)).map(k => `/${k}`);
  if (keys.includes('index.html')) paths.push('/');
  if (paths.length > MAX_EXPLICIT_PATHS) return ['/*'];
  return paths.sort();
}
