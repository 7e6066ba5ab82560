#!/usr/bin/env node
// One page run for scripts/bench.py: inspects FILE in headless Chromium with WORKERS layer
// workers (`?workers=N`) and prints one JSON line: seconds from the drop to the settled
// report, the time until the layer table showed, the verdict, and the peak WebAssembly
// memory of the largest worker (MiB).
//   node scripts/bench-page.mjs FILE WORKERS
import path from 'node:path';
import * as H from '../tests/browser/lib/harness.mjs';

const [file, workers = '1'] = process.argv.slice(2);
const tmp = H.tmpDir('bench');
const server = await H.startServer();
const { ctx, requests } = await H.launch(tmp);
try {
  const page = await H.newPage(ctx);
  await page.goto(`${server.base}?workers=${Number(workers)}`);
  const t0 = Date.now();
  await page.setInputFiles('input[type=file]', file);
  // Time to first result: the layer table, shown as soon as the manifests are read.
  await page.waitForSelector('#plan table.plan tbody tr, body[data-state=done], body[data-state=error]', { timeout: 60 * 60 * 1000 });
  const firstMs = Date.now() - t0;
  const { state, verdict } = await H.waitSettled(page, 60 * 60 * 1000);
  const seconds = (Date.now() - t0) / 1000;
  const run = await page.textContent('[data-fact=run]').catch(() => '');
  const mem = Number((run.match(/(\d+) MiB/) || [])[1]) || null;
  const foreign = H.foreignRequests(requests, [server.base]);
  console.log(JSON.stringify({ file: path.basename(file), workers: Number(workers), state, verdict, seconds, first_result_ms: firstMs, wasm_memory_mib: mem, run, foreign: foreign.length }));
} finally {
  await ctx.close();
  await server.close();
}
