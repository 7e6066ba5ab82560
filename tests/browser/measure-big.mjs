#!/usr/bin/env node
// Manual benchmark, not a test: inspects big images in the page (real Chromium) and prints how
// long it took, the throughput and the peak WebAssembly memory (memory_bytes() after the
// inspection: wasm memory never shrinks, so this is the high-water mark).
//
//   node tests/browser/measure-big.mjs [SIZE_MB ...]        default: 180 2048
//   node tests/browser/measure-big.mjs FILE.tar ...          existing images
//
// A number generates `porthole-fixture big OUT SIZE_MB` first (SIZE_MB of uncompressed files in
// one gzip layer, about 2/3 of that on disk; 2048 takes a minute or two), in a temp dir that
// is removed afterwards. Needs `make cli fixture-bin web`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';

const args = process.argv.slice(2);
const targets = args.length ? args : ['180', '2048'];
const tmp = H.tmpDir('measure');
const server = await H.startServer();
const { ctx, requests } = await H.launch(tmp);
try {
  for (const t of targets) {
    let file = t;
    if (/^\d+$/.test(t)) {
      file = path.join(tmp, `big-${t}.tar`);
      process.stderr.write(`generating ${file} (${t} MB uncompressed)…\n`);
      execFileSync(H.fixtureBin, ['big', file, t], { stdio: ['ignore', 'ignore', 'inherit'] });
    }
    const size = fs.statSync(file).size;
    const page = await H.newPage(ctx);
    await page.goto(server.base);
    // Dropped as a user does, on a page open for a moment: its worker for the next file is ready.
    await page.waitForSelector('body[data-engine=ready]');
    const t0 = Date.now();
    await page.setInputFiles('input[type=file]', file);
    const { state, verdict } = await H.waitSettled(page, 30 * 60 * 1000);
    const wall = (Date.now() - t0) / 1000;
    const run = await page.textContent('[data-fact=run]').catch(() => '');
    const mem = Number((run.match(/WebAssembly memory (\d+) MiB/) || [])[1]);
    const inner = Number((run.match(/in ([\d.]+) s/) || [])[1]);
    console.log(JSON.stringify({
      file: path.basename(file), bytes: size, state, verdict,
      seconds_page: Number(wall.toFixed(2)), seconds_worker: inner,
      mb_per_s: Number((size / 1e6 / wall).toFixed(1)), wasm_memory_mib: mem,
    }));
    await page.close();
    if (file.startsWith(tmp)) fs.rmSync(file);
  }
  const foreign = H.foreignRequests(requests, [server.base]);
  if (foreign.length) console.log('FOREIGN REQUESTS', foreign);
} finally {
  await ctx.close();
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
