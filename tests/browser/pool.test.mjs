// The pool of layer workers (issue #7) and the limits in the page (issue #8), in real Chromium:
// a tarball with several layers is read by layer workers (each its own wasm instance, made from
// the module the coordinator compiled, reading the same File), ?workers=N sets their number
// (1: none), a layer bigger than all the others together (a one-layer image too) is split
// between two workers, the layer workers are started with the coordinator, before any file
// (as many as the setting says; a file that needs fewer ends the others), the exported report is
// byte for byte the CLI's either way, progress adds
// the workers' bytes up to the file size, Cancel ends every worker, the Settings panel's limits
// reach the core (and the layer workers) exactly as the CLI's --limit does, and the single-file
// build runs the pool from file:// too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as H from './lib/harness.mjs';
import crypto from 'node:crypto';
import { dockerArchive, dockerArchiveOf, tamper, tar } from './lib/images.mjs';

const tmp = H.tmpDir('pool');
let server;
let browser;
let big; // several big gzip layers: long enough to watch the pool and to cancel it
let oneGzip; // one gzip layer of ~40 MB: split between two workers
let oneZstd; // the same in zstd
const single = path.join(tmp, 'porthole.html');
const singleUrl = pathToFileURL(single).href;

before(async () => {
  server = await H.startServer();
  browser = await H.launch(tmp);
  big = path.join(tmp, 'big.tar');
  execFileSync(H.fixtureBin, ['big', big, '160', '6', 'gzip']);
  oneGzip = path.join(tmp, 'one-gzip.tar');
  execFileSync(H.fixtureBin, ['big', oneGzip, '60', '1', 'gzip']);
  oneZstd = path.join(tmp, 'one-zstd.tar');
  execFileSync(H.fixtureBin, ['big', oneZstd, '60', '1', 'zstd']);
  execFileSync(process.execPath, [path.join(H.www, 'tools/build-single.mjs'), single]);
});

