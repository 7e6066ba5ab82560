// "From a registry" in real Chromium against real registries: Debian's docker-registry (CNCF
// distribution) on its own port (cross-origin to the page), images pushed with skopeo, Debian's
// nginx in front of a password-protected one as the README shows. The page's report must be
// byte for byte the CLI's for the same reference; a registry without CORS headers, a tampered
// blob, wrong credentials and Docker Hub references are explained; the password never leaves
// memory; and the browser only ever sent GET, HEAD or OPTIONS, only to the page's own origin and
// the registries named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pathToFileURL } from 'node:url';
import * as H from './lib/harness.mjs';
import * as R from './lib/registry.mjs';
import { randomLayerImage, secretsImage } from './lib/images.mjs';

const tmp = H.tmpDir('registry');
const USER = 'alice';
const PASSWORD = 'pw-Zq7!registry-only'; // must never show up anywhere but the password field
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

let server;
let browser;
let open; // with the README's CORS headers
let bare; // no CORS headers at all
let unexposed; // allows the page, but exposes no headers (Docker-Content-Digest stays hidden)
let tampered; // CORS, and a blob will be changed in its storage
let locked; // htpasswd auth (and CORS headers, which nginx replaces)
let proxy; // nginx in front of `locked`, configured as the README shows
let slow; // a throttling pass-through to `open`, to watch progress and cancel
let flaky; // a pass-through to `open` that drops the connection in the middle of a blob
let closedPort; // nothing listens there
let hidingOrigin = null; // a pass-through that hides WWW-Authenticate, while it ran
const servers = [];

before(async () => {
  R.need('docker-registry', 'skopeo', 'nginx', 'htpasswd');
  server = await H.startServer();
  browser = await H.launch(tmp);
  open = await R.startRegistry(path.join(tmp, 'open'));
  servers.push(open);
  bare = await R.startRegistry(path.join(tmp, 'bare'), { cors: false });
  servers.push(bare);
  unexposed = await R.startRegistry(path.join(tmp, 'unexposed'), {
    headers: "  headers:\n    Access-Control-Allow-Origin: ['*']\n    Access-Control-Allow-Headers: [Authorization, Accept]\n",
  });
  servers.push(unexposed);
  tampered = await R.startRegistry(path.join(tmp, 'tampered'));
  servers.push(tampered);
  const pw = R.htpasswd(path.join(tmp, 'htpasswd'), USER, PASSWORD);
  locked = await R.startRegistry(path.join(tmp, 'locked'), { htpasswdFile: pw });
  servers.push(locked);
  proxy = await R.startNginx(path.join(tmp, 'nginx'), locked.port);
  servers.push(proxy);
  slow = await startThrottle(open.port, 2 << 20);
  flaky = await startThrottle(open.port, 64 << 20, { breakAfter: 1 << 20 });
  closedPort = await R.freePort();
});

