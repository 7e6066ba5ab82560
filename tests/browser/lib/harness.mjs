// What every browser test needs: a static server for www/ under a sub-path (the page must work
// under any path), Debian's Chromium via playwright-core with a fresh profile, a record of every
// request the browser makes, and the CLI to compare with.
import { chromium } from 'playwright-core';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { before, after } from 'node:test';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../../..');
export const www = path.join(root, 'www');
export const artifacts = path.join(root, 'tests/browser/artifacts');
// Cargo's output directory: CARGO_TARGET_DIR when set (relative to the repository root, where
// make and npm run), else target/ — as the Makefile's TARGET_DIR.
export const targetDir = path.resolve(root, process.env.CARGO_TARGET_DIR || 'target');
// Overridable so the tests can run against binaries built elsewhere.
export const bin = process.env.PORTHOLE_BIN || path.join(targetDir, 'release/porthole');
export const fixtureBin = process.env.PORTHOLE_FIXTURE || path.join(targetDir, 'release/porthole-fixture');
export const singleHtml = path.join(targetDir, 'single/porthole.html');
export const SUBPATH = '/some/sub/path/';

// Where tests/real-images.sh writes (make test runs it before the browser tests). Outside CI a
// test of them is skipped when they are not built; in CI (CI set, as CI services do) a missing
// image fails it: a test CI always skipped would test nothing.
export const REAL_IMAGES = path.resolve(process.env.REAL_IMAGES_DIR || '/tmp/porthole-real-images');
export const IN_CI = !!process.env.CI && !['false', '0'].includes(process.env.CI);

/** The `skip` option of a test that reads the real image `name`: a reason outside CI when it is
 *  missing, else false. */
export function withoutRealImage(name) {
  return !IN_CI && !fs.existsSync(path.join(REAL_IMAGES, name)) && `no ${REAL_IMAGES}/${name}`;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.tar': 'application/x-tar' };

export function tmpDir(tag) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `porthole-${tag}-`));
}

/** Serves www/ at http://127.0.0.1:PORT/some/sub/path/ and nothing anywhere else; with
 *  `vulndb` (a directory), that directory as the page's vulndb/ (a database its host placed
 *  beside it); `dir`: another copy of www/; `headers`: sent with every file (a host's
 *  Content-Security-Policy header). */
export async function startServer({ vulndb, dir: site = www, headers = {} } = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith(SUBPATH)) return res.writeHead(404).end();
    let rel = decodeURIComponent(url.pathname.slice(SUBPATH.length)) || 'index.html';
    let dir = site;
    if (vulndb && rel.startsWith('vulndb/')) {
      dir = vulndb;
      rel = rel.slice('vulndb/'.length);
    }
    const file = path.join(dir, rel);
    if (!file.startsWith(dir + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) return res.writeHead(404).end();
    res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, base: `${origin}${SUBPATH}`, close: () => new Promise((r) => server.close(r)) };
}

/** Chromium with a fresh profile; `requests` collects every URL the browser asks for, `calls`
 *  every request as { method, url } (workers' requests included); `args`: more switches. */
export async function launch(tmp, args = []) {
  const ctx = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(tmp, 'profile-')), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...args],
  });
  const requests = [];
  const calls = [];
  ctx.on('request', (r) => {
    requests.push(r.url());
    calls.push({ method: r.method(), url: r.url() });
  });
  return { ctx, requests, calls };
}

/** Requests to anything but `allowed` origins (blob: and data: are in-page). */
export function foreignRequests(requests, allowed) {
  return requests.filter((u) => !u.startsWith('blob:') && !u.startsWith('data:') && !allowed.some((a) => u.startsWith(a)));
}

/** Requests with a method other than GET, HEAD or OPTIONS (the page only ever reads). */
export function unsafeMethods(calls) {
  return calls.filter((c) => !['GET', 'HEAD', 'OPTIONS'].includes(c.method));
}

/**
 * A page that records problems: uncaught errors, console errors, CSP violations and any
 * dialog (an alert() would mean image text ran as HTML). `problems()` returns them.
 */
