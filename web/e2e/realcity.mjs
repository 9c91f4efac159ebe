#!/usr/bin/env node
// Browser test of the web map on a real city imported from OpenStreetMap.
//
//   node realcity.mjs <server URL> <artefacts dir> [streets|chinese-places]
//
// Opens the map of a city imported with `carecircle import` (web/
// realcity_e2e_test.go imports the example cities), checks the attribution credits
// OpenStreetMap, goes to zoom 16 where the streets are and checks their
// names are drawn (rendered features of the label layer), takes
// screenshots of the first view and of the names, and fails on any request
// to a host other than 127.0.0.1 or any console error.

import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [base, outArg, modeArg] = process.argv.slice(2);
// mode "streets" (the default) looks for street names at zoom 16; mode
// "chinese-places", for an extract that names no road, for Chinese names of
// communities, streets and facilities at zoom 16.
const mode = modeArg || 'streets';
if (!base || !['streets', 'chinese-places'].includes(mode)) {
  console.error('usage: node realcity.mjs <server URL> <artefacts dir> [streets|chinese-places]');
  process.exit(2);
}
const out = resolve(outArg || 'artefacts');
mkdirSync(out, { recursive: true });
const log = (...a) => console.log('realcity:', ...a);
const requests = [];
const consoleErrors = [];
class Failure extends Error {}
const check = (ok, msg) => { if (!ok) throw new Failure(msg); };

async function settled(page, after, timeout = 90000) {
  await page.waitForFunction((n) => {
    const cc = window.cc;
    return cc && cc.map && cc.idle > n && cc.map.loaded() && cc.map.areTilesLoaded();
  }, after, { timeout, polling: 100 });
}

async function main() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'carecircle-realcity-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-angle=swiftshader', '--use-gl=angle', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
    viewport: { width: 1600, height: 1000 },
    locale: 'zh-CN',
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(60000);
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(base, { waitUntil: 'load' });
    await page.waitForFunction(() => window.cc && window.cc.ready === true, null, { timeout: 120000 });
    await settled(page, 0);
    const attribution = await page.textContent('.maplibregl-ctrl-attrib');
    check(/OpenStreetMap/.test(attribution || ''), `the map of OSM data does not credit OpenStreetMap (${JSON.stringify(attribution)})`);
    await page.screenshot({ path: join(out, 'real-1-first-view.png') });

    let n = await page.evaluate(() => window.cc.idle);
    if (mode === 'chinese-places') {
      await page.evaluate(() => { const b = window.cc.state.city.bbox; window.cc.map.jumpTo({ center: [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2], zoom: 16 }); });
      await settled(page, n);
      const names = await page.evaluate(() => [...new Set(window.cc.map.queryRenderedFeatures({ layers: ['label-communities', 'label-facilities'] }).map((f) => f.properties.name))]);
      log('place names drawn at z16:', JSON.stringify(names));
      check(names.some((s) => /\p{Script=Han}/u.test(s || '')), 'no Chinese place name drawn at zoom 16');
      await page.screenshot({ path: join(out, 'real-2-names-z16.png') });
      finish(names.length);
      return;
    }
    // Named roads come from z12: look at the city's middle at z14, then
    // go to zoom 16 on one of its named streets.
    await page.evaluate(() => { const b = window.cc.state.city.bbox; window.cc.map.jumpTo({ center: [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2], zoom: 14 }); });
    await settled(page, n);
    n = await page.evaluate(() => window.cc.idle);
    const centre = await page.evaluate(() => {
      const m = window.cc.map;
      const roads = m.querySourceFeatures('basemap', { sourceLayer: 'roads' });
      const f = roads.find((x) => x.geometry.type === 'LineString') || roads[0];
      if (!f) return null;
      const c = f.geometry.type === 'LineString' ? f.geometry.coordinates : f.geometry.coordinates[0];
      return c[Math.floor(c.length / 2)];
    });
    check(centre, 'the basemap tiles hold no named roads');
    await page.evaluate((c) => window.cc.map.jumpTo({ center: c, zoom: 16 }), centre);
    await settled(page, n);
    const names = await page.evaluate(() => [...new Set(window.cc.map.queryRenderedFeatures({ layers: ['label-roads'] }).map((f) => f.properties.name))]);
    log(`street names drawn at z16 around ${centre.map((v) => v.toFixed(5)).join(',')}:`, JSON.stringify(names.slice(0, 12)));
    check(names.length > 0, 'no street names drawn at zoom 16');
    await page.screenshot({ path: join(out, 'real-2-names-z16.png') });
    finish(names.length);
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

// finish fails on any request off 127.0.0.1 or console error.
function finish(named) {
  const foreign = requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).hostname !== '127.0.0.1');
  writeFileSync(join(out, 'real-requests.txt'), requests.join('\n') + '\n');
  check(foreign.length === 0, `requests left 127.0.0.1:\n  ${foreign.slice(0, 20).join('\n  ')}`);
  check(consoleErrors.length === 0, `console errors:\n  ${consoleErrors.join('\n  ')}`);
  log(`PASS: ${named} ${mode === 'streets' ? 'street' : 'place'} names at z16; ${requests.length} requests, all to 127.0.0.1`);
}

const guard = setTimeout(() => { console.error('realcity: FAIL: timed out'); process.exit(1); }, 240000);
main().then(() => { clearTimeout(guard); process.exit(0); }, (err) => {
  clearTimeout(guard);
  console.error(`realcity: FAIL: ${err instanceof Failure ? err.message : err.stack || err}`);
  process.exit(1);
});
