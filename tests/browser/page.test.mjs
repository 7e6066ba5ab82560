// The page in real Chromium: pick, drop or sample an image, the worker inspects it, the numbers
// on the page and the exported JSON equal the CLI's for the same file, failures are shown in
// words, several files are switchable, Cancel stops the worker, and the page requests nothing
// but its own origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import { htmlNamesImage, HTML_NAME, HTML_DIR, sparseBigImage, tamper, tarEntries, tar, dockerArchiveOf, secretsImage, SECRET_VALUES, packagesImage } from './lib/images.mjs';

const tmp = H.tmpDir('page');
let server;
let browser;

before(async () => {
  server = await H.startServer();
  browser = await H.launch(tmp);
});

after(async () => {
  await browser?.ctx.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function openPage(query = '') {
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base + query);
  return page;
}

/** A page whose workers are recorded from the start ({ w, closed }, in the order they
 *  started), once its worker for the next file is ready: { page, workers }. */
async function openWatched(query = '') {
  const page = await H.newPage(browser.ctx);
  const workers = [];
  page.on('worker', (w) => workers.push({ w, closed: new Promise((r) => w.on('close', r)) }));
  await page.goto(server.base + query);
  await page.waitForSelector('body[data-engine=ready]');
  return { page, workers };
}

/** Loads `file` by the file picker (or a simulated drop) and waits until it is settled. */
async function inspect(file, how = 'pick') {
  const page = await openPage();
  if (how === 'pick') {
    await page.setInputFiles('input[type=file]', file);
  } else {
    await H.drop(page, file);
  }
  const settled = await H.waitSettled(page);
  return { page, ...settled };
}

/** The numbers and digests on the Overview and Layers views equal the CLI report's. */
async function assertPageShows(page, img, label) {
  const o = await H.facts(page, '#view-overview');
  const s = img.summary;
  assert.equal(H.firstInt(o.entries), s.entries, `${label}: entries`);
  assert.equal(H.firstInt(o['regular-files']), s.regular_files, `${label}: regular files`);
  assert.equal(H.firstInt(o['total-size']), s.total_size, `${label}: total size`);
  assert.equal(H.firstInt(o.wasted), s.wasted_bytes, `${label}: wasted bytes`);
  assert.equal(H.firstInt(o.layers), img.layers.length, `${label}: layers`);
  assert.equal(H.firstInt(o.secrets), img.secrets.length, `${label}: secrets`);
  assert.equal(H.firstInt(o.packages), img.packages.length, `${label}: packages`);
  assert.equal(o.config, img.config_digest, `${label}: config digest`);
  if (img.manifest_digest) assert.equal(o.manifest, img.manifest_digest, `${label}: manifest digest`);
  assert.equal(o.platform.split(' ')[0], img.platform, `${label}: platform`);
  if (img.name) assert.equal(o.name, img.name, `${label}: name`);
  for (const l of img.layers) {
    const f = await H.facts(page, `#view-layers [data-layer="${l.index}"]`);
    assert.equal(f.digest, l.digest ?? '—', `${label}: layer ${l.index} digest`);
    assert.equal(H.firstInt(f.size), l.size, `${label}: layer ${l.index} size`);
    assert.equal(H.firstInt(f.added), l.files_added, `${label}: layer ${l.index} added`);
    assert.equal(H.firstInt(f.modified), l.files_modified, `${label}: layer ${l.index} changed`);
    assert.equal(H.firstInt(f.deleted), l.files_deleted, `${label}: layer ${l.index} deleted`);
  }
}

/** The page's export is byte for byte what the CLI prints. */
async function assertExportEqualsCli(page, file, label) {
  const want = H.cli(file);
  const got = await H.download(page, '[data-action="download-json"]');
  assert.equal(got.name, `${path.basename(file)}.porthole.json`);
  assert.deepEqual(JSON.parse(got.bytes.toString()), want.json, label);
  assert.equal(got.bytes.toString(), want.text, `${label}: byte-identical`);
  return want;
}

test('every format: the page shows the CLI\'s numbers and exports exactly its report', async () => {
  for (const kind of ['docker', 'docker-symlinks', 'crane', 'oci', 'oci-zstd', 'docker25', 'multiplatform']) {
    const file = H.fixture(tmp, kind);
    const { page, state, verdict } = await inspect(file);
    assert.equal(state, 'done', kind);
    assert.equal(verdict, 'verified', kind);
    const want = await assertExportEqualsCli(page, file, kind);
    assert.equal(want.code, 0);
    assert.match(await page.textContent('#verdict .verdict-text'), /^All \d+ digests and sizes verified$/, kind);
    await assertPageShows(page, want.json.images[0], kind);
    if (kind === 'oci') {
      await H.shot(page, 'overview');
      await page.click('#tab-layers');
      await H.shot(page, 'layers');
      await page.click('#tab-config');
      // The label holds HTML; it must show as text.
      assert.equal(await page.textContent('#view-config .kv td'), 'https://example.invalid/<b>html</b>');
      await H.shot(page, 'config');
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.click('#tab-overview');
      await H.shot(page, 'overview-dark');
    }
    assert.deepEqual(await page.problems(), [], kind);
    await page.close();
  }
});

test('gzipped tarballs, picked and dropped, are streamed and match the CLI', async () => {
  for (const [kind, how] of [['docker', 'pick'], ['oci', 'drop']]) {
    const gz = path.join(tmp, `${kind}-${how}.tar.gz`);
    fs.writeFileSync(gz, execFileSync('gzip', ['-c', H.fixture(tmp, kind)]));
    const { page, state, verdict } = await inspect(gz, how);
    assert.equal(state, 'done');
    assert.equal(verdict, 'verified');
    const want = await assertExportEqualsCli(page, gz, `${kind} ${how}`);
    assert.equal(want.json.source.compression, 'gzip');
    assert.equal(want.json.source.streamed, true);
    assert.match(await page.textContent('[data-fact=format]'), /gzip, read in one pass/);
    await assertPageShows(page, want.json.images[0], `${kind}.tar.gz`);
    assert.deepEqual(await page.problems(), []);
    await page.close();
  }
});

test('a tampered layer: verdict mismatch, the failed layer named, expected and actual shown', async () => {
  const file = H.fixture(tmp, 'oci');
  const report = H.cli(file).json;
  const bad = path.join(tmp, 'tampered.tar');
  fs.writeFileSync(bad, tamper(fs.readFileSync(file), report.images[0].layers[1].digest.slice(7)));
  const { page, state, verdict } = await inspect(bad);
  assert.equal(state, 'done');
  assert.equal(verdict, 'mismatch');
  const want = await assertExportEqualsCli(page, bad, 'tampered');
  assert.equal(want.code, 3);
  assert.equal(await page.textContent('#verdict .verdict-text'), 'Integrity failure: layer 1 does not match');
  assert.equal(await page.textContent('.file-tab .tab-status'), 'does not match');
  await page.click('#tab-layers');
  assert.equal(await page.textContent('[data-layer="1"] h3 .badge'), 'does not match');
  assert.equal(await page.textContent('[data-layer="0"] h3 .badge'), 'verified');
  const blob = want.json.images[0].layers[1].checks[0];
  assert.equal(blob.status, 'mismatch');
  const cells = await page.$$eval('[data-layer="1"] tr[data-check=blob_digest] td', (tds) => tds.map((t) => t.textContent));
  assert.deepEqual(cells.slice(1, 4), ['DOES NOT MATCH', blob.expected, blob.actual]);
  await H.shot(page, 'tampered-layers');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('a tarball truncated before its manifest: data-state=error and a clear message', async () => {
  const file = H.fixture(tmp, 'docker');
  const buf = fs.readFileSync(file);
  const last = tarEntries(buf).filter((e) => e.name.endsWith('layer.tar')).pop();
  const cut = path.join(tmp, 'truncated.tar');
  fs.writeFileSync(cut, buf.subarray(0, last.offset + 512 + Math.floor(last.size / 2)));
  assert.equal(H.cli(cut).code, 2);
  const { page, state, verdict } = await inspect(cut);
  assert.equal(state, 'error');
  assert.equal(verdict, undefined);
  assert.equal(await page.textContent('#failure-title'), 'No container image could be read from “truncated.tar”');
  const words = await page.textContent('#failure-words');
  assert.match(words, /cut short: it looks like an interrupted download or copy/);
  assert.equal(await page.isVisible('#failure-detail'), false, 'technical detail is one click away');
  await page.click('#failure summary');
  assert.match(await page.textContent('#failure-detail'), /malformed: tar is truncated/);
  assert.equal(await page.isVisible('[data-action="download-json"]'), false);
  await H.shot(page, 'truncated');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('not an image at all: said in words', async () => {
  const junk = path.join(tmp, 'picture.tar');
  fs.writeFileSync(junk, Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(2000)]));
  const { page, state } = await inspect(junk);
  assert.equal(state, 'error');
  assert.equal(await page.textContent('#failure-words'), 'This is not a container image: the file is a PNG image.');
  await page.close();
});

test('HTML in file names, tags and labels renders as text and never runs', async () => {
  const file = path.join(tmp, 'html.tar');
  fs.writeFileSync(file, htmlNamesImage());
  const { page, state, verdict } = await inspect(file);
  assert.equal(state, 'done');
  assert.equal(verdict, 'verified');
  await assertExportEqualsCli(page, file, 'html names');
  assert.equal(await page.textContent('#image-name'), 'example.com/<i>html</i>:1');
  await page.click('#tab-config');
  assert.equal(await page.textContent('#view-config .kv td'), '<img src=y onerror=alert(3)>');
  await page.click('#tab-files');
  const row = page.locator('#tree .row', { has: page.locator('.name', { hasText: HTML_NAME }) }).first();
  assert.equal(await row.locator('.name').textContent(), HTML_NAME);
  await page.locator(`#tree .row[data-path="/${HTML_DIR}"]`).click();
  await page.locator(`#tree .row[data-path="/${HTML_DIR}/${HTML_NAME}"]`).click();
  await page.waitForSelector('#file-details .preview[data-mode=text]');
  assert.equal(await page.textContent('#file-details .preview'), '<script>alert(2)</script>\n');
  assert.equal(await page.textContent('#file-details h3'), HTML_NAME);
  // Nothing from the image became an element (the page's own pictures are SVG).
  assert.equal(await page.locator('main img, main svg:not(.pic), main i, main script').count(), 0);
  await H.shot(page, 'html-names');
  assert.deepEqual(await page.problems(), [], 'no dialog, no error');
  await page.close();
});

test('"Try a sample image" shows a full report of the sample shipped with the site', async () => {
  const page = await openPage();
  await page.click('#sample');
  const { state, verdict } = await H.waitSettled(page);
  assert.equal(state, 'done');
  assert.equal(verdict, 'verified');
  // The sample comes with its advisory: the export equals the CLI's with that database.
  assert.equal(await page.getAttribute('body', 'data-vulndb'), 'ready');
  const want = H.sampleCli();
  const got = await H.download(page, '[data-action="download-json"]');
  assert.equal(got.bytes.toString(), want.text, 'sample: byte-identical with --vuln-db');
  assert.equal(want.json.images[0].vulnerabilities[0].id, 'PYSEC-2021-142');
  await assertPageShows(page, want.json.images[0], 'sample');
  const v = await H.facts(page, '#view-overview');
  assert.match(v.vulnerabilities, /^0 critical, 0 high, 0 medium, 0 low, 0 none, 1 unknown — 1 match, 1 fixable/);
  await page.click('#tab-vulnerabilities');
  assert.equal(await page.textContent('#view-vulnerabilities tbody tr[data-id="PYSEC-2021-142"] td:nth-child(5)'), '5.4');
  await H.shot(page, 'sample-vulnerabilities');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('several files at once: working until all are done, each switchable, export of the one shown', async () => {
  const files = ['oci', 'docker25', 'crane'].map((k) => H.fixture(tmp, k));
  const page = await openPage();
  await page.evaluate(() => {
    window.__states = [];
    new MutationObserver(() => window.__states.push(document.body.dataset.state))
      .observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
  });
  await page.setInputFiles('input[type=file]', files);
  await H.waitSettled(page);
  const states = await page.evaluate(() => window.__states.filter((s, i, a) => s !== a[i - 1]));
  assert.deepEqual(states, ['working', 'done'], 'done only once every file is finished');
  assert.deepEqual(await page.$$eval('.file-tab .tab-name', (e) => e.map((x) => x.textContent)), ['oci.tar', 'docker25.tar', 'crane.tar']);
  assert.deepEqual(await page.$$eval('.file-tab .tab-status', (e) => e.map((x) => x.textContent)), ['verified', 'verified', 'verified']);
  assert.match(await page.textContent('[data-fact=format]'), /^oci-layout,/);
  await page.click('.file-tab [data-file="docker25.tar"]');
  assert.match(await page.textContent('[data-fact=format]'), /^docker-archive\+oci-layout,/);
  await assertExportEqualsCli(page, files[1], 'second file');
  await page.click('.file-tab [data-file="crane.tar"]');
  assert.match(await page.textContent('[data-fact=format]'), /^docker-archive,/);
  await assertExportEqualsCli(page, files[2], 'third file');
  await H.shot(page, 'several-files');
  // Closing a file forgets it; the others stay.
  await page.click('.file-tab button[aria-label="Close crane.tar"]');
  assert.deepEqual(await page.$$eval('.file-tab .tab-name', (e) => e.map((x) => x.textContent)), ['oci.tar', 'docker25.tar']);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('an archive with several images: each one can be shown, the export is the whole file\'s report', async () => {
  const file = path.join(tmp, 'two-images.tar');
  fs.writeFileSync(file, dockerArchiveOf([
    { tag: 'example.com/first:1', layers: [tar([{ name: 'first.txt', data: '1' }])] },
    { tag: 'example.com/second:2', layers: [tar([{ name: 'a.txt', data: 'a' }]), tar([{ name: 'b.txt', data: 'bb' }])] },
  ]));
  const { page, state } = await inspect(file);
  assert.equal(state, 'done');
  const want = await assertExportEqualsCli(page, file, 'two images');
  assert.equal(want.json.images.length, 2);
  assert.equal(await page.textContent('#image-name'), 'example.com/first:1');
  await assertPageShows(page, want.json.images[0], 'first image');
  await page.selectOption('#image-select', '1');
  assert.equal(await page.textContent('#image-name'), 'example.com/second:2');
  await assertPageShows(page, want.json.images[1], 'second image');
  await page.click('#tab-files');
  await page.waitForSelector('#tree .row[data-path="/b.txt"]');
  const again = await H.download(page, '[data-action="download-json"]');
  assert.equal(again.bytes.toString(), want.text);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('secret placeholders: listed apart in Secrets, never counted as secrets', async () => {
  const file = path.join(tmp, 'placeholder.tar');
  fs.writeFileSync(file, dockerArchiveOf([{
    layers: [tar([{ name: 'srv/', type: '5', mode: 0o755 }, { name: 'srv/app.env', data: 'AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX\n' }])],
    tag: 'example.com/template:1',
  }]));
  const { page, state } = await inspect(file);
  assert.equal(state, 'done');
  const want = await assertExportEqualsCli(page, file, 'placeholders');
  const img = want.json.images[0];
  assert.deepEqual(img.secrets, []);
  assert.equal(img.secret_placeholders.length, 1);
  await page.click('#tab-secrets');
  assert.equal(await page.textContent('#tab-secrets'), 'Secrets');
  assert.equal(await page.getAttribute('#view-secrets details.placeholders', 'data-placeholders'), '1');
  const item = await page.textContent('#view-secrets details.placeholders li');
  assert.equal(item, `aws-access-key-id /srv/app.env in layer 0, line 1: ${img.secret_placeholders[0].match_redacted}`);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('secrets: counted on the Overview, listed with place and state, values never shown', async () => {
  const file = path.join(tmp, 'leaky.tar');
  fs.writeFileSync(file, secretsImage());
  const { page, state } = await inspect(file);
  assert.equal(state, 'done');
  const want = await assertExportEqualsCli(page, file, 'secrets');
  const found = want.json.images[0].secrets;
  assert.ok(found.length >= 2, 'the core finds both secrets');
  assert.match(await page.textContent('[data-fact=secrets]'), new RegExp(`^${found.length} found \\((\\d+ (critical|high|medium|low)(, )?)+\\) — see Secrets$`));
  assert.equal(await page.textContent('#tab-secrets'), `Secrets (${found.length})`);
  await page.click('#tab-secrets');
  const rows = await page.$$eval('#view-secrets tbody tr', (trs) => trs.map((tr) => [tr.dataset.rule, ...[...tr.cells].map((c) => c.textContent)]));
  assert.deepEqual(rows.map((r) => r[0]), found.map((f) => f.rule));
  const aws = rows[found.findIndex((f) => f.rule === 'aws-access-key-id')];
  assert.equal(aws[3], '/app/.env in layer 0, line 1');
  assert.equal(aws[4], 'deleted in layer 1, still shipped');
  const gh = rows[found.findIndex((f) => f.location === 'env')];
  assert.equal(gh[3], 'environment variable GITHUB_TOKEN');
  await H.shot(page, 'secrets');
  // The secrets raise CIS-DI-0010 in the Best practices view: its evidence as text, no value.
  const practices = want.json.images[0].best_practices;
  assert.equal(await page.textContent('#tab-practices'), `Best practices (${practices.length})`);
  await page.click('#tab-practices');
  const shown = await page.$$eval('#view-practices [data-practice]', (ss) => ss.map((s) => s.dataset.practice));
  assert.deepEqual([...shown].sort(), practices.map((b) => b.id).sort());
  assert.doesNotMatch(await page.textContent('#view-practices'), /null|undefined/);
  const evidence = await page.$$eval('#view-practices [data-practice="CIS-DI-0010"] .evidence li', (lis) => lis.map((li) => li.textContent));
  assert.deepEqual(evidence, practices.find((b) => b.id === 'CIS-DI-0010').evidence);
  assert.ok(evidence.some((e) => e.includes('GITHUB_TOKEN')), evidence.join('\n'));
  const text = await page.evaluate(() => document.body.innerText);
  for (const v of SECRET_VALUES) assert.ok(!text.includes(v), 'the secret value is not on the page');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('packages: the list the CLI reports, filterable', async () => {
  const file = path.join(tmp, 'packages.tar');
  fs.writeFileSync(file, packagesImage());
  const { page, state } = await inspect(file);
  assert.equal(state, 'done');
  const want = await assertExportEqualsCli(page, file, 'packages');
  const pkgs = want.json.images[0].packages;
  assert.deepEqual(pkgs.map((p) => p.name), ['adduser', 'libc6', 'left-pad']);
  assert.equal(await page.textContent('[data-fact=packages]'), '3 found (2 deb, 1 npm) — see Packages');
  await page.click('#tab-packages');
  const rows = () => page.$$eval('#view-packages tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(await rows(), pkgs.map((p) => [p.type, p.name, p.version, p.licenses.join(', '), String(p.layer), p.path]));
  await page.fill('#view-packages input[type=search]', 'wtfpl');
  assert.deepEqual((await rows()).map((r) => r[1]), ['left-pad']);
  await H.shot(page, 'packages');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('progress, the layer table before any layer is read, and Cancel terminating the worker', async () => {
  const big = path.join(tmp, 'big-sparse.tar');
  sparseBigImage(big, 3 * 1024 ** 3); // 3 GiB of zeros: several seconds of work
  // One worker (by default a layer this big is split between two layer workers: pool.test.mjs).
  const { page, workers } = await openWatched('?workers=1');
  assert.equal(workers.length, 1, 'the worker kept warm, started with the page');
  await page.setInputFiles('input[type=file]', big);
  // The manifests are read: the layer table is there while the layer itself is being read.
  await page.waitForSelector('#plan table.plan tbody tr');
  await page.waitForFunction(() => document.getElementById('progress-bar').value > 0);
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'working');
  assert.equal(await page.locator('#plan tbody tr').count(), 1);
  assert.match(await page.textContent('#progress-text'), /^[\d.]+ \w+ of 3\.0 GiB read \(\d+ %\), (\d+|…) MB\/s$/);
  assert.match(await page.textContent('#progress-layer'), /^Layer 1 of 1: /);
  await H.shot(page, 'progress');
  // The file took the warm worker; the next file's starts only when this one ends (starting
  // it would take CPU from the inspection).
  assert.equal(workers.length, 1);
  assert.equal(await page.evaluate(() => document.body.dataset.engine), 'none');
  await page.click('#cancel');
  await workers[0].closed; // the file's worker is gone, not just hidden
  await page.waitForSelector('body[data-engine=ready]');
  assert.equal(workers.length, 2);
  assert.deepEqual(page.workers(), [workers[1].w], 'only the next file\'s worker is left');
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle');
  assert.equal(await page.textContent('#notice'), 'Stopped reading big-sparse.tar.');
  assert.equal(await page.isVisible('#landing'), true);
  assert.equal(await page.locator('.file-tab').count(), 0);
  assert.deepEqual(await page.problems(), []);
  await page.close();
  fs.rmSync(big);
});

test('a worker kept warm: ready before any drop, taken by the next file and replaced once it ends; files in a row get one each', async () => {
  const first = path.join(tmp, 'first.tar');
  execFileSync(H.fixtureBin, ['big', first, '300', '2', 'none']); // a few seconds of work
  const second = H.fixture(tmp, 'oci');
  const { page, workers } = await openWatched('?workers=1');
  const wasm = () => browser.requests.filter((u) => u === `${server.base}pkg/porthole_bg.wasm`).length;
  assert.equal(workers.length, 1, 'one worker, started with the page, before any file');
  assert.ok(workers[0].w.url().endsWith('/worker.js'), workers[0].w.url());
  // The Settings panel's limits are asked of that worker: no other is started.
  await page.click('#settings summary');
  await page.waitForSelector('#settings input[data-limit=layers]');
  await page.click('#settings summary');
  assert.equal(workers.length, 1, 'the limits came from the waiting worker');
  const fetched = wasm();

  // The first file takes it; no other starts while the file is read (it would take CPU).
  await page.setInputFiles('input[type=file]', first);
  await page.waitForSelector('#plan table.plan tbody tr');
  assert.equal(workers.length, 1, 'only the first file\'s worker while it is read');
  assert.equal(await page.evaluate(() => document.body.dataset.engine), 'none');
  // A second file dropped while the first is read waits, then takes the worker started when
  // the first ended; the file after gets the next one.
  await H.drop(page, second);
  assert.equal(await page.textContent('.file-tab:nth-child(2) .tab-status'), 'waiting');
  await page.waitForFunction(() => [...document.querySelectorAll('.file-tab .tab-status')].map((e) => e.textContent).join() === 'verified,verified', null, { timeout: 120000 });
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'done');
  await page.waitForSelector('body[data-engine=ready]');
  assert.equal(workers.length, 3, 'one worker per file, and one for the file after');
  assert.equal(wasm(), fetched + 2, 'the wasm fetched once by each new worker');
  assert.ok(workers.every((x) => x.w.url().endsWith('/worker.js')), 'no layer workers with ?workers=1');
  await assertExportEqualsCli(page, second, 'the second file');
  // Each file's worker answers for its file (the Files view) until the file is closed, which
  // ends that worker and no other: the first file was read by the worker started with the page.
  await page.click('.file-tab button[aria-label="Close oci.tar"]');
  await workers[1].closed;
  await page.click('.file-tab button[aria-label="Close first.tar"]');
  await workers[0].closed;
  assert.deepEqual(page.workers(), [workers[2].w], 'the next file\'s worker is left, waiting');
  assert.equal(await page.evaluate(() => document.body.dataset.engine), 'ready');
  assert.deepEqual(await page.problems(), []);
  await page.close();
  fs.rmSync(first);
});

const { REAL_IMAGES, IN_CI } = H;

test('real-tool images, when tests/real-images.sh has built them', { skip: H.withoutRealImage('docker.tar') }, async () => {
  for (const name of ['docker25.tar', 'docker.tar.gz']) {
    const file = path.join(REAL_IMAGES, name);
    if (!fs.existsSync(file)) {
      assert.ok(!IN_CI, `${file} is missing: run tests/real-images.sh (make test runs it before the browser tests)`);
      continue;
    }
    const { page, state } = await inspect(file);
    assert.equal(state, 'done', name);
    const want = await assertExportEqualsCli(page, file, name);
    await assertPageShows(page, want.json.images[0], name);
    await page.close();
  }
});

test('the Content-Security-Policy is in force: no inline script runs', async () => {
  const page = await openPage();
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(csp, /default-src 'self'; script-src 'self' 'wasm-unsafe-eval';/);
  const ran = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.body.append(s);
    await new Promise((r) => setTimeout(r, 50));
    return window.__inlineRan === true;
  });
  assert.equal(ran, false);
  assert.match((await page.problems()).join('\n'), /script-src-elem inline/);
  await page.close();
});

test('the page requested nothing but its own origin, and only read', () => {
  const own = browser.requests.filter((u) => u.startsWith(server.base));
  // The recording works: the page, its worker and the wasm were all seen.
  for (const f of ['app.js', 'worker.js', 'pkg/porthole_bg.wasm', 'sample/sample.tar', 'sample/vulndb.json']) {
    assert.ok(own.includes(server.base + f), `${f} requested`);
  }
  // At start the page asks its own origin for the database a host may place beside it (here:
  // none, a 404), once per page load.
  assert.ok(own.includes(`${server.base}vulndb/index.json`), 'vulndb/index.json requested');
  assert.deepEqual(H.foreignRequests(browser.requests, [server.base]), []);
  assert.deepEqual(H.unsafeMethods(browser.calls), [], 'only GET, HEAD or OPTIONS');
});
