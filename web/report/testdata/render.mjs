#!/usr/bin/env node
// Opens a printable report in headless Chromium and tells what a reader
// would see:
//
//   node render.mjs <playwright-core dir> <chromium> <report.html> <screenshot.png>
//
// Records every request the page makes (a self-contained report makes none
// but for its own file), takes a full-page screenshot, counts the maps and
// charts drawn, and asks Chromium (CSS.getPlatformFontsForNode) which
// installed fonts draw the Chinese text, so tofu boxes cannot pass. Prints
// one JSON object.

import { pathToFileURL } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [pwDir, executablePath, file, png] = process.argv.slice(2);
if (!png) {
  console.error('usage: node render.mjs <playwright-core dir> <chromium> <report.html> <screenshot.png>');
  process.exit(2);
}
const { chromium } = await import(pathToFileURL(join(resolve(pwDir), 'index.mjs')).href);
const profile = mkdtempSync(join(tmpdir(), 'carecircle-report-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 900, height: 1200 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = context.pages()[0] || await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'load' });
  await page.screenshot({ path: png, fullPage: true });
  const info = await page.evaluate(() => ({
    title: document.title,
    h1: document.querySelector('h1')?.textContent || '',
    maps: document.querySelectorAll('svg.map').length,
    charts: document.querySelectorAll('svg.chart').length,
    regionPaths: document.querySelectorAll('svg.map g[fill-rule] path').length,
    facilitySymbols: document.querySelectorAll('svg.map g.facilities > g').length,
    uncoveredCells: document.querySelectorAll('svg.map g.uncovered path').length,
    bars: document.querySelectorAll('svg.chart rect').length,
    mapSizes: [...document.querySelectorAll('svg.map')].map((s) => {
      const r = s.getBoundingClientRect();
      return [Math.round(r.width), Math.round(r.height)];
    }),
    height: document.documentElement.scrollHeight,
  }));
  // What the page loaded by itself; the font check below is the test's
  // own doing (CSS.enable makes Chromium re-read the file for the source
  // of its inline styles, refused for file: URLs), so it is not counted.
  const pageRequests = [...requests];
  const pageErrors = [...consoleErrors];
  const cdp = await context.newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const fonts = {};
  for (const sel of ['h1', 'h2', 'p.para', 'td.name', 'svg.map text']) {
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: sel });
    if (!nodeId) continue;
    const { fonts: used } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    fonts[sel] = used.map((f) => ({ family: f.familyName, glyphs: f.glyphCount }));
  }
  console.log(JSON.stringify({ requests: pageRequests, consoleErrors: pageErrors, info, fonts }));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
