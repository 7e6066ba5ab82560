// Who inflates gzip in the page (issue #22), in real Chromium: the browser's own
// DecompressionStream for a layer read whole by one worker (the file's own worker without a
// pool, or a layer worker of the pool) when the core accepts its gzip header; the core's
// WebAssembly inflater for a layer split between two workers (the relay pair), for zstd, and
// always with ?inflate=wasm (the fallback, forced). Either way the exported report is byte for
// byte the CLI's. Layers the browser refuses — two gzip members (Chromium stops after the
// first, whatwg/compression#42), a wrong CRC-32, a wrong length, a member cut short — are read
// again by the core from their first byte (the run line says so: "refused by it, read again"),
// and the report, errors naming the layer included, is still the CLI's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';

const env = H.servedBrowser('inflate');

/** The page at `query`, once its engine is ready, with `file` opened and settled. */
async function inspect(file, query) {
  const page = await H.newPage(env.browser.ctx);
  await page.goto(env.server.base + query);
  await page.waitForSelector('body[data-engine=ready]');
  await page.setInputFiles('input[type=file]', file);
  await H.waitSettled(page, 120_000);
  return page;
}

/** Gzip layers the browser inflated and refused, from the run line ({ native, restarted }; both
 *  0 when it inflated none), and the layer workers that read (1: the file's own worker). */
function inflated(page) {
  return page.evaluate(() => {
    const run = document.querySelector('[data-fact=run]');
    const note = run.querySelector('[data-inflated-native]');
    return {
      native: Number(note?.dataset.inflatedNative ?? 0),
      restarted: Number(note?.dataset.inflatedRestarted ?? 0),
      workers: Number(run.querySelector('[data-workers]').dataset.workers),
    };
  });
}

async function assertExportEquals(page, want, label) {
  const got = await H.download(page, '[data-action="download-json"]');
  assert.equal(got.bytes.toString(), want.text, `${label}: byte for byte the CLI's report`);
}

test('gzip layers are inflated by the browser, by the core with ?inflate=wasm; the report is the CLI\'s either way', async () => {
  const many = path.join(env.tmp, 'six-layers.tar');
  execFileSync(H.fixtureBin, ['big', many, '60', '6', 'gzip']);
  const one = path.join(env.tmp, 'one-layer.tar');
  execFileSync(H.fixtureBin, ['big', one, '60', '1', 'gzip']);
  // One layer of ~90 MB: above what is hashed whole with WebCrypto, so the core hashes the
  // blob as it streams by.
  const bigger = path.join(env.tmp, 'one-bigger-layer.tar');
  execFileSync(H.fixtureBin, ['big', bigger, '140', '1', 'gzip']);
  const cases = [
    // [file, query, gzip layers, layer workers]
    [H.fixture(env.tmp, 'oci'), '?workers=1', 'all', 1],
    [H.fixture(env.tmp, 'oci'), '?workers=3', 'all', 3],
    [many, '?workers=2', 6, 2],
    // Read by the file's own worker: a blob small enough for WebCrypto, and a bigger one.
    [one, '?workers=1', 1, 1],
    [bigger, '?workers=1', 1, 1],
    // Split between two workers: the relay pair inflates in the core.
    [one, '?workers=2', 0, 2],
    [H.fixture(env.tmp, 'oci-zstd'), '?workers=1', 0, 1],
  ];
  for (const [file, query, gzipLayers, workers] of cases) {
    const want = H.cli(file);
    // 'all': every distinct layer blob, but the one split between two workers (bigger than
    // all the others together) when there is a pool: the relay pair inflates in the core.
    let layers = gzipLayers;
    if (gzipLayers === 'all') {
      const sizes = new Map(want.json.images.flatMap((i) => i.layers.map((l) => [l.digest, l.size])));
      const sorted = [...sizes.values()].sort((a, b) => b - a);
      const split = workers > 1 && sorted[0] > sorted.slice(1).reduce((a, b) => a + b, 0);
      layers = sizes.size - (split ? 1 : 0);
    }
    for (const q of [query, `${query}&inflate=wasm`]) {
      const label = `${path.basename(file)} ${q}`;
      const page = await inspect(file, q);
      await assertExportEquals(page, want, label);
      const got = await inflated(page);
      const native = q.includes('inflate=wasm') ? 0 : layers;
      assert.deepEqual(got, { native, restarted: 0, workers }, label);
      assert.deepEqual(await page.problems(), [], label);
      await page.close();
    }
  }
});

test('layers the browser refuses (two members, a wrong CRC or length, cut short) are read again by the core, as the CLI reads them', async () => {
  const dir = path.join(env.tmp, 'hostile');
  execFileSync(H.fixtureBin, ['hostile', dir]);
  const names = ['gzip-two-members', 'gzip-crc-corrupted', 'gzip-length-corrupted', 'gzip-member-cut-short'];
  for (const name of names) {
    const file = path.join(dir, `${name}.tar`);
    const want = H.cli(file);
    assert.equal(want.code === 0, name === 'gzip-two-members', `${name}: exit ${want.code}`);
    const layer = want.json.images[0].layers[0];
    if (name !== 'gzip-two-members') {
      const errors = JSON.stringify(want.json.images[0].errors);
      assert.ok(errors.includes(layer.digest.slice(7, 19)) || errors.includes('layer 0'), `${name}: the CLI's error names the layer: ${errors}`);
    }
    // Read by the file's own worker (the same code as a layer worker of the pool).
    const page = await inspect(file, '?workers=1');
    await assertExportEquals(page, want, name);
    assert.deepEqual(await inflated(page), { native: 0, restarted: 1, workers: 1 }, `${name}: refused by the browser, read again by the core`);
    assert.match(await page.textContent('[data-fact=run]'), /refused by it, read again by porthole/, name);
    assert.deepEqual(await page.problems(), [], name);
    await page.close();
  }
});