after(async () => {
  await browser?.ctx.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A page at `query` (`?workers=3`) whose workers are recorded from the start, once the
 *  coordinator kept warm for the next file is ready: { page, workers: [{ w, url, closed }] }. */
async function openPage(query = '', url = server.base) {
  const page = await H.newPage(browser.ctx);
  const workers = [];
  page.on('worker', (w) => workers.push({ w, url: w.url(), closed: new Promise((r) => w.on('close', r)) }));
  await page.goto(url + query);
  await page.waitForSelector('body[data-engine=ready]');
  return { page, workers };
}

const isLayerWorker = (w) => w.url.endsWith('/layer-worker.js');

/** The coordinators of a page with one file opened: the one started with the page, which read
 *  the file, and the one started for the next file once the layer table showed (ready). */
async function coordinators(page, workers) {
  await page.waitForSelector('body[data-engine=ready]');
  const [reader, next, ...more] = workers.filter((w) => !isLayerWorker(w));
  assert.deepEqual(more, [], 'one coordinator for the file and one for the next');
  return { reader, next };
}

/** The layer workers of `workers` ({ w, url, closed }) so far: call it once the file's run has
 *  settled, before the next file's coordinator could start its own. */
const layerWorkersSoFar = (workers) => workers.filter(isLayerWorker);

/** Once the next file's coordinator is ready: the layer workers it started ahead of the next
 *  file (`n` of them, none for n = 1), the only layer workers left alive. `own` are the file's;
 *  its coordinator is left too unless `cancelled`. Returns { reader, next (the coordinators),
 *  ahead }. */
async function nextFileLayerWorkers(page, workers, own, n, cancelled = false) {
  const { reader, next } = await coordinators(page, workers);
  const ahead = () => workers.filter((w) => isLayerWorker(w) && !own.includes(w));
  // Playwright hears of nested workers a moment after they start.
  for (let i = 0; i < 100 && ahead().length < (n > 1 ? n : 0); i++) await page.waitForTimeout(20);
  await Promise.all(own.map((w) => w.closed));
  assert.equal(ahead().length, n > 1 ? n : 0, 'the next file\'s coordinator starts its layer workers ahead');
  const left = [...(cancelled ? [] : [reader.w]), next.w, ...ahead().map((w) => w.w)];
  assert.deepEqual(new Set(page.workers()), new Set(left), 'only the coordinators and the next file\'s layer workers are left');
  return { reader, next, ahead: ahead() };
}

/** The layer blobs of a CLI report (by digest, with their sizes) and the pool's tasks for them:
 *  { jobs, tasks (jobs, and one more when the largest is bigger than all the others together:
 *  it is read in two halves), dominant (that blob's digest, or null) }. */
function poolPlan(report) {
  const sizes = new Map(report.images.flatMap((i) => i.layers.map((l) => [l.digest, l.size])));
  const sorted = [...sizes].sort((a, b) => b[1] - a[1]);
  const rest = sorted.slice(1).reduce((a, [, n]) => a + n, 0);
  const dominant = sorted.length && sorted[0][1] > rest ? sorted[0][0] : null;
  return { jobs: sizes.size, tasks: sizes.size + (dominant ? 1 : 0), dominant };
}

/** `[data-fact=run] [data-workers]`: the layer workers that read the layers (1: none). */
async function workersUsed(page) {
  return Number(await page.getAttribute('[data-fact=run] [data-workers]', 'data-workers'));
}

async function assertExportEquals(page, want, label) {
  const got = await H.download(page, '[data-action="download-json"]');
  assert.equal(got.bytes.toString(), want.text, `${label}: byte for byte the CLI's report`);
}

test('several layers: ?workers=3 reads them in layer workers, ?workers=1 in none; the export is the CLI\'s either way', async () => {
  const files = ['oci', 'docker', 'docker25', 'multiplatform', 'packages', 'crane', 'docker-symlinks'].map((k) => H.fixture(tmp, k));
  // Two images in one archive: the pool takes the layers of both.
  const two = path.join(tmp, 'two-images.tar');
  const layer = (name, text) => tar([{ name: 'etc/', type: '5', mode: 0o755 }, { name, data: text }]);
  fs.writeFileSync(two, dockerArchiveOf([
    { layers: [layer('etc/a', 'a\n'), layer('etc/b', 'b\n')], tag: 'example.com/one:1' },
    { layers: [layer('etc/c', 'c\n'), layer('etc/d', 'dd\n'), layer('etc/e', 'eee\n')], tag: 'example.com/two:1' },
  ]));
  // One layer of zeros: a chunk of it inflates too much to be relayed, so the partner of the
  // relaying worker reads the layer itself.
  const zerosDir = path.join(tmp, 'zeros-dir');
  fs.mkdirSync(zerosDir, { recursive: true });
  fs.writeFileSync(path.join(zerosDir, 'zeros'), Buffer.alloc(48 << 20));
  fs.writeFileSync(path.join(zerosDir, 'note.txt'), 'zeros\n');
  const zeros = path.join(tmp, 'zeros.tar');
  execFileSync(H.fixtureBin, ['dir', zeros, zerosDir]);
  files.push(two, big, zeros);
  for (const file of files) {
    const want = H.cli(file);
    const { jobs, tasks, dominant } = poolPlan(want.json);
    for (const n of [3, 1]) {
      const label = `${path.basename(file)} ?workers=${n}`;
      const { page, workers } = await openPage(`?workers=${n}`);
      await page.setInputFiles('input[type=file]', file);
      const { state, verdict } = await H.waitSettled(page);
      const own = layerWorkersSoFar(workers);
      assert.equal(state, 'done', label);
      assert.equal(verdict, 'verified', label);
      await assertExportEquals(page, want, label);
      // Started ahead, before the file: as many as ?workers says (1: none), whatever it needs.
      assert.equal(own.length, n > 1 ? n : 0, `${label}: the layer workers started with the page`);
      const run = await page.textContent('[data-fact=run]');
      if (n > 1 && tasks > 1) {
        const used = Math.min(n, tasks);
        assert.equal(await workersUsed(page), used, `${label}: one layer worker per task (${jobs} jobs, ${tasks} tasks), at most ${n}`);
        assert.match(run, new RegExp(`layers read by ${used} workers in parallel${dominant ? ' \\(layer \\d+ split between 2 workers\\)' : ''}, WebAssembly memory \\d+ MiB \\(largest layer worker \\d+ MiB\\)`), label);
        if (dominant) {
          const index = want.json.images[0].layers.find((l) => l.digest === dominant)?.index;
          if (index != null) assert.equal(await page.getAttribute('[data-fact=run] [data-split-layer]', 'data-split-layer'), String(index), `${label}: the split layer named`);
        }
        assert.ok(Number(await page.getAttribute('[data-fact=run] [data-layer-memory]', 'data-layer-memory')) >= 65536, label);
      } else {
        assert.equal(await workersUsed(page), 1, `${label}: no layer worker read`);
        assert.match(run, /read by 1 worker, WebAssembly memory \d+ MiB(, \d+ gzip layers? inflated by the browser)?, porthole /, label);
      }
      // The pool is gone once the report is made; the coordinator stays for the Files view,
      // next to the one waiting for the next file, with its own layer workers.
      const { ahead } = await nextFileLayerWorkers(page, workers, own, n);
      assert.equal(workers.length, own.length + ahead.length + 2, `${label}: the coordinator, the layer workers and the next file's coordinator and layer workers only`);
      assert.deepEqual(await page.problems(), [], label);
      await page.close();
    }
  }
});

/** Records the progress bar's values and the progress lines of `page`: `seen()` returns them. */
async function watchProgress(page) {
  await page.evaluate(() => {
    const seen = { values: [], maxes: [], lines: [], reading: 0, tableBeforeBytes: null };
    window.__seen = seen;
    const bar = document.getElementById('progress-bar');
    new MutationObserver(() => {
      seen.values.push(Number(bar.getAttribute('value')));
      seen.maxes.push(Number(bar.getAttribute('max')));
      if (seen.tableBeforeBytes == null && Number(bar.getAttribute('value')) > 0) {
        seen.tableBeforeBytes = document.querySelectorAll('#plan tbody tr').length;
      }
    }).observe(bar, { attributes: true, attributeFilter: ['value', 'max'] });
    new MutationObserver(() => {
      seen.lines.push(document.getElementById('progress-layer').textContent);
      seen.reading = Math.max(seen.reading, document.querySelectorAll('#plan tbody tr.reading').length);
    }).observe(document.getElementById('progress'), { childList: true, subtree: true, characterData: true });
  });
  return () => page.evaluate(() => window.__seen);
}

/** The bytes shown never went back, ended at `size` and were shown in between. */
function assertBytes(seen, size, label) {
  assert.ok(seen.values.length > 3, `${label}: several progress updates (${seen.values.length})`);
  assert.ok(seen.values.every((v, i) => i === 0 || v >= seen.values[i - 1]), `${label}: the bytes never go backwards (${seen.values.join(' ')})`);
  assert.equal(seen.values.at(-1), size, `${label}: the bytes reach the file size`);
  assert.ok(seen.maxes.every((m) => m === size), `${label}: out of the file size`);
  assert.ok(seen.values.some((v) => v > 0 && v < size), `${label}: bytes in between were shown`);
}

test('one big layer (gzip, zstd): ?workers=2 splits it between two layer workers, which fetch no wasm; the CLI\'s report', async () => {
  for (const file of [oneGzip, oneZstd]) {
    const label = path.basename(file);
    const want = H.cli(file);
    assert.equal(want.json.images[0].layers.length, 1, label);
    const wasmBefore = browser.requests.filter((u) => u.endsWith('/pkg/porthole_bg.wasm')).length;
    const { page, workers } = await openPage('?workers=2');
    const seen = await watchProgress(page);
    await page.setInputFiles('input[type=file]', file);
    const { state, verdict } = await H.waitSettled(page);
    const own = layerWorkersSoFar(workers);
    assert.equal(state, 'done', label);
    assert.equal(verdict, 'verified', label);
    await assertExportEquals(page, want, label);
    assert.equal(own.length, 2, `${label}: two layer workers`);
    assert.equal(await workersUsed(page), 2, `${label}: both delivered their half`);
    assert.match(await page.textContent('[data-fact=run]'), /layers read by 2 workers in parallel \(layer 0 split between 2 workers\), WebAssembly memory \d+ MiB \(largest layer worker \d+ MiB\)/, label);
    assert.equal(await page.getAttribute('[data-fact=run] [data-split-layer]', 'data-split-layer'), '0', label);
    const s = await seen();
    assertBytes(s, fs.statSync(file).size, label);
    assert.ok(s.lines.some((l) => /^2 layer workers: 0 of 1 layer read, 1 being read, the layer split between 2 workers$/.test(l)), `${label}: the pool's line (${[...new Set(s.lines)].join(' | ')})`);
    // The layer workers instantiate the module the coordinator compiled: the wasm is fetched
    // once by the coordinator (started with the page), and once by the next file's.
    await nextFileLayerWorkers(page, workers, own, 2);
    assert.equal(browser.requests.filter((u) => u.endsWith('/pkg/porthole_bg.wasm')).length - wasmBefore, 2, `${label}: the wasm fetched once per coordinator`);
    assert.deepEqual(await page.problems(), [], label);
    await page.close();
  }
});

test('a dominant layer among small ones: its two halves first, the small layers whole; the CLI\'s report', async () => {
  // A classic docker save (its manifest names layers by path, no digest): small, big, small.
  const file = path.join(tmp, 'dominant.tar');
  const small = (name) => tar([{ name: 'etc/', type: '5', mode: 0o755 }, { name, data: `${name}\n` }]);
  fs.writeFileSync(file, dockerArchive([small('etc/a'), tar([{ name: 'random.bin', data: crypto.randomBytes(6 << 20) }]), small('etc/b')], { tag: 'example.com/dominant:1' }));
  const want = H.cli(file);
  assert.equal(poolPlan(want.json).tasks, 4);
  for (const n of [2, 3, 4]) {
    const label = `dominant ?workers=${n}`;
    const { page, workers } = await openPage(`?workers=${n}`);
    await page.setInputFiles('input[type=file]', file);
    assert.equal((await H.waitSettled(page)).state, 'done', label);
    assert.equal(layerWorkersSoFar(workers).length, n, label);
    await assertExportEquals(page, want, label);
    assert.equal(await workersUsed(page), n, label);
    assert.equal(await page.getAttribute('[data-fact=run] [data-split-layer]', 'data-split-layer'), '1', `${label}: the big layer, known by its size`);
    assert.deepEqual(await page.problems(), [], label);
    await page.close();
  }
});

test('a tampered byte in a layer split between two workers: the mismatch names the layer, as the CLI', async () => {
  const bad = path.join(tmp, 'one-gzip-tampered.tar');
  const digest = H.cli(oneGzip).json.images[0].layers[0].digest;
  fs.writeFileSync(bad, tamper(fs.readFileSync(oneGzip), digest.slice(7)));
  const want = H.cli(bad);
  assert.equal(want.code, 3);
  const { page, workers } = await openPage('?workers=2');
  await page.setInputFiles('input[type=file]', bad);
  const { state, verdict } = await H.waitSettled(page);
  assert.equal(layerWorkersSoFar(workers).length, 2);
  assert.equal(state, 'done');
  assert.equal(verdict, 'mismatch');
  assert.equal(await page.textContent('#verdict .verdict-text'), 'Integrity failure: layer 0 does not match');
  await assertExportEquals(page, want, 'tampered');
  assert.equal(await page.getAttribute('[data-fact=run] [data-split-layer]', 'data-split-layer'), '0', 'both halves delivered');
  await page.click('#tab-layers');
  assert.equal(await page.textContent('[data-layer="0"] h3 .badge'), 'does not match');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('without ?workers: the default pool (cores, at most 4) for a big image (two workers for one big layer), none for a small one', async () => {
  // ~25 MB of layers: pooled when in three layers, not when in one (a split layer needs 32 MiB).
  const three = path.join(tmp, 'three-25MB.tar');
  execFileSync(H.fixtureBin, ['big', three, '24', '3', 'none']);
  const one = path.join(tmp, 'one-25MB.tar');
  execFileSync(H.fixtureBin, ['big', one, '24', '1', 'none']);
  for (const [file, pooled] of [[H.fixture(tmp, 'docker25'), false], [three, true], [one, false], [big, true], [oneGzip, true]]) {
    const label = path.basename(file);
    const { page, workers } = await openPage();
    const cores = await page.evaluate(() => navigator.hardwareConcurrency || 2);
    const want = Math.min(cores, 4, poolPlan(H.cli(file).json).tasks);
    assert.equal(await page.inputValue('#settings input[name=workers]'), String(Math.min(cores, 4)), 'the default is shown');
    await page.setInputFiles('input[type=file]', file);
    assert.equal((await H.waitSettled(page)).state, 'done', label);
    // The default pool is started ahead, whatever the file needs.
    const pool = Math.min(cores, 4);
    assert.equal(layerWorkersSoFar(workers).length, pool > 1 ? pool : 0, `${label}: the layer workers started with the page`);
    if (pooled && want > 1) {
      assert.equal(await workersUsed(page), want, `${label}: ${want} layer workers read`);
    } else {
      assert.equal(await workersUsed(page), 1, `${label}: under 16 MiB of layers (32 MiB for a split layer), one worker reads them`);
    }
    await page.close();
  }
});

test('progress: the layer table first, the pool\'s line, the workers\' bytes added up to the file size', async () => {
  const { page } = await openPage('?workers=3');
  const watched = await watchProgress(page);
  await page.setInputFiles('input[type=file]', big);
  const { state } = await H.waitSettled(page);
  assert.equal(state, 'done');
  const seen = await watched();
  assertBytes(seen, fs.statSync(big).size, 'big');
  assert.equal(seen.tableBeforeBytes, 6, 'the six layers are listed before any byte is counted');
  assert.ok(seen.lines.some((l) => /^3 layer workers: \d of 6 layers read, [1-3] being read$/.test(l)), `the pool's line (${[...new Set(seen.lines)].join(' | ')})`);
  assert.ok(seen.reading >= 2, `several layers are read at once in the table (${seen.reading})`);
  assert.match(await page.textContent('[data-fact=run]'), /^[\d,]+ bytes in [\d.]+ s \([\d.]+ MB\/s\), layers read by 3 workers in parallel/);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

/** After Cancel: the file's coordinator (the one started with the page) and every layer worker
 *  of it are gone, not just hidden; only the coordinator waiting for the next file is left, with
 *  the `n` layer workers it started ahead. */
async function cancelled(page, workers, n) {
  const reader = workers.find((w) => !isLayerWorker(w));
  const own = layerWorkersSoFar(workers);
  await Promise.all([reader, ...own].map((w) => w.closed));
  const { next } = await nextFileLayerWorkers(page, workers, own, n, true);
  assert.notEqual(next.w, reader.w);
}

test('Cancel during a pooled run ends the coordinator and every layer worker', async () => {
  const { page, workers } = await openPage('?workers=3');
  await page.setInputFiles('input[type=file]', big);
  await page.waitForFunction(() => /^3 layer workers: /.test(document.getElementById('progress-layer').textContent)
    && document.getElementById('progress-bar').value > 0);
  assert.equal(workers.filter(isLayerWorker).length, 3);
  await H.shot(page, 'pool-progress');
  await page.click('#cancel');
  await cancelled(page, workers, 3);
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle');
  assert.equal(await page.textContent('#notice'), 'Stopped reading big.tar.');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('Cancel while one layer is split between two workers ends them both and the coordinator', async () => {
  const { page, workers } = await openPage('?workers=2');
  await page.setInputFiles('input[type=file]', oneGzip);
  await page.waitForFunction(() => /^2 layer workers: .*split between 2 workers$/.test(document.getElementById('progress-layer').textContent));
  // Playwright hears of nested workers a moment after they start.
  for (let i = 0; i < 100 && workers.filter(isLayerWorker).length < 2; i++) await page.waitForTimeout(20);
  assert.equal(workers.filter(isLayerWorker).length, 2);
  await page.click('#cancel');
  await cancelled(page, workers, 2);
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle');
  assert.equal(await page.textContent('#notice'), 'Stopped reading one-gzip.tar.');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('limits: the Settings panel lists the core\'s limits; layers=1 gives the CLI\'s report with --limit layers=1', async () => {
  const { page } = await openPage('?workers=3');
  assert.equal(await page.inputValue('#settings input[name=workers]'), '3', '?workers=3 fills the field');
  await page.click('#settings summary');
  await page.waitForSelector('#settings input[data-limit=layers]');
  const names = await page.$$eval('#settings input[data-limit]', (els) => els.map((e) => e.dataset.limit));
  for (const name of ['layer_uncompressed_bytes', 'layers', 'layer_entries', 'path_bytes', 'scan_file_bytes']) assert.ok(names.includes(name), name);
  assert.equal(await page.inputValue('#settings input[data-limit=layers]'), '1024', 'the default is shown');
  assert.equal(await page.textContent('[data-limit-row=layers] [data-default]'), '1,024');
  assert.match(await page.textContent('[data-limit-row=layer_uncompressed_bytes] [data-default]'), /^68,719,476,736 \(64 GiB\)$/);
  await page.fill('#settings input[data-limit=layers]', '1');
  assert.match(await page.textContent('#settings-summary'), /1 limit changed/);
  await H.shot(page, 'settings');

  const sample = path.join(H.www, 'sample/sample.tar');
  await page.setInputFiles('input[type=file]', sample);
  const { state, verdict } = await H.waitSettled(page);
  const want = H.cliWith(sample, ['--limit', 'layers=1']);
  assert.equal(want.code, 4);
  assert.equal(state, 'done');
  assert.equal(verdict, 'incomplete');
  assert.match(await page.textContent('#verdict .verdict-text'), /^Incomplete: /);
  await page.click('#tab-errors');
  assert.match(await page.textContent('#view-errors li[data-kind=limit] p'), /^A safety limit stopped reading/);
  await page.click('#view-errors li[data-kind=limit] summary');
  assert.match(await page.textContent('#view-errors li[data-kind=limit] pre'), /over the limit of 1/);
  await assertExportEquals(page, want, 'layers=1');

  // A limit a layer worker hits itself: the biggest layer of a pooled run has more entries (the
  // outer tarball has 9, within the limit).
  await page.click('[data-action="reset-limits"]');
  assert.equal(await page.inputValue('#settings input[data-limit=layers]'), '1024');
  await page.fill('#settings input[data-limit=layer_entries]', '10');
  const docker = H.fixture(tmp, 'docker');
  await page.setInputFiles('input[type=file]', docker);
  await page.waitForSelector('.file-tab [data-file="docker.tar"]');
  await H.waitSettled(page);
  const limited = H.cliWith(docker, ['--limit', 'layer_entries=10']);
  assert.equal(limited.code, 4);
  assert.ok(limited.json.images[0].errors.some((e) => e.kind === 'limit' && e.layer === 0), 'the CLI hit the limit in layer 0');
  assert.equal(await workersUsed(page), 3, 'read by the pool');
  assert.equal(await page.evaluate(() => document.body.dataset.verdict), 'incomplete');
  await assertExportEquals(page, limited, 'layer_entries=10 in the pool');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('the single-file build (file://) runs the pool too: blob: layer workers given the compiled wasm, the CLI\'s report', async () => {
  const { page, workers } = await openPage('?workers=3', singleUrl);
  const file = H.fixture(tmp, 'docker25');
  await page.setInputFiles('input[type=file]', file);
  const { state, verdict } = await H.waitSettled(page);
  assert.equal(state, 'done');
  assert.equal(verdict, 'verified');
  // Each layer worker instantiated the module the coordinator compiled and posted (its blob:
  // script carries no wasm), its largest layer split in two.
  assert.equal(await workersUsed(page), 3);
  assert.equal(await page.getAttribute('[data-fact=run] [data-split-layer]', 'data-split-layer'), '0');
  // The coordinators start from the page's blob: URL, the layer workers from one of their own.
  await page.waitForSelector('body[data-engine=ready]');
  assert.equal(workers.filter((w) => w.url === workers[0].url).length, 2, 'the coordinator and the next file\'s');
  for (let i = 0; i < 100 && workers.length < 8; i++) await page.waitForTimeout(20);
  assert.equal(workers.length, 8, 'the coordinator and its three layer workers, the next file\'s coordinator and its three');
  assert.ok(workers.every((w) => w.url.startsWith('blob:')), workers.map((w) => w.url).join(' '));
  await assertExportEquals(page, H.cli(file), 'single file');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('the page requested nothing but its own origin (and the single file), and only read', () => {
  assert.deepEqual(H.foreignRequests(browser.requests, [server.origin, singleUrl]), []);
  assert.deepEqual(H.unsafeMethods(browser.calls), [], 'only GET, HEAD or OPTIONS');
  assert.ok(browser.requests.includes(`${server.base}layer-worker.js`), 'the layer workers came from the site');
});
