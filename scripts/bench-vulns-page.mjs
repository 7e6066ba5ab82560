// Benchmark (not a test) of vulnerability matching in the page, in Debian's Chromium: the
// database and the image scripts/bench-vulns.py wrote (default: 100,000 records generated
// from ../shared/osv, 1,000 Python packages). Prints, the median of BENCH_REPEATS runs
// (default 3):
// - reading the database into its index (choosing the files → body[data-vulndb=ready]);
// - inspecting the image with the database ready (drop → done) and without one;
// - an image open before the database: database ready → the first row of the view;
// - the WebAssembly memory of the inspection's worker with and without the database.
//
// Usage: node scripts/bench-vulns-page.mjs [DB.zip IMAGE.tar]   (after make web)
import path from 'node:path';
import * as H from '../tests/browser/lib/harness.mjs';

const dir = process.env.BENCH_DIR || '/tmp/porthole-bench-vulns';
const db = process.argv[2] || path.join(dir, 'db-100000.zip');
const image = process.argv[3] || path.join(dir, 'image-1000-of-100000.tar');
const repeats = Number(process.env.BENCH_REPEATS || 3);

const server = await H.startServer();
const tmp = H.tmpDir('bench-vulns');
const browser = await H.launch(tmp);

async function page() {
  const p = await H.newPage(browser.ctx);
  await p.goto(server.base);
  await p.waitForSelector('body[data-engine=ready]');
  return p;
}

/** The inspection worker's WebAssembly memory the Overview shows ("WebAssembly memory 24 MiB"), in bytes. */
async function wasmMemory(p) {
  const m = (await p.textContent('[data-fact=run]')).match(/WebAssembly memory (\d+) MiB/);
  return m ? Number(m[1]) * 2 ** 20 : NaN;
}

const ms = async (f) => { const t = performance.now(); await f(); return performance.now() - t; };
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = { load: [], withDb: [], without: [], firstRow: [], memWith: [], memWithout: [], matches: 0 };

for (let i = 0; i < repeats; i++) {
  let p = await page();
  runs.load.push(await ms(async () => {
    await p.setInputFiles('input[data-input=vulndb]', db);
    await p.waitForSelector('body[data-vulndb=ready]', { timeout: 600000 });
  }));
  runs.withDb.push(await ms(async () => {
    await p.setInputFiles('input[type=file]', image);
    await H.waitSettled(p, 600000);
  }));
  runs.memWith.push(await wasmMemory(p));
  runs.matches = H.firstInt(await p.textContent('#tab-vulnerabilities'));
  await p.close();

  p = await page();
  runs.without.push(await ms(async () => {
    await p.setInputFiles('input[type=file]', image);
    await H.waitSettled(p, 600000);
  }));
  runs.memWithout.push(await wasmMemory(p));
  await p.click('#tab-vulnerabilities');
  await p.setInputFiles('input[data-input=vulndb]', db);
  await p.waitForSelector('body[data-vulndb=ready]', { timeout: 600000 });
  runs.firstRow.push(await ms(() => p.waitForSelector('#view-vulnerabilities tbody tr', { timeout: 600000 })));
  await p.close();
}

const s = (x) => `${(median(x) / 1000).toFixed(2)} s`;
const mib = (x) => `${(median(x) / 2 ** 20).toFixed(0)} MiB`;
console.log(`database ${path.basename(db)}, image ${path.basename(image)} (${runs.matches} matches), ${repeats} runs`);
console.log(`reading the database into its index: ${s(runs.load)}`);
console.log(`inspecting the image with the database: ${s(runs.withDb)}; without: ${s(runs.without)}`);
console.log(`database ready → first row of the view (image already open): ${s(runs.firstRow)}`);
console.log(`inspection worker's WebAssembly memory: ${mib(runs.memWith)} with the database, ${mib(runs.memWithout)} without`);
await browser.ctx.close();
await server.close();
