#!/usr/bin/env node
// One page run for scripts/bench.py: inspects FILE in headless Chromium with WORKERS layer
// workers (`?workers=N`) and prints one JSON line: seconds from the drop to the settled
// report (measured in the page, from the file input's change event to body[data-state]
// turning done; seconds_wall adds playwright's file handover and polling, seen from here),
// the time until the layer table showed (time to first result), the verdict, and the peak
// WebAssembly memory of the largest worker (MiB).
//
// As a user does, the file is dropped on a page that has been open for a moment: the run waits
// until the page says its engine is ready (body[data-engine=ready]: the worker kept warm for
// the next file has its wasm compiled and instantiated) before it hands over the file.
// first_result_ms is measured in the page, from the file input's change event (what a drop or
// the file picker delivers) to the first animation frame after the layer table's first row was
// added; first_result_wall_ms is the same seen from here, from before playwright hands the file
// to the page until it sees the row (it adds playwright's own file handover and polling, tens to
// hundreds of milliseconds that a user's drop does not have).
//
// --at-load: the file is handed over as soon as the page's load event has fired, not once its
// engine is ready (a user who opens the page and drops at once). --inflate=wasm: the page is
// made to inflate gzip in WebAssembly (`?inflate=wasm`), not with the browser's inflater.
//   node scripts/bench-page.mjs FILE WORKERS [--at-load] [--inflate=wasm]
import path from 'node:path';
import * as H from '../tests/browser/lib/harness.mjs';

const args = process.argv.slice(2);
const [file, workers = '1'] = args.filter((a) => !a.startsWith('--'));
const atLoad = args.includes('--at-load');
const inflate = args.find((a) => a.startsWith('--inflate='))?.slice('--inflate='.length);
const tmp = H.tmpDir('bench');
const server = await H.startServer();
const { ctx, requests } = await H.launch(tmp);
try {
  const page = await H.newPage(ctx);
  await page.goto(`${server.base}?workers=${Number(workers)}${inflate ? `&inflate=${inflate}` : ''}`, { waitUntil: 'load' });
  if (!atLoad) await page.waitForSelector('body[data-engine=ready]', { timeout: 60 * 1000 });
  // In-page clocks: when the file arrived, and the frame after the layer table's first row.
  await page.evaluate(() => {
    const t = (window.__bench = {});
    document.querySelector('input[type=file]').addEventListener('change', (e) => { t.drop = e.timeStamp; }, { capture: true });
    const seen = () => {
      if (!t.settled && ['done', 'error'].includes(document.body.dataset.state)) t.settled = performance.now();
      if (t.table || !document.querySelector('#plan table.plan tbody tr, body[data-state=done], body[data-state=error]')) return;
      t.table = performance.now();
      requestAnimationFrame((frame) => { t.frame = frame; });
    };
    new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  });
  const t0 = Date.now();
  await page.setInputFiles('input[type=file]', file);
  // Time to first result: the layer table, shown as soon as the manifests are read.
  await page.waitForSelector('#plan table.plan tbody tr, body[data-state=done], body[data-state=error]', { timeout: 60 * 60 * 1000 });
  const firstWallMs = Date.now() - t0;
  const { state, verdict } = await H.waitSettled(page, 60 * 60 * 1000);
  const wallSeconds = (Date.now() - t0) / 1000;
  const t = await page.evaluate(() => window.__bench);
  const seconds = Number(((t.settled - t.drop) / 1000).toFixed(3));
  const firstMs = Math.round((t.frame ?? t.table) - t.drop);
  const run = await page.textContent('[data-fact=run]').catch(() => '');
  // The largest of the workers' figures ("WebAssembly memory N MiB (largest layer worker M MiB)").
  const mem = Math.max(0, ...[...run.matchAll(/(\d+) MiB/g)].map((m) => Number(m[1]))) || null;
  const foreign = H.foreignRequests(requests, [server.base]);
  console.log(JSON.stringify({
    file: path.basename(file), workers: Number(workers), state, verdict, seconds, seconds_wall: wallSeconds,
    first_result_ms: firstMs, first_result_wall_ms: firstWallMs, wasm_memory_mib: mem, run, foreign: foreign.length,
  }));
} finally {
  await ctx.close();
  await server.close();
}