after(async () => {
  await browser?.ctx.close();
  await server?.close();
  await slow?.close();
  await flaky?.close();
  for (const s of servers) await s.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A fresh page that fetches `reference` through the form and waits until it is settled. */
async function fetchInPage(reference, { username = '', password = '', platform = '' } = {}) {
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base);
  await page.fill('input[name=image-ref]', reference);
  if (platform) await page.fill('input[name=platform]', platform);
  if (username) await page.fill('input[name=username]', username);
  if (password) await page.fill('input[name=password]', password);
  await page.click('[data-action="fetch"]');
  const settled = await H.waitSettled(page, 120000);
  return { page, ...settled };
}

/** `porthole inspect REF --json --files [args]`, the password (if any) on stdin. */
function cliRef(reference, args = [], password = null) {
  const r = spawnSync(H.bin, ['inspect', reference, '--json', '--files', ...args, ...(password != null ? ['--password-stdin'] : [])], {
    input: password != null ? `${password}\n` : undefined, maxBuffer: 1 << 30,
  });
  const text = r.stdout.toString();
  return { code: r.status, text, json: text ? JSON.parse(text) : null, stderr: r.stderr.toString() };
}

/** The page's export equals the CLI's report for the same reference, byte for byte. */
async function assertExportEqualsCli(page, reference, args = [], password = null) {
  const want = cliRef(reference, args, password);
  assert.ok(want.json, `the CLI made a report: ${want.stderr}`);
  const got = await H.download(page, '[data-action="download-json"]');
  assert.equal(got.name, `${reference.replace(/[^A-Za-z0-9._-]+/g, '_')}.porthole.json`);
  assert.deepEqual(JSON.parse(got.bytes.toString()), want.json, reference);
  assert.equal(got.bytes.toString(), want.text, `${reference}: byte-identical`);
  return { ...want, got: got.bytes.toString() };
}

/** What a registry image and a tarball of it agree on (blob digests may differ: a push may
 *  recompress). */
function essence(r) {
  const img = r.images[0];
  return {
    diff_ids: img.layers.map((l) => l.diff_id),
    files: img.files,
    verified: img.verified,
    summary: img.summary,
    config_digest: img.config_digest,
    platform: img.platform,
    secrets: img.secrets,
    packages: img.packages,
  };
}

/** big:1 on `open`: one layer of 24 MiB of random bytes (pushed once). */
let bigPushed = false;
function pushBig() {
  if (bigPushed) return;
  const file = path.join(tmp, 'random.tar');
  fs.writeFileSync(file, randomLayerImage(24 << 20));
  open.push(file, 'big:1', { transport: 'docker-archive' });
  bigPushed = true;
}

/** Console errors a failed cross-origin fetch makes Chromium log itself (not the page's). */
const networkNoise = (p) => !/Failed to load resource|blocked by CORS policy|net::ERR_/.test(p);

test('an image from a registry with CORS headers: the CLI\'s report for the reference, the tarball\'s essence', async () => {
  const file = H.fixture(tmp, 'oci');
  open.push(file, 'team/sample:1.0');
  const ref = `${open.host}/team/sample:1.0`;
  const { page, state, verdict } = await fetchInPage(ref);
  assert.equal(state, 'done', await page.textContent('body'));
  assert.equal(verdict, 'verified');
  const want = await assertExportEqualsCli(page, ref);
  assert.equal(want.code, 0);
  assert.equal(want.json.source.kind, 'registry');
  assert.equal(want.json.source.path, ref);
  // The same image as a tarball: same layers (diff_ids), files, verdict and summary.
  assert.deepEqual(essence(want.json), essence(H.cli(file).json));
  // What the page shows.
  const img = want.json.images[0];
  assert.equal(await page.textContent('#image-name'), ref);
  assert.match(await page.textContent('#verdict .verdict-text'), /^All \d+ digests and sizes verified$/);
  const o = await H.facts(page, '#view-overview');
  assert.equal(H.firstInt(o.entries), img.summary.entries);
  assert.equal(H.firstInt(o['regular-files']), img.summary.regular_files);
  assert.equal(H.firstInt(o.wasted), img.summary.wasted_bytes);
  assert.equal(o.manifest, img.manifest_digest);
  assert.equal(o.config, img.config_digest);
  assert.equal(o.source, `fetched from the registry: ${ref}`);
  assert.equal(await page.textContent('.file-tab .tab-name'), ref);
  assert.equal(await page.textContent('.file-tab .tab-status'), 'verified');
  await page.click('#tab-layers');
  for (const l of img.layers) assert.equal((await H.facts(page, `#view-layers [data-layer="${l.index}"]`)).digest, l.digest);
  await page.click('#tab-overview');
  await H.shot(page, 'registry-overview');
  // The form folds away once an image is shown; "From a registry…" brings it back, focused.
  assert.equal(await page.isVisible('#registry'), false);
  assert.equal(await page.getAttribute('#registry-toggle', 'aria-expanded'), 'false');
  await page.click('#registry-toggle');
  assert.equal(await page.isVisible('#registry'), true);
  assert.equal(await page.getAttribute('#registry-toggle', 'aria-expanded'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'image-ref');
  assert.equal(await page.inputValue('input[name=image-ref]'), ref, 'the reference is kept');
  // The Files view lists the merged filesystem; contents are not kept, and it says so.
  await page.click('#tab-files');
  await page.click('#tree .row[data-path="/etc"]');
  await page.click('#tree .row[data-path="/etc/passwd"]');
  await page.waitForSelector('#file-details .read-error');
  assert.match(await page.textContent('#file-details .read-error'), /^File contents of a registry image are not kept in the page; save the image as a tarball to read its files\.$/);
  assert.equal(await page.isVisible('#file-details [data-action="download-file"]'), false);
  assert.match(await page.textContent('#file-details .facts'), /Size30 bytes/);
  await H.shot(page, 'registry-files');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('a multi-platform image: the platform field picks the manifest, as --platform does', async () => {
  open.push(H.fixture(tmp, 'multiplatform'), 'multi:1', { all: true });
  const ref = `${open.host}/multi:1`;
  {
    const { page, state, verdict } = await fetchInPage(ref);
    assert.equal(state, 'done');
    assert.equal(verdict, 'verified');
    const want = await assertExportEqualsCli(page, ref);
    assert.equal(want.json.images[0].platform, 'linux/amd64');
    assert.equal(await page.textContent('[data-fact=platform]'), 'linux/amd64 (the registry also has linux/arm64/v8)');
    await page.close();
  }
  const { page, state, verdict } = await fetchInPage(ref, { platform: 'linux/arm64' });
  assert.equal(state, 'done');
  assert.equal(verdict, 'verified');
  const want = await assertExportEqualsCli(page, ref, ['--platform', 'linux/arm64']);
  assert.equal(want.json.images[0].platform, 'linux/arm64/v8');
  assert.equal(await page.textContent('[data-fact=platform]'), 'linux/arm64/v8 (the registry also has linux/amd64)');
  // The index check and the platform manifest's check are both there.
  assert.equal(want.json.images[0].checks.filter((c) => c.what === 'manifest_digest' && c.status === 'verified').length, 2);
  await H.shot(page, 'registry-platform');
  assert.deepEqual(await page.problems(), []);
  await page.close();
  // A platform the index does not have: said in words, with the ones it has.
  const none = await fetchInPage(ref, { platform: 'linux/ppc64le' });
  assert.equal(none.state, 'error');
  assert.match(await none.page.textContent('#failure-words'), /linux\/arm64\/v8/);
  await none.page.close();
});

test('a registry without CORS headers: the page explains CORS and what the registry must send', async () => {
  bare.push(H.fixture(tmp, 'oci'), 'nocors:1');
  const ref = `${bare.host}/nocors:1`;
  assert.equal(cliRef(ref).code, 0, 'the CLI (no browser, no CORS) reads it');
  const { page, state, verdict } = await fetchInPage(ref);
  assert.equal(state, 'error');
  assert.equal(verdict, undefined);
  assert.equal(await page.textContent('#failure-title'), `The image “${ref}” could not be fetched`);
  const words = await page.textContent('#failure-words');
  assert.match(words, new RegExp(`^The browser blocked the answer from http://${bare.host}: the registry does not allow cross-origin requests from ${server.origin} \\(CORS\\)`));
  assert.match(words, /Access-Control-Allow-Origin/);
  assert.match(words, /Access-Control-Expose-Headers: Docker-Content-Digest, WWW-Authenticate/);
  assert.match(words, /Docker Hub sends no CORS headers/);
  assert.equal(await page.isVisible('#failure-detail'), false, 'the technical detail is one click away');
  await page.click('#failure summary');
  const detail = await page.textContent('#failure-detail');
  assert.equal(detail, `io error\n\nRequests (GET only):\nGET http://${bare.host}/v2/ (ping): TypeError: Failed to fetch\n`
    + `GET http://${bare.host}/v2/ (no-cors probe): an answer arrived, unreadable to the page`);
  assert.equal(await page.textContent('.file-tab .tab-status'), 'not fetched');
  assert.equal(await page.isVisible('#registry'), true, 'the form is back to try again');
  assert.equal(await page.isVisible('[data-action="download-json"]'), false);
  await H.shot(page, 'registry-no-cors');
  assert.deepEqual((await page.problems()).filter(networkNoise), []);
  await page.close();
});

test('a registry that does not expose Docker-Content-Digest: the tag\'s manifest digest cannot be checked, and the page says so', async () => {
  unexposed.push(H.fixture(tmp, 'oci'), 'hidden:1');
  const ref = `${unexposed.host}/hidden:1`;
  const { page, state, verdict } = await fetchInPage(ref);
  assert.equal(state, 'done');
  assert.equal(verdict, 'verified', 'every blob is still checked against the manifest');
  const got = JSON.parse((await H.download(page, '[data-action="download-json"]')).bytes.toString());
  const check = got.images[0].checks.find((c) => c.what === 'manifest_digest');
  assert.equal(check.status, 'not_checkable');
  assert.match(await page.textContent('#verdict'), /1 check could not be made: the tag was resolved without a Docker-Content-Digest header, so there is nothing to compare with\./);
  // The CLI sees the header; the reports differ in that one check only.
  const want = cliRef(ref).json;
  assert.equal(want.images[0].checks.find((c) => c.what === 'manifest_digest').status, 'verified');
  want.images[0].checks = want.images[0].checks.filter((c) => c.what !== 'manifest_digest');
  got.images[0].checks = got.images[0].checks.filter((c) => c.what !== 'manifest_digest');
  assert.deepEqual(got, want);
  await page.close();
});

test('an unreachable registry and a missing tag: said in words', async () => {
  const gone = await fetchInPage(`127.0.0.1:${closedPort}/nothing:1`);
  assert.equal(gone.state, 'error');
  assert.match(await gone.page.textContent('#failure-words'), new RegExp(`^Cannot reach http://127\\.0\\.0\\.1:${closedPort}/v2/: TypeError: Failed to fetch \\(the registry is not reachable: check the host name and port, and that it is running\\)\\.$`));
  assert.deepEqual((await gone.page.problems()).filter(networkNoise), []);
  await gone.page.close();
  const missing = await fetchInPage(`${open.host}/team/sample:no-such-tag`);
  assert.equal(missing.state, 'error');
  assert.match(await missing.page.textContent('#failure-words'), /was not found \(404\): check the repository name and tag/);
  await missing.page.close();
  // A reference the core cannot parse is refused before anything is sent.
  const n = browser.calls.length;
  const bad = await fetchInPage(`${open.host}/UPPER/case:1`);
  assert.equal(bad.state, 'error');
  assert.match(await bad.page.textContent('#failure-words'), /is not an image reference: the repository name must be lowercase/);
  assert.deepEqual(browser.calls.slice(n).filter((c) => c.url.startsWith(open.origin)), [], 'nothing was sent');
  await bad.page.close();
});

test('a blob changed in the registry\'s storage: verdict mismatch, the layer named', async () => {
  tampered.push(H.fixture(tmp, 'oci'), 'app:1');
  const ref = `${tampered.host}/app:1`;
  const layer = cliRef(ref).json.images[0].layers[1];
  const data = tampered.blobFile(layer.digest);
  const bytes = fs.readFileSync(data);
  bytes[Math.floor(bytes.length / 2)] ^= 1;
  fs.writeFileSync(data, bytes);
  const { page, state, verdict } = await fetchInPage(ref);
  assert.equal(state, 'done');
  assert.equal(verdict, 'mismatch');
  const want = await assertExportEqualsCli(page, ref);
  assert.equal(want.code, 3);
  assert.equal(await page.textContent('#verdict .verdict-text'), 'Integrity failure: layer 1 does not match');
  assert.equal(await page.textContent('.file-tab .tab-status'), 'does not match');
  await page.click('#tab-layers');
  assert.equal(await page.textContent('[data-layer="1"] h3 .badge'), 'does not match');
  assert.equal(await page.textContent('[data-layer="0"] h3 .badge'), 'verified');
  const check = want.json.images[0].layers[1].checks.find((c) => c.what === 'blob_digest');
  assert.equal(check.status, 'mismatch');
  assert.equal(check.expected, layer.digest);
  const cells = await page.$$eval('[data-layer="1"] tr[data-check=blob_digest] td', (tds) => tds.map((t) => t.textContent));
  assert.deepEqual(cells.slice(1, 4), ['DOES NOT MATCH', check.expected, check.actual]);
  await H.shot(page, 'registry-tampered');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('Basic auth behind nginx (the README\'s config): wrong password explained, right one works, the password stays in memory', async () => {
  const creds = { user: USER, pass: PASSWORD };
  // Pushed through nginx: its config passes pushes too.
  locked.push(H.fixture(tmp, 'oci'), 'private/app:2', { creds, via: proxy.host });
  const ref = `${proxy.host}/private/app:2`;
  {
    // A proxy that allows the page but hides WWW-Authenticate (no Expose-Headers): the page
    // cannot follow the challenge, and its request log says why.
    const hiding = await startHidingProxy(locked.port);
    const { page, state } = await fetchInPage(`${hiding.host}/private/app:2`, { username: USER, password: PASSWORD });
    assert.equal(state, 'error');
    await page.click('#failure summary');
    assert.match(await page.textContent('#failure-detail'), new RegExp(`GET http://${hiding.host}/v2/ \\(ping\\): 401 \\(no WWW-Authenticate header is readable: the registry does not list it in Access-Control-Expose-Headers\\)`));
    await page.close();
    await hiding.close();
    hidingOrigin = hiding.origin;
  }
  {
    const { page, state } = await fetchInPage(ref);
    assert.equal(state, 'error');
    assert.match(await page.textContent('#failure-words'), /^The registry requires credentials \(401, Basic\): give a username and password\.$/);
    await page.close();
  }
  {
    const { page, state } = await fetchInPage(ref, { username: USER, password: 'not-the-password' });
    assert.equal(state, 'error');
    assert.equal(await page.textContent('#failure-words'), 'The registry rejected the credentials (401): check the username and password or token.');
    await H.shot(page, 'registry-wrong-password');
    assert.deepEqual((await page.problems()).filter(networkNoise), []);
    await page.close();
  }
  const { page, state, verdict } = await fetchInPage(ref, { username: USER, password: PASSWORD });
  assert.equal(state, 'done', await page.textContent('#failure-words').catch(() => ''));
  assert.equal(verdict, 'verified');
  const want = await assertExportEqualsCli(page, ref, ['--username', USER], PASSWORD);
  assert.equal(want.code, 0);
  // The password (or the Basic credentials made of it) is nowhere: not in the report, the DOM,
  // the storage of the page, or any URL the browser asked for.
  const leaks = (text) => text.includes(PASSWORD) || text.includes(BASIC);
  assert.ok(!leaks(want.got), 'not in the exported JSON');
  assert.equal(await page.inputValue('input[name=password]'), '', 'the field is cleared once the fetch has it');
  const dom = await page.evaluate(() => document.documentElement.outerHTML + document.body.innerText + document.title);
  assert.ok(!leaks(dom), 'not in the DOM');
  const stored = await page.evaluate(() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie]));
  assert.equal(stored, '[[],[],""]', 'nothing stored');
  assert.ok(!browser.calls.some((c) => leaks(decodeURIComponent(c.url))), 'not in any URL');
  await H.shot(page, 'registry-auth');
  assert.deepEqual(await page.problems(), []);
  await page.close();
  // nginx answered the preflights itself (204) and passed only GETs on.
  const seen = proxy.requests().filter((r) => /Chrome/.test(r.agent));
  assert.ok(seen.some((r) => r.method === 'OPTIONS'), 'preflights were sent (Authorization, Accept)');
  assert.deepEqual([...new Set(seen.map((r) => r.method))].sort(), ['GET', 'OPTIONS']);
  for (const r of seen.filter((x) => x.method === 'OPTIONS')) assert.equal(r.status, 204);
  assert.ok(seen.some((r) => r.method === 'GET' && r.status === 401), 'the challenge reached the page (CORS headers on the 401)');
  // The registry behind sends its own CORS headers too: nginx replaces them, never doubles them.
  assert.equal((await fetch(`${locked.origin}/v2/`, { headers: { Origin: server.origin } })).headers.get('access-control-allow-origin'), '*');
  const res = await fetch(`${proxy.origin}/v2/`, { headers: { Origin: server.origin } });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('access-control-allow-origin'), '*', 'exactly one Access-Control-Allow-Origin');
  assert.equal(res.headers.get('access-control-expose-headers'), 'Docker-Content-Digest, WWW-Authenticate, Retry-After, Link');
});

test('Docker Hub references are explained before anything is sent', async () => {
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base);
  // The worker kept for the next file has loaded its files (the page's own): count from here.
  await page.waitForSelector('body[data-engine=ready]');
  const n = browser.calls.length;
  for (const ref of ['alpine', 'docker.io/library/alpine:3.20', 'bitnami/redis:7', 'index.docker.io/library/busybox']) {
    await page.fill('input[name=image-ref]', ref);
    await page.click('[data-action="fetch"]');
    const hint = await page.textContent('#registry-hint');
    assert.match(hint, /^Docker Hub images cannot be read by a web page\. Docker Hub sends no CORS headers/, ref);
    assert.ok(hint.includes(`porthole inspect ${ref}`), ref);
    assert.ok(hint.includes(`docker save ${ref}`), ref);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle', ref);
    assert.equal(await page.locator('.file-tab').count(), 0, ref);
  }
  await H.shot(page, 'registry-docker-hub');
  await page.fill('input[name=image-ref]', `${open.host}/x:1`);
  assert.equal(await page.isVisible('#registry-hint'), false, 'not a Hub reference: the advice goes');
  assert.deepEqual(browser.calls.slice(n), [], 'nothing was requested');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('progress while a big layer arrives, and Cancel aborting the fetch', async () => {
  pushBig();
  const ref = `${slow.host}/big:1`;
  const page = await H.newPage(browser.ctx);
  const workers = [];
  page.on('worker', (w) => workers.push({ w, closed: new Promise((r) => w.on('close', r)) }));
  await page.goto(server.base);
  await page.fill('input[name=image-ref]', ref);
  await page.click('[data-action="fetch"]');
  await page.waitForFunction(() => /^Layer 1 of 1: sha256:/.test(document.getElementById('progress-layer').textContent));
  await page.waitForFunction(() => document.getElementById('progress-bar').value > 1 << 20);
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'working');
  assert.equal(await page.textContent('#progress-title'), `Fetching ${ref}`);
  assert.match(await page.textContent('#progress-text'), /^[\d.]+ MiB of 2\d MiB received \(\d+ %\), (\d+|…) MB\/s$/);
  assert.match(await page.textContent('#progress-layer'), /^Layer 1 of 1: sha256:[0-9a-f]{12}…, 2\d MiB$/);
  assert.equal(await page.locator('#plan tbody tr').count(), 1);
  assert.match(await page.textContent('.file-tab .tab-status'), /^\d+ %$/);
  await H.shot(page, 'registry-progress');
  const aborted = slow.aborted;
  await page.click('#cancel');
  await workers[0].closed;
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle');
  assert.equal(await page.textContent('#notice'), `Stopped fetching ${ref}.`);
  // The blob download was cut off, not left running.
  const t0 = Date.now();
  while (slow.aborted === aborted && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
  assert.equal(slow.aborted, aborted + 1, 'the layer download was aborted');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('a registry image\'s secrets: listed, and "reveal" says the contents are not kept', async () => {
  const file = path.join(tmp, 'leaky.tar');
  fs.writeFileSync(file, secretsImage());
  open.push(file, 'leaky:1', { transport: 'docker-archive' });
  const ref = `${open.host}/leaky:1`;
  const { page, state } = await fetchInPage(ref);
  assert.equal(state, 'done');
  const want = await assertExportEqualsCli(page, ref);
  assert.ok(want.json.images[0].secrets.length >= 2);
  await page.click('#tab-secrets');
  await page.click('#view-secrets tr[data-rule="aws-access-key-id"] [data-action="reveal"]');
  await page.waitForSelector('#view-secrets [data-reveal-error]');
  assert.match(await page.textContent('#view-secrets [data-reveal-error]'), /file contents of a registry image are not kept in the page/);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('a connection that breaks in the middle of a layer: the report says what is missing', async () => {
  pushBig();
  const ref = `${flaky.host}/big:1`;
  const { page, state, verdict } = await fetchInPage(ref);
  assert.equal(state, 'done');
  assert.equal(verdict, 'incomplete');
  assert.match(await page.textContent('#verdict .verdict-text'), /^Incomplete: /);
  await page.click('#tab-errors');
  const errors = await page.$$eval('#view-errors li > p', (ps) => ps.map((p) => p.textContent));
  assert.match(errors[0], new RegExp(`^The answer from http://${flaky.host}/v2/big/blobs/sha256:[0-9a-f]{64} broke off after \\d+ bytes: TypeError`));
  await H.shot(page, 'registry-broken-off');
  assert.deepEqual((await page.problems()).filter(networkNoise), []);
  await page.close();
});

test('the single-file page (file://) fetches from a registry too', async () => {
  assert.ok(fs.existsSync(H.singleHtml), `${H.singleHtml} is missing: run make single`);
  const ref = `${open.host}/team/sample:1.0`;
  const page = await H.newPage(browser.ctx);
  await page.goto(pathToFileURL(H.singleHtml).href);
  await page.fill('input[name=image-ref]', ref);
  await page.click('[data-action="fetch"]');
  const { state, verdict } = await H.waitSettled(page);
  assert.equal(state, 'done');
  assert.equal(verdict, 'verified');
  await assertExportEqualsCli(page, ref);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('every request: GET, HEAD or OPTIONS, only to the page\'s origin and the registries named', () => {
  const allowed = [server.base, pathToFileURL(H.singleHtml).href, ...[open, bare, unexposed, tampered, proxy, slow, flaky].map((s) => `${s.origin}/`), `http://127.0.0.1:${closedPort}/`, ...(hidingOrigin ? [`${hidingOrigin}/`] : [])];
  assert.deepEqual(H.foreignRequests(browser.requests, allowed), []);
  assert.deepEqual(H.unsafeMethods(browser.calls), []);
  const count = (m) => browser.calls.filter((c) => c.method === m).length;
  console.log(`${browser.calls.length} requests recorded: ${count('GET')} GET, ${count('HEAD')} HEAD, ${count('OPTIONS')} OPTIONS`);
  // The recording saw the registries (and the page).
  for (const s of [open, bare, unexposed, tampered, proxy, slow, flaky]) assert.ok(browser.calls.some((c) => c.url.startsWith(`${s.origin}/v2/`)), s.origin);
  // The registries' own logs agree: the browser sent them nothing but GET (and OPTIONS).
  for (const s of [open, bare, unexposed, tampered]) {
    const m = new Set(s.browserMethods());
    assert.ok(m.has('GET'), `${s.origin} saw the browser`);
    assert.deepEqual([...m].filter((x) => !['GET', 'HEAD', 'OPTIONS'].includes(x)), [], s.origin);
  }
});

test('the password is in no file Chromium wrote (profile, cache, session)', async () => {
  await browser.ctx.close(); // flushes the profile to disk
  const needles = [PASSWORD, BASIC].flatMap((t) => [Buffer.from(t, 'utf8'), Buffer.from(t, 'utf16le')]);
  const hits = [];
  let files = 0;
  let control = false; // the scan does see what Chromium keeps: the page's URL (history)
  const url = Buffer.from(server.base);
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files++;
        const bytes = fs.readFileSync(p);
        if (needles.some((n) => bytes.includes(n))) hits.push(p);
        if (bytes.includes(url)) control = true;
      }
    }
  };
  for (const d of fs.readdirSync(tmp).filter((n) => n.startsWith('profile-'))) walk(path.join(tmp, d));
  assert.ok(files > 10 && control, `the profile was found and read (${files} files)`);
  assert.deepEqual(hits, []);
});

/** A pass-through to 127.0.0.1:`port` that answers preflights and allows any origin, but
 *  exposes no header (a common half-done CORS setup). */
async function startHidingProxy(port) {
  const srv = http.createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'Authorization, Accept' });
      res.end();
      return;
    }
    const up = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      const headers = { ...ur.headers, 'access-control-allow-origin': '*' };
      delete headers['access-control-expose-headers'];
      res.writeHead(ur.statusCode, headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const p = srv.address().port;
  return { host: `127.0.0.1:${p}`, origin: `http://127.0.0.1:${p}`, close: () => new Promise((r) => { srv.closeAllConnections(); srv.close(r); }) };
}

/** A pass-through to 127.0.0.1:`port` that sends blob bodies at `rate` bytes/s (and cuts the
 *  connection after `breakAfter` bytes of a blob, if given); counts the answers the client hung
 *  up on (`aborted`). */
async function startThrottle(port, rate, { breakAfter = Infinity } = {}) {
  const state = { aborted: 0 };
  const srv = http.createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode, ur.headers);
      if (!/\/blobs\//.test(req.url)) return ur.pipe(res);
      const STEP = 32 << 10;
      let sent = 0;
      ur.pipe(new Transform({
        transform(chunk, _, done) {
          let i = 0;
          const next = () => {
            if (sent >= breakAfter) return res.destroy(); // the network drops mid-blob
            if (i >= chunk.length || res.destroyed) return done();
            sent += Math.min(STEP, chunk.length - i);
            this.push(chunk.subarray(i, i + STEP));
            i += STEP;
            setTimeout(next, (1000 * STEP) / rate);
          };
          next();
        },
      })).pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
    res.on('close', () => {
      if (!res.writableFinished) {
        state.aborted++;
        up.destroy();
      }
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const p = srv.address().port;
  return Object.assign(state, {
    port: p,
    host: `127.0.0.1:${p}`,
    origin: `http://127.0.0.1:${p}`,
    close: () => new Promise((r) => { srv.closeAllConnections(); srv.close(r); }),
  });
}
