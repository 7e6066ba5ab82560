// The single-file build (make single → target/single/porthole.html) opened straight from disk
// (file://, no server): a blob: worker instantiates the inlined wasm, reads the picked File,
// and the page shows and exports the same report as the CLI, under its own hash-based CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as H from './lib/harness.mjs';

const tmp = H.tmpDir('single');
let browser;
const url = pathToFileURL(H.singleHtml).href;

before(async () => {
  assert.ok(fs.existsSync(H.singleHtml), `${H.singleHtml} is missing: run make single`);
  browser = await H.launch(tmp);
});

after(async () => {
  await browser?.ctx.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('one HTML file from file:// inspects a tarball and exports the CLI\'s report', async () => {
  const html = fs.readFileSync(H.singleHtml, 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href="(?!data:)/, 'nothing is loaded from files');
  const page = await H.newPage(browser.ctx);
  const workers = [];
  page.on('worker', (w) => workers.push(w.url()));
  await page.goto(url);
  const file = H.fixture(tmp, 'oci-zstd');
  await page.setInputFiles('input[type=file]', file);
  const { state, verdict } = await H.waitSettled(page);
  assert.equal(state, 'done');
  assert.equal(verdict, 'verified');
  // The blob: worker started with the page read it; another is ready for the next file (each
  // with the layer workers it starts ahead, from a blob: URL of their own).
  await page.waitForSelector('body[data-engine=ready]');
  assert.ok(workers.every((w) => w.startsWith('blob:')), `blob: workers (${workers})`);
  assert.equal(workers.filter((w) => w === workers[0]).length, 2, `the coordinator and the next file's (${workers})`);
  const want = H.cli(file);
  const got = await H.download(page, '[data-action="download-json"]');
  assert.equal(got.bytes.toString(), want.text);
  assert.equal(H.firstInt(await page.textContent('[data-fact=wasted]')), want.json.images[0].summary.wasted_bytes);
  // Reading a file back works the same through the blob worker.
  await page.click('#tab-files');
  await page.click('#tree .row[data-path="/etc"]');
  await page.click('#tree .row[data-path="/etc/passwd"]');
  await page.waitForSelector('#file-details .preview[data-mode=text]');
  assert.equal(await page.textContent('#file-details .preview'), 'root:x:0:0:root:/root:/bin/sh\n');
  await H.shot(page, 'single-file');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('the sample button works in the single file (the sample is inlined)', async () => {
  const page = await H.newPage(browser.ctx);
  await page.goto(url);
  await page.click('#sample');
  const { state, verdict } = await H.waitSettled(page);
  assert.equal(state, 'done');
  assert.equal(verdict, 'verified');
  const got = await H.download(page, '[data-action="download-json"]');
  assert.equal(got.bytes.toString(), H.sampleCli().text);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('the single file requested nothing but itself, and only read', () => {
  assert.deepEqual(H.foreignRequests(browser.requests, [url]), []);
  assert.deepEqual(H.unsafeMethods(browser.calls), [], 'only GET, HEAD or OPTIONS');
});
