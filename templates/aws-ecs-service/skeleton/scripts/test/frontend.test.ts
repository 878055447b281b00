import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IMMUTABLE,
  REVALIDATE,
  cacheControlFor,
  contentTypeFor,
  invalidationPaths,
  uploadOrder,
} from '../src/frontend/caching.ts';

describe('frontend caching', () => {
  it('caches Vite\'s content-hashed assets for a year and revalidates everything else', () => {
    assert.equal(cacheControlFor('assets/index-BQ3x9kLm.js'), IMMUTABLE);
    assert.equal(cacheControlFor('assets/logo-a1b2c3d4.svg'), IMMUTABLE);
    assert.equal(cacheControlFor('index.html'), REVALIDATE);
    assert.equal(cacheControlFor('favicon.ico'), REVALIDATE);
    // Not under assets/, or no hash: the name is reused by the next build.
    assert.equal(cacheControlFor('robots.txt'), REVALIDATE);
    assert.equal(cacheControlFor('assets/app.js'), REVALIDATE);
  });

  it('serves HTML, scripts and styles with their types', () => {
    assert.equal(contentTypeFor('index.html'), 'text/html; charset=utf-8');
    assert.equal(contentTypeFor('assets/index-BQ3x9kLm.js'), 'text/javascript; charset=utf-8');
    assert.equal(contentTypeFor('assets/index-Cx1y2z3w.css'), 'text/css; charset=utf-8');
    assert.equal(contentTypeFor('data.bin'), 'application/octet-stream');
  });

  it('uploads index.html last, after the assets it references', () => {
    assert.deepEqual(uploadOrder(['index.html', 'favicon.ico', 'assets/index-BQ3x9kLm.js']), [
      'assets/index-BQ3x9kLm.js',
      'favicon.ico',
      'index.html',
    ]);
  });

  it('invalidates only files that keep their names, and / for the root page', () => {
    assert.deepEqual(invalidationPaths(['assets/index-BQ3x9kLm.js', 'favicon.ico', 'index.html']), ['/', '/favicon.ico', '/index.html']);
    const many = Array.from({ length: 20 }, (_, i) => `page${i}.html`);
    assert.deepEqual(invalidationPaths(many), ['/*']);
  });
});
