// "Audit" in real Chromium against Debian's docker-registry: without the user's leave only GET,
// HEAD and OPTIONS are sent and the two probes are "not tried"; with it, the upload is started
// and cancelled and the delete of an impossible digest is sent where the registry's CORS policy
// lets the browser send a DELETE (and said to be impossible here where it does not). The checks
// a browser cannot judge (CORS, version disclosure) say so. The storage is unchanged outside
// _uploads/ after every audit, as in the CLI's tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import * as R from './lib/registry.mjs';
import { tar } from './lib/images.mjs';

const tmp = H.tmpDir('audit');
let server;
let browser;
let readme; // the README's CORS policy: GET, HEAD, OPTIONS
let permissive; // CORS that allows POST and DELETE too, and deletion enabled
let locked; // htpasswd, behind Debian's nginx configured as the README shows
let proxy;
const USER = 'dave';
const PASSWORD = 'pw-Audit-5521';

function image() {
  const sha = (b) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;
  const layer = tar([{ name: 'hello.txt', data: 'audit\n' }]);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
  }));
  return { manifest, mediaType, blobs: [config, layer] };
}

/** Every file of the registry's storage and its hash, `_uploads/` left out. */
function storage(reg) {
  const out = {};
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.name === '_uploads') continue;
      if (e.isDirectory()) walk(p);
      else out[path.relative(reg.dir, p)] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(path.join(reg.dir, 'data'));
  return out;
}

before(async () => {
  R.need('docker-registry');
  server = await H.startServer();
  browser = await H.launch(tmp);
  readme = await R.startRegistry(path.join(tmp, 'readme'));
  await R.populate(readme.origin, image(), ['team/app'], ['1']);
  permissive = await R.startRegistry(path.join(tmp, 'permissive'), {
    headers: "  headers:\n    Access-Control-Allow-Origin: ['*']\n    Access-Control-Allow-Methods: [GET, HEAD, OPTIONS, POST, DELETE]\n    Access-Control-Allow-Headers: [Authorization, Accept]\n    Access-Control-Expose-Headers: [Docker-Content-Digest, WWW-Authenticate, Location, Link]\n",
    storage: '  delete:\n    enabled: true\n',
  });
  await R.populate(permissive.origin, image(), ['team/app'], ['1']);
  const pw = R.htpasswd(path.join(tmp, 'htpasswd'), USER, PASSWORD);
  locked = await R.startRegistry(path.join(tmp, 'locked'), { htpasswdFile: pw });
  await R.populate(locked.origin, image(), ['team/app'], ['1'], { auth: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` });
  proxy = await R.startNginx(path.join(tmp, 'nginx'), locked.port);
});

after(async () => {
  await browser?.ctx.close();
  await server?.close();
  for (const s of [proxy, locked, readme, permissive]) await s?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function audit(reg, { write = false } = {}) {
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base);
  await page.fill('input[name=image-ref]', reg.host);
  if (write) await page.check('input[name=audit-write]');
  const n = browser.calls.length;
  await page.click('[data-action="audit"]');
  await page.waitForFunction(() => document.getElementById('audit-status')?.dataset.high != null || document.querySelector('#audit-status.bad-text'), null, { timeout: 60000 });
  const checks = Object.fromEntries(await page.$$eval('#audit [data-check]', (ds) => ds.map((d) => [d.dataset.check, [d.dataset.outcome, d.dataset.severity, d.querySelector('p').textContent]])));
  return { page, checks, calls: browser.calls.slice(n) };
}

test('without leave: only GET, HEAD and OPTIONS; anonymous listing and pulls found; the probes not tried', async () => {
  const before = storage(readme);
  const { page, checks, calls } = await audit(readme);
  assert.deepEqual(checks['anonymous-catalog'].slice(0, 2), ['finding', 'high']);
  assert.deepEqual(checks['anonymous-pull'].slice(0, 2), ['finding', 'high']);
  assert.equal(checks['anonymous-push'][0], 'not_run');
  assert.match(checks['anonymous-push'][2], /not tried/);
  assert.equal(checks['anonymous-delete'][0], 'not_run');
  assert.equal(checks.cors[0], 'not_run');
  assert.match(checks.cors[2], /porthole audit/);
  assert.deepEqual(H.unsafeMethods(calls), [], 'no POST or DELETE without leave');
  assert.deepEqual(storage(readme), before);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('with leave, the README\'s CORS policy: the upload is started (simple POST) and said; the DELETE\'s answer cannot be read from a page', async () => {
  const before = storage(readme);
  const { page, checks, calls } = await audit(readme, { write: true });
  assert.deepEqual(checks['anonymous-push'].slice(0, 2), ['finding', 'high']);
  assert.equal(checks['anonymous-delete'][0], 'not_run');
  assert.match(checks['anonymous-delete'][2], /no answer could be read/);
  // POST only to start an upload; DELETE only to cancel it or to the impossible digest.
  for (const c of H.unsafeMethods(calls)) {
    if (c.method === 'POST') assert.match(c.url, /\/v2\/team\/app\/blobs\/uploads\/$/);
    else assert.match(c.url, /\/v2\/team\/app\/(blobs\/uploads\/[^/]+|manifests\/sha256:c6e7fbaa)/, c.url);
  }
  assert.deepEqual(storage(readme), before, 'nothing changed outside _uploads/');
  await page.close();
});

test('with leave, a registry that allows DELETE from pages and has deletion on: the delete probe finds it', async () => {
  const before = storage(permissive);
  const { page, checks } = await audit(permissive, { write: true });
  assert.deepEqual(checks['anonymous-delete'].slice(0, 2), ['finding', 'high']);
  assert.deepEqual(checks['anonymous-push'].slice(0, 2), ['finding', 'high']);
  assert.match(checks['anonymous-push'][2], /cancelled: HTTP 20\d/);
  assert.deepEqual(storage(permissive), before, 'nothing changed outside _uploads/');
  // The evidence and fixes are shown, as text.
  assert.match(await page.locator('[data-check="anonymous-delete"] .audit-fix').innerText(), /storage\.delete\.enabled/);
  await page.close();
});

test('the CLI audits the registry behind the README\'s nginx: nothing anonymous, nginx\'s version disclosed, CORS without credentials, and what the account may do', () => {
  const before = storage(locked);
  const r = spawnSync(H.bin, ['audit', proxy.host, '--json', '--repo', 'team/app', '--rate', '100', '--username', USER, '--password-stdin'], { input: `${PASSWORD}\n` });
  assert.equal(r.status, 0, r.stderr.toString());
  const audit = JSON.parse(r.stdout.toString());
  const check = (id) => audit.checks.find((c) => c.id === id);
  for (const id of ['anonymous-catalog', 'anonymous-pull', 'anonymous-push', 'anonymous-delete', 'cors']) assert.equal(check(id).outcome, 'pass', `${id}: ${check(id).summary}`);
  assert.deepEqual([check('version-disclosure').outcome, check('version-disclosure').severity], ['finding', 'low']);
  assert.match(check('version-disclosure').summary, /nginx\//);
  assert.equal(check('account-push').outcome, 'finding');
  assert.equal(check('account-delete').outcome, 'pass', 'deletion is off (distribution\'s default)');
  assert.ok(!r.stdout.toString().includes(PASSWORD));
  assert.deepEqual(storage(locked), before);
});

test('the audit asked only the page and the registries named', () => {
  assert.deepEqual(H.foreignRequests(browser.requests, [server.origin, readme.origin, permissive.origin]), []);
});
