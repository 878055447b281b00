import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { wholePathChecks } from './wholePath.mjs';
const ctx = await chromium.launchPersistentContext(mkdtempSync('/tmp/chr-'), { executablePath: '/usr/bin/chromium', viewport: { width: 1280, height: 1000 }, args: ['--headless','--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = await ctx.newPage();
page.setDefaultTimeout(30000);
const visit = async path => {
  await page.goto(`http://localhost:3000${path}`, { timeout: 120_000 });
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.or(page.getByRole('link', { name: 'Catalog' })).first().waitFor({ timeout: 180_000 });
  if (await enter.isVisible()) await enter.click();
  await enter.waitFor({ state: 'hidden' });
};
const check = async (name, fn, p) => { try { await fn(); console.log('ok', name); } catch (e) { console.log('FAIL', name, e.message.split('\n').slice(0,3).join(' | ')); await page.screenshot({ path: '/tmp/shots/fail.png', fullPage: true }); } };
const api = 'http://localhost:7007/api';
const { backstageIdentity } = await (await fetch(`${api}/auth/guest/refresh`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).json();
const state = async name => (await fetch(`${api}/delivery/v1/entities/default/component/${name}/ecs`, { headers: { Authorization: `Bearer ${backstageIdentity.token}` } })).json();
await wholePathChecks({ page, visit, check, repoRoot: '/work/main', env: {}, ecsState: state, artifacts: '/tmp/shots' });
await ctx.close();
