// "Browse a registry" in real Chromium against Debian's docker-registry: 5,000 repositories made
// through the API (so the catalog comes in five pages of 1,000 and the list renders a few
// hundred rows at a time), a repository of 2,000 tags, a repository with tags whose digests,
// sizes, dates and platforms the registry gives, a tag opened as "Fetch and inspect" opens it,
// a password-protected registry (behind the README's nginx) listed with and without
// credentials, and its catalog refused to a wrong password. The browser only
// ever sends GET, HEAD and OPTIONS, and only to the page's origin and the registries named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import * as R from './lib/registry.mjs';
import { tar } from './lib/images.mjs';

const tmp = H.tmpDir('browse');
const USER = 'carol';
const PASSWORD = 'pw-Browse-7731';
const REPOS = 5000;
const TAGS = 2000;

let server;
let browser;
let open;
let locked;
let proxy;
const image = testImage();
const newer = testImage('2026-06-01T00:00:00Z');

/** A one-layer OCI image with a creation time and a label: { manifest, mediaType, blobs, size,
 *  digest }. */
function testImage(created = '2026-05-04T03:02:01Z') {
  const sha = (b) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;
  const layer = tar([{ name: 'etc/' , type: '5', mode: 0o755 }, { name: 'etc/hello.txt', data: 'hello from the browse test\n' }]);
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created,
    config: { Labels: { 'org.opencontainers.image.title': 'browse-test' } },
    rootfs: { type: 'layers', diff_ids: [sha(layer)] },
  }));
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
  }));
  return { manifest, mediaType, blobs: [config, layer], size: config.length + layer.length, digest: sha(manifest) };
}

const repoName = (i) => `team/app-${String(i).padStart(4, '0')}`;