export async function newPage(ctx) {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // The page asks its own origin for vulndb/index.json at start (a database its host may place
  // beside it): the browser logs the 404 of a site without one, which is expected.
  const expected404 = (m) => m.location().url.endsWith('/vulndb/index.json') && /status of 404/.test(m.text());
  page.on('console', (m) => { if (m.type() === 'error' && !expected404(m)) problems.push(`console: ${m.text()}`); });
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window.__violations ||= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.problems = async () => problems.concat(await page.evaluate(() => window.__violations || []).catch(() => []));
  return page;
}

/** For a test file that needs the page served and a browser: starts both before its tests and
 *  ends them (and removes its temp dir) after. Returns { tmp, server, browser } (the last two
 *  set once `before` has run). */
export function servedBrowser(tag, serverOptions = {}) {
  const env = { tmp: tmpDir(tag), server: null, browser: null };
  before(async () => {
    env.server = await startServer(serverOptions);
    env.browser = await launch(env.tmp);
  });
  after(async () => {
    await env.browser?.ctx.close();
    await env.server?.close();
    fs.rmSync(env.tmp, { recursive: true, force: true });
  });
  return env;
}

export async function waitSettled(page, timeout = 60000) {
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, { timeout });
  return page.evaluate(() => ({ state: document.body.dataset.state, verdict: document.body.dataset.verdict }));
}

/** Clicks a control that downloads something; returns { name, bytes }. */
export async function download(page, selector) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: d.suggestedFilename(), bytes: fs.readFileSync(await d.path()) };
}

/** `porthole inspect FILE --json --files`: { code, text (stdout), json }. */
export function cli(file) {
  const r = spawnSync(bin, ['inspect', file, '--json', '--files'], { maxBuffer: 1 << 30, env: { ...process.env, PORTHOLE_VULN_DB: '' } });
  const text = r.stdout.toString();
  return { code: r.status, text, json: text ? JSON.parse(text) : null, stderr: r.stderr.toString() };
}

/** `porthole inspect FILE --json --files ARGS…` (e.g. `['--limit', 'layers=1']`), run in `cwd`
 *  (default: this process's): as cli(). */
export function cliWith(file, args, cwd = undefined) {
  const r = spawnSync(bin, ['inspect', file, '--json', '--files', ...args], { maxBuffer: 1 << 30, cwd, env: { ...process.env, PORTHOLE_VULN_DB: '' } });
  const text = r.stdout.toString();
  return { code: r.status, text, json: text ? JSON.parse(text) : null, stderr: r.stderr.toString() };
}

/** What the page shows for its sample ("Try a sample image", which loads the sample's
 *  advisory and public key too): `porthole inspect www/sample/sample.tar --json --files
 *  --vuln-db sample/vulndb.json --key sample/cosign.pub`, run in www/ (the database and the
 *  key named by their file names, as the page names them). */
export function sampleCli() {
  return cliWith(path.join(www, 'sample/sample.tar'), ['--vuln-db', 'sample/vulndb.json', '--key', 'sample/cosign.pub'], www);
}

/** `porthole sbom FILE --format FORMAT` (spdx-json or cyclonedx-json): { code, text, json }. */
export function sbomCli(file, format) {
  const r = spawnSync(bin, ['sbom', file, '--format', format], { maxBuffer: 1 << 30 });
  const text = r.stdout.toString();
  return { code: r.status, text, json: text ? JSON.parse(text) : null, stderr: r.stderr.toString() };
}

/** Drops `file` on the page as a user would (dragenter, then drop, with a DataTransfer). */
export async function drop(page, file) {
  const dt = await page.evaluateHandle(([b64, name]) => {
    const d = new DataTransfer();
    d.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
    return d;
  }, [fs.readFileSync(file).toString('base64'), path.basename(file)]);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer: dt });
  await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
}

export function fixture(dir, kind) {
  const out = path.join(dir, `${kind}.tar`);
  execFileSync(fixtureBin, [kind, out]);
  return out;
}

/** The visible text of every [data-fact] in `scope` (a selector), as { key: text }. */
export function facts(page, scope) {
  return page.$$eval(`${scope} [data-fact]`, (els) => Object.fromEntries(els.map((e) => [e.dataset.fact, e.textContent])));
}

/** The first integer in a text, thousands separators allowed: "10,077 bytes (9.8 KiB)" → 10077. */
export function firstInt(text) {
  const m = String(text).match(/-?\d[\d,]*/);
  return m ? Number(m[0].replace(/,/g, '')) : NaN;
}

export async function shot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}
