// The Packages view in real Chromium, compared with the CLI on the same file (porthole-fixture
// packages: deb, apk, python, npm, gem, composer, nuget, maven and go packages): the type filter
// shows exactly the packages of that type, with the text search on top; a column header sorts
// and a second click reverses (aria-sort says which); the Overview counts packages per type; the
// SBOM buttons save what `porthole sbom` prints, but for the creation time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import { tar, dockerArchive } from './lib/images.mjs';

const tmp = H.tmpDir('packages');
let server;
let browser;
let file; // porthole-fixture packages
let pkgs; // its packages, as the CLI reports them

before(async () => {
  server = await H.startServer();
  browser = await H.launch(tmp);
  file = H.fixture(tmp, 'packages');
  const want = H.cli(file);
  assert.equal(want.code, 0);
  pkgs = want.json.images[0].packages;
});

after(async () => {
  await browser?.ctx.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A page with `f` dropped on it and inspected. */
async function inspect(f) {
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base);
  await H.drop(page, f);
  assert.equal((await H.waitSettled(page)).state, 'done');
  return page;
}

/** The Packages table as the page shows it: one array of cell texts per row. */
const rows = (page) => page.$$eval('#view-packages tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
const cells = (p) => [p.type, p.name, p.version, p.licenses.join(', '), String(p.layer), p.path];
const status = (page) => page.textContent('#view-packages .files-tools [aria-live]');
const TYPE = '#view-packages select[data-filter=type]';
const SEARCH = '#view-packages input[type=search]';

/** [[type, count]], most packages first, then by type: the order the page's summaries use. */
function typeCounts(list) {
  const counts = new Map();
  for (const p of list) counts.set(p.type, (counts.get(p.type) || 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

test('the fixture has packages of every type porthole-fixture writes', () => {
  const types = new Set(pkgs.map((p) => p.type));
  for (const t of ['deb', 'apk', 'python', 'npm', 'gem', 'composer', 'nuget', 'maven', 'go']) assert.ok(types.has(t), `a ${t} package`);
});

test('the type filter shows exactly the CLI\'s packages of that type, the text search narrows it further', async () => {
  const page = await inspect(file);
  await page.click('#tab-packages');
  assert.deepEqual(await rows(page), pkgs.map(cells), 'all packages, in the report\'s order');
  assert.equal(await status(page), `${pkgs.length} packages`);
  const types = [...new Set(pkgs.map((p) => p.type))].sort();
  const options = await page.$$eval(`${TYPE} option`, (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(options, [['', `all types (${pkgs.length})`], ...types.map((t) => [t, `${t} (${pkgs.filter((p) => p.type === t).length})`])]);
  for (const t of types) {
    await page.selectOption(TYPE, t);
    const want = pkgs.filter((p) => p.type === t);
    assert.deepEqual(await rows(page), want.map(cells), t);
    assert.equal(await status(page), `${want.length} of ${pkgs.length} packages`, t);
    assert.deepEqual(await page.$$eval('#view-packages tbody tr', (trs) => [...new Set(trs.map((tr) => tr.dataset.type))]), [t]);
  }
  // Type and text together: MIT-licensed npm packages only, though other types are MIT too.
  await page.selectOption(TYPE, 'npm');
  await page.fill(SEARCH, 'mit');
  const mitNpm = pkgs.filter((p) => p.type === 'npm' && p.licenses.includes('MIT'));
  assert.ok(mitNpm.length >= 1 && pkgs.some((p) => p.type !== 'npm' && p.licenses.includes('MIT')));
  assert.deepEqual(await rows(page), mitNpm.map(cells));
  await page.fill(SEARCH, 'express');
  assert.deepEqual((await rows(page)).map((r) => r[1]), ['express']);
  await page.selectOption(TYPE, 'deb');
  assert.deepEqual(await rows(page), [], 'no deb package says express');
  assert.equal(await status(page), `0 of ${pkgs.length} packages`);
  await page.selectOption(TYPE, '');
  assert.deepEqual((await rows(page)).map((r) => r[1]), ['express'], 'the search stays when the type is reset');
  await page.fill(SEARCH, '');
  assert.deepEqual(await rows(page), pkgs.map(cells));
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

/** The CLI's packages sorted as the page sorts a column: version-aware text, ties in the
 *  report's order (also when reversed). */
const collator = new Intl.Collator('en', { numeric: true });
function sorted(list, key, dir) {
  return list.map((p, i) => ({ p, i })).sort((a, b) => dir * collator.compare(a.p[key], b.p[key]) || a.i - b.i).map(({ p }) => p);
}
const sortState = (page) => page.$$eval('#view-packages thead th', (ths) => ths.map((th) => [th.querySelector('button').dataset.sort, th.getAttribute('aria-sort')]));

test('clicking a column header sorts by it, clicking again reverses; aria-sort tells which', async () => {
  const page = await inspect(file);
  await page.click('#tab-packages');
  const columns = ['type', 'name', 'version', 'licenses', 'layer', 'path'];
  assert.deepEqual(await sortState(page), columns.map((c) => [c, null]), 'the report\'s order: no column sorted');
  for (const key of ['name', 'version']) {
    const header = `#view-packages thead button[data-sort=${key}]`;
    await page.click(header);
    assert.deepEqual(await sortState(page), columns.map((c) => [c, c === key ? 'ascending' : null]), key);
    const up = await rows(page);
    assert.deepEqual(up, sorted(pkgs, key, 1).map(cells), `${key} ascending`);
    await page.click(header);
    assert.deepEqual(await sortState(page), columns.map((c) => [c, c === key ? 'descending' : null]), key);
    const down = await rows(page);
    assert.deepEqual(down, sorted(pkgs, key, -1).map(cells), `${key} descending`);
    // Without ties the second click is the exact reverse.
    if (new Set(pkgs.map((p) => p[key])).size === pkgs.length) assert.deepEqual(down, up.slice().reverse(), `${key}: reversed`);
    assert.notDeepEqual(up, pkgs.map(cells), `${key}: not the report's order`);
  }
  // Versions compare by their numbers: 2.0.9 before 13.0.3.
  await page.click('#view-packages thead button[data-sort=version]');
  const versions = (await rows(page)).map((r) => r[2]);
  assert.ok(versions.includes('2.0.9') && versions.includes('13.0.3'), 'slf4j-api 2.0.9 and Newtonsoft.Json 13.0.3 in the fixture');
  assert.ok(versions.indexOf('2.0.9') < versions.indexOf('13.0.3'), versions.join(' '));
  // The keyboard works too (the headers are buttons), and the sort stays under a filter.
  await page.focus('#view-packages thead button[data-sort=name]');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.selectOption(TYPE, 'go');
  assert.equal(await page.getAttribute('#view-packages thead th:nth-child(2)', 'aria-sort'), 'descending');
  assert.deepEqual(await rows(page), sorted(pkgs.filter((p) => p.type === 'go'), 'name', -1).map(cells));
  await H.shot(page, 'packages-sorted');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('the Overview counts packages per type, as the CLI reports them', async () => {
  const page = await inspect(file);
  const counts = typeCounts(pkgs);
  assert.ok(counts.length >= 9);
  const text = await page.textContent('[data-fact=packages]');
  assert.equal(text, `${pkgs.length} found (${counts.map(([t, n]) => `${n} ${t}`).join(', ')}) — see Packages`);
  assert.equal(H.firstInt(text), pkgs.length);
  const spans = await page.$$eval('[data-fact=packages] [data-type]', (els) => els.map((e) => [e.dataset.type, e.textContent]));
  assert.deepEqual(spans, counts.map(([t, n]) => [t, `${n} ${t}`]));
  assert.equal(await page.textContent('#tab-packages'), `Packages (${pkgs.length})`);
  await page.close();
});

/** An SBOM without what depends on its creation time. */
function timeless(format, doc) {
  const d = structuredClone(doc);
  if (format === 'spdx-json') {
    delete d.creationInfo.created;
    delete d.documentNamespace;
  } else {
    delete d.metadata.timestamp;
    delete d.serialNumber;
  }
  return d;
}

/** Clicks the SBOM button for `format`; checks the file against `porthole sbom` and returns it. */
async function assertSbomEqualsCli(page, f, format, name, label) {
  const button = `#view-packages [data-action="download-sbom"][data-format="${format}"]`;
  assert.equal(await page.isEnabled(button), true, `${label}: enabled`);
  const t0 = Date.now();
  const got = await H.download(page, button);
  assert.equal(got.name, name, label);
  const want = H.sbomCli(f, format);
  assert.equal(want.code, 0);
  const doc = JSON.parse(got.bytes.toString());
  assert.deepEqual(timeless(format, doc), timeless(format, want.json), label);
  // The creation time is the page's clock, made into the same fields the CLI writes.
  const created = format === 'spdx-json' ? doc.creationInfo.created : doc.metadata.timestamp;
  assert.match(created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Math.abs(Date.parse(created) - t0) < 120_000, `${label}: created ${created}, now ${new Date(t0).toISOString()}`);
  const id = format === 'spdx-json' ? doc.documentNamespace : doc.serialNumber;
  const cliId = format === 'spdx-json' ? want.json.documentNamespace : want.json.serialNumber;
  const cliCreated = format === 'spdx-json' ? want.json.creationInfo.created : want.json.metadata.timestamp;
  // Byte for byte the CLI's output once the two time-dependent values are the CLI's.
  assert.equal(got.bytes.toString().replace(created, cliCreated).replace(id, cliId), want.text, `${label}: byte-identical`);
  return doc;
}

test('the SBOM buttons save what `porthole sbom` prints (SPDX 2.3, CycloneDX 1.6), but for the creation time', async () => {
  const page = await inspect(file);
  await page.click('#tab-packages');
  const spdx = await assertSbomEqualsCli(page, file, 'spdx-json', 'example.com_packages_1.spdx.json', 'spdx');
  assert.equal(spdx.spdxVersion, 'SPDX-2.3');
  assert.equal(spdx.packages.length, pkgs.length + 1, 'the image and every package');
  const cdx = await assertSbomEqualsCli(page, file, 'cyclonedx-json', 'example.com_packages_1.cdx.json', 'cyclonedx');
  assert.equal(cdx.specVersion, '1.6');
  assert.deepEqual(cdx.components.map((c) => c.purl), pkgs.map((p) => p.purl));
  // A type filter or a sort changes only the table: the SBOM has every package.
  await page.selectOption(TYPE, 'npm');
  await page.click('#view-packages thead button[data-sort=name]');
  await assertSbomEqualsCli(page, file, 'cyclonedx-json', 'example.com_packages_1.cdx.json', 'cyclonedx, filtered');
  await H.shot(page, 'packages');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('an image without packages: the empty state names what porthole reads, the SBOMs are still there', async () => {
  const oci = H.fixture(tmp, 'oci');
  const img = H.cli(oci).json.images[0];
  assert.equal(img.packages.length, 0);
  const page = await inspect(oci);
  assert.equal(await page.textContent('[data-fact=packages]'), '0 found');
  await page.click('#tab-packages');
  const words = await page.textContent('#view-packages .empty');
  for (const w of ['dpkg', 'apk', 'rpm', 'SQLite', 'Berkeley DB', 'ndb', 'Python', 'npm', 'Ruby gems', 'Composer', '.NET deps.json', 'Java archives (maven)', 'Go build info', 'cargo-auditable Rust binaries']) {
    assert.ok(words.includes(w), `the empty state names ${w}: ${words}`);
  }
  const name = img.name.replace(/[^A-Za-z0-9._-]+/g, '_');
  const spdx = await assertSbomEqualsCli(page, oci, 'spdx-json', `${name}.spdx.json`, 'empty spdx');
  assert.equal(spdx.packages.length, 1, 'the image only');
  const cdx = await assertSbomEqualsCli(page, oci, 'cyclonedx-json', `${name}.cdx.json`, 'empty cyclonedx');
  assert.deepEqual(cdx.components, []);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('HTML in package names, versions and licenses shows as text, sorts and never runs', async () => {
  const f = path.join(tmp, 'html-packages.tar');
  const pkg = (dir, name, version, license) => ({ name: `app/node_modules/${dir}/package.json`, data: JSON.stringify({ name, version, license }) });
  fs.writeFileSync(f, dockerArchive([tar([
    pkg('a', '<img src=x onerror=alert(1)>', '<b>1.0</b>', '<script>alert(2)</script>'),
    pkg('b', 'plain', '2.0.0', 'MIT'),
  ])], { tag: 'example.com/html-packages:1' }));
  const want = H.cli(f).json.images[0].packages;
  assert.equal(want.length, 2);
  const page = await inspect(f);
  await page.click('#tab-packages');
  assert.deepEqual(await rows(page), want.map(cells));
  await page.click('#view-packages thead button[data-sort=name]');
  await page.click('#view-packages thead button[data-sort=name]');
  assert.deepEqual(await rows(page), sorted(want, 'name', -1).map(cells));
  await assertSbomEqualsCli(page, f, 'spdx-json', 'example.com_html-packages_1.spdx.json', 'html spdx');
  assert.equal(await page.locator('main img, main b, main script').count(), 0);
  assert.deepEqual(await page.problems(), [], 'no dialog, no error');
  await page.close();
});

test('the page requested nothing but its own origin, and only read', () => {
  assert.ok(browser.requests.includes(`${server.base}pkg/porthole_bg.wasm`));
  assert.deepEqual(H.foreignRequests(browser.requests, [server.base]), []);
  assert.deepEqual(H.unsafeMethods(browser.calls), [], 'only GET, HEAD or OPTIONS');
});