before(async () => {
  R.need('docker-registry', 'nginx', 'htpasswd');
  server = await H.startServer();
  browser = await H.launch(tmp);
  open = await R.startRegistry(path.join(tmp, 'open'));
  const t0 = Date.now();
  await R.populate(open.origin, image, Array.from({ length: REPOS }, (_, i) => repoName(i)), ['1.0']);
  await R.populate(open.origin, image, [repoName(7)], ['1.1', '2.0']);
  await R.populate(open.origin, newer, [repoName(7)], ['latest']);
  await R.populate(open.origin, image, ['team/many-tags'], Array.from({ length: TAGS }, (_, i) => `v${i}`));
  console.log(`${REPOS} repositories and ${TAGS} tags made through the API in ${Date.now() - t0} ms`);
  const pw = R.htpasswd(path.join(tmp, 'htpasswd'), USER, PASSWORD);
  locked = await R.startRegistry(path.join(tmp, 'locked'), { htpasswdFile: pw });
  await R.populate(locked.origin, image, ['secret/app'], ['1'], { auth: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` });
  proxy = await R.startNginx(path.join(tmp, 'nginx'), locked.port);
});

after(async () => {
  await browser?.ctx.close();
  await server?.close();
  for (const s of [proxy, locked, open]) await s?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function browse(page, target, { username = '', password = '' } = {}) {
  await page.fill('input[name=image-ref]', target);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('[data-action="browse"]');
}

test('a registry of 5,000 repositories: every catalog page, a few hundred rows at a time, a filter', async () => {
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base);
  const n = browser.calls.length;
  await browse(page, open.host);
  const total = REPOS + 1; // and team/many-tags
  await page.waitForFunction((want) => document.getElementById('browse-status')?.textContent.startsWith(want), `${total} repositories in ${open.host}`, { timeout: 60000 });
  const catalogPages = browser.calls.slice(n).filter((c) => c.url.includes('/v2/_catalog'));
  assert.equal(catalogPages.length, 6, catalogPages.map((c) => c.url).join('\n'));
  assert.match(catalogPages[5].url, /last=/);
  // Rendered progressively: the first rows, then more as the list scrolls.
  const rows = () => page.locator('#browse-repos li').count();
  assert.ok(await rows() <= 600, `${await rows()} rows at first`);
  await page.locator('#browse-more').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll('#browse-repos li').length >= 600);
  // Filter.
  await page.fill('#browse-filter', 'app-4042');
  await page.waitForFunction(() => document.querySelectorAll('#browse-repos li').length === 1);
  assert.equal(await page.locator('#browse-repos li').innerText(), 'team/app-4042');
  // A repository of 2,000 tags: all listed, a few hundred rows shown, only those in view
  // described (not 2,000 HEADs at once).
  await page.fill('#browse-filter', 'many-tags');
  await page.click('#browse-repos button[data-repo="team/many-tags"]');
  await page.waitForFunction((want) => document.getElementById('browse-status')?.textContent.startsWith(want), `${TAGS} tags in ${open.host}/team/many-tags`, { timeout: 60000 });
  assert.ok(await page.locator('#browse-tags tbody tr').count() <= 600);
  await page.waitForFunction(() => document.querySelector('#browse-tags tbody tr[data-described="true"]'), null, { timeout: 30000 });
  await new Promise((r) => setTimeout(r, 1000));
  const heads = browser.calls.filter((c) => c.method === 'HEAD' && c.url.includes('/team/many-tags/manifests/')).length;
  assert.ok(heads > 0 && heads < 300, `${heads} HEADs for the rows in view`);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('a repository\'s tags: digests, then size, date and platforms; newest first; a tag opens as "Fetch and inspect" does', async () => {
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base);
  await browse(page, open.host);
  await page.waitForSelector('#browse-repos li');
  await page.fill('#browse-filter', 'app-0007');
  await page.click('#browse-repos button[data-repo="team/app-0007"]');
  await page.waitForFunction(() => document.querySelectorAll('#browse-tags tbody tr[data-described="true"]').length === 4, null, { timeout: 30000 });
  const rows = await page.$$eval('#browse-tags tbody tr', (trs) => trs.map((tr) => [...tr.children].slice(0, 5).map((td) => td.title || td.textContent)));
  assert.deepEqual(rows.map((r) => r[0]), ['1.0', '1.1', '2.0', 'latest']);
  for (const r of rows) {
    const img = r[0] === 'latest' ? newer : image;
    assert.equal(r[1], img.digest);
    assert.equal(r[2], `${img.size} bytes (config and layers, compressed)`);
  }
  assert.deepEqual(rows.map((r) => r[3]), ['2026-05-04T03:02:01Z', '2026-05-04T03:02:01Z', '2026-05-04T03:02:01Z', '2026-06-01T00:00:00Z']);
  // The config's labels, as text.
  assert.equal(await page.locator('#browse-tags tr[data-tag="1.0"] td.labels').innerText(), 'org.opencontainers.image.title=browse-test');
  // Newest first.
  await page.selectOption('#browse-sort', 'date');
  assert.equal(await page.locator('#browse-tags tbody tr').first().getAttribute('data-tag'), 'latest');
  await page.selectOption('#browse-sort', 'name-desc');
  assert.deepEqual(await page.$$eval('#browse-tags tbody tr', (trs) => trs.map((tr) => tr.dataset.tag)), ['latest', '2.0', '1.1', '1.0']);
  // Only GET and HEAD went to the registry for that (a HEAD per tag).
  const heads = browser.calls.filter((c) => c.method === 'HEAD' && c.url.includes('/team/app-0007/manifests/'));
  assert.equal(heads.length, 4);
  // Back to the catalog, and open a tag.
  assert.ok(await page.locator('#browse-back').isVisible());
  await page.click('#browse-tags tr[data-tag="2.0"] [data-action="inspect-tag"]');
  const settled = await H.waitSettled(page, 60000);
  assert.equal(settled.state, 'done');
  assert.equal(settled.verdict, 'verified');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('a password-protected registry: refused without credentials, listed with them (nginx as the README shows)', async () => {
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base);
  await browse(page, proxy.host);
  await page.waitForSelector('#browse-status.bad-text', { timeout: 30000 });
  assert.match(await page.locator('#browse-status').innerText(), /requires credentials/);
  // A wrong password: the catalog is refused, with what to do instead.
  await browse(page, proxy.host, { username: USER, password: 'wrong' });
  await page.waitForSelector('#browse-status.bad-text', { timeout: 30000 });
  assert.match(await page.locator('#browse-status').innerText(), /refuses to list its repositories.*name a repository instead/);
  await browse(page, proxy.host, { username: USER, password: PASSWORD });
  await page.waitForFunction((host) => document.getElementById('browse-status')?.textContent === `1 repository in ${host}`, proxy.host, { timeout: 30000 });
  await page.click('#browse-repos button[data-repo="secret/app"]');
  await page.waitForFunction(() => document.querySelector('#browse-tags tbody tr[data-described="true"]'), null, { timeout: 30000 });
  assert.equal(await page.locator('#browse-tags tbody tr td').nth(1).innerText(), image.digest);
  // The password is nowhere but in memory: not in the page's text, not in a URL.
  assert.ok(!(await page.content()).includes(PASSWORD));
  assert.ok(!browser.calls.some((c) => decodeURIComponent(c.url).includes(PASSWORD)));
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

/** A copy of www/ whose policy allows `registries` (as `make web REGISTRIES=…` writes it),
 *  served with that policy as its header too: { server, header }. */
async function siteAllowing(name, registries) {
  const dir = path.join(tmp, name);
  fs.cpSync(H.www, dir, { recursive: true });
  const r = spawnSync('node', [path.join(H.www, 'tools/registries.mjs'), '--www', dir, ...registries]);
  assert.equal(r.status, 0, r.stderr.toString());
  const header = fs.readFileSync(path.join(dir, 'csp-header.txt'), 'utf8').trim();
  return { server: await H.startServer({ dir, headers: { 'content-security-policy': header } }), header };
}

test('a plain-http registry off loopback: refused by the page\'s policy, allowed with REGISTRIES (its name mapped to 127.0.0.1)', async () => {
  const name = 'registry.intranet.test';
  const intranet = `http://${name}:${open.port}`;
  const chromium = await H.launch(tmp, [`--host-resolver-rules=MAP ${name} 127.0.0.1`]);
  const plain = await siteAllowing('site-default', []);
  const widened = await siteAllowing('site-intranet', [intranet]);
  try {
    assert.ok(!plain.header.includes(name));
    assert.match(widened.header, new RegExp(`connect-src 'self' https: http://localhost:\\* http://127\\.0\\.0\\.1:\\* ${intranet.replace(/\./g, '\\.')};`));
    let page = await chromium.ctx.newPage();
    await page.goto(plain.server.base);
    await browse(page, `${intranet}/${repoName(7)}`);
    await page.waitForSelector('#browse-status.bad-text', { timeout: 30000 });
    assert.match(await page.locator('#browse-status').innerText(), /plain-http registries only on localhost and 127\.0\.0\.1/);
    await page.close();
    page = await chromium.ctx.newPage();
    await page.goto(widened.server.base);
    assert.ok((await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content')).includes(intranet));
    await browse(page, `${intranet}/${repoName(7)}`);
    await page.waitForFunction(() => document.querySelectorAll('#browse-tags tbody tr[data-described="true"]').length === 4, null, { timeout: 30000 });
    assert.ok(chromium.calls.some((c) => c.url.startsWith(`${intranet}/v2/`)));
    assert.deepEqual(H.unsafeMethods(chromium.calls), []);
    await page.close();
  } finally {
    await chromium.ctx.close();
    await plain.server.close();
    await widened.server.close();
  }
});

test('browsing sent only GET, HEAD and OPTIONS, and only to the page and the registries named', () => {
  const allowed = [server.origin, open.origin, proxy.origin];
  assert.deepEqual(H.foreignRequests(browser.requests, allowed), []);
  assert.deepEqual(H.unsafeMethods(browser.calls), []);
});
