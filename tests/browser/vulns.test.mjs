// Vulnerability matching in real Chromium: a database chosen with input[data-input=vulndb]
// (real PyPA advisories and Debian-shaped ones), dropped on the page, or placed by the host
// beside the page (vulndb/index.json); images opened before or after it are matched; the
// export equals `porthole inspect --json --files --vuln-db …` on the same files; the view
// filters and counts; a database that cannot be read says so; nothing leaves the origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';

const tmp = H.tmpDir('vulns');
const dbDir = path.join(tmp, 'db');
const hosted = path.join(tmp, 'hosted');
let server;
let hostedServer;
let browser;
const bases = []; // the origins of servers started by a test itself
let image; // a Debian 12 image with dpkg, Python and npm packages (built below)

/** The shared OSV export (osv.dev's layout, real advisories); in CI it must be there. */
function sharedOsv() {
  const found = [process.env.PORTHOLE_OSV_DIR, path.join(H.root, '../shared/osv'), '/work/shared/osv']
    .find((d) => d && fs.existsSync(path.join(d, 'PyPI/all.zip')));
  if (!found && process.env.CI) throw new Error('the shared OSV export is missing (set PORTHOLE_OSV_DIR)');
  return found;
}

// Debian-shaped advisories (as osv.dev exports Debian's: the source package per release) for
// the fixture's packages, a malicious npm package, and one for another release.
const DEBIAN = [
  { id: 'DEBIAN-CVE-2024-0001', aliases: ['CVE-2024-0001'], summary: 'glibc: <b>not html</b>', modified: '2024-05-01T00:00:00Z',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    affected: [{ package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u7' }] }] }] },
  { id: 'DEBIAN-CVE-2024-0002', affected: [{ package: { ecosystem: 'Debian:11', name: 'perl-base' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] },
  { id: 'MAL-2024-0001', summary: 'Malicious code in express (npm)', affected: [{ package: { ecosystem: 'npm', name: 'express' }, versions: ['4.18.2'] }] },
];

before(async () => {
  fs.mkdirSync(dbDir);
  fs.mkdirSync(hosted);
  const osv = sharedOsv();
  if (osv) fs.copyFileSync(path.join(osv, 'PyPI/all.zip'), path.join(dbDir, 'all.zip'));
  fs.writeFileSync(path.join(dbDir, 'debian.json'), JSON.stringify(DEBIAN));
  // The host's database: an index naming the files beside it.
  fs.mkdirSync(path.join(hosted, 'Debian'));
  fs.writeFileSync(path.join(hosted, 'Debian/all.json'), JSON.stringify(DEBIAN));
  fs.writeFileSync(path.join(hosted, 'index.json'), JSON.stringify({ files: ['Debian/all.json'] }));
  server = await H.startServer();
  hostedServer = await H.startServer({ vulndb: hosted });
  browser = await H.launch(tmp);
  // The image: one layer from a directory tree (porthole-fixture dir).
  const root = path.join(tmp, 'root');
  const put = (rel, text) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  put('etc/os-release', 'ID=debian\nVERSION_ID="12"\n');
  put('var/lib/dpkg/status', ['libc6 2.36-9+deb12u4 glibc', 'libc-bin 2.36-9+deb12u4 glibc', 'perl-base 5.36.0-7+deb12u1 perl']
    .map((l) => l.split(' ')).map(([n, v, src]) => `Package: ${n}\nStatus: install ok installed\nArchitecture: amd64\nSource: ${src}\nVersion: ${v}\n`).join('\n'));
  for (const [n, v] of [['PyYAML', '5.3.1'], ['requests', '2.19.0'], ['Jinja2', '2.10']]) {
    put(`usr/lib/python3/dist-packages/${n}-${v}.dist-info/METADATA`, `Metadata-Version: 2.1\nName: ${n}\nVersion: ${v}\n\n`);
  }
  put('srv/node_modules/express/package.json', '{"name":"express","version":"4.18.2"}');
  image = path.join(tmp, 'image.tar');
  execFileSync(H.fixtureBin, ['dir', image, root]);
});

after(async () => {
  await browser?.ctx.close();
  await server?.close();
  await hostedServer?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const dbFiles = () => ['all.zip', 'debian.json'].filter((f) => fs.existsSync(path.join(dbDir, f)));

/** The CLI's report of the fixture with the database files, named as the page names them. */
function cliWithDb(files = dbFiles()) {
  return H.cliWith(image, files.flatMap((f) => ['--vuln-db', f]), dbDir);
}

async function loadDb(page, files = dbFiles()) {
  await page.setInputFiles('input[type=file][data-input=vulndb]', files.map((f) => path.join(dbDir, f)));
  await page.waitForSelector('body[data-vulndb=ready]', { timeout: 60000 });
}

async function exportEquals(page, want, label) {
  const got = await H.download(page, '[data-action="download-json"]');
  assert.equal(got.bytes.toString(), want.text, `${label}: the export is the CLI's report, byte for byte`);
}

test('a database loaded first: the image is matched as the CLI matches it', async () => {
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base);
  assert.equal(await page.getAttribute('body', 'data-vulndb'), 'none');
  await loadDb(page);
  assert.match(await page.textContent('#vulndb-status'), /advisories/);
  // The image picker is still the first file input.
  await page.setInputFiles('input[type=file]', image);
  assert.equal((await H.waitSettled(page)).state, 'done');
  const want = cliWithDb();
  const img = want.json.images[0];
  const ids = img.vulnerabilities.map((v) => v.id);
  assert.ok(ids.includes('DEBIAN-CVE-2024-0001') && ids.includes('MAL-2024-0001'), ids.join());
  assert.ok(!ids.includes('DEBIAN-CVE-2024-0002'), 'another release never matches');
  if (sharedOsv()) assert.ok(ids.includes('PYSEC-2021-142'), 'PyYAML 5.3.1 has a PyPA advisory');
  assert.equal(img.vulnerabilities.filter((v) => v.id === 'DEBIAN-CVE-2024-0001').length, 2, 'each binary of the source glibc');
  await exportEquals(page, want, 'database first');
  // The Overview counts by severity, the tab counts the matches.
  const s = img.vulnerability_summary.by_severity;
  const counts = await page.$$eval('[data-fact=vulnerabilities] [data-severity]', (els) => Object.fromEntries(els.map((e) => [e.dataset.severity, e.textContent])));
  for (const r of ['critical', 'high', 'medium', 'low', 'none', 'unknown']) assert.equal(H.firstInt(counts[r]), s[r], r);
  assert.equal(await page.textContent('#tab-vulnerabilities'), `Vulnerabilities (${img.vulnerabilities.length})`);
  // The view: every match, in the report's order; the summary text stays text.
  await page.click('#tab-vulnerabilities');
  const rows = () => page.$$eval('#view-vulnerabilities tbody tr', (trs) => trs.map((tr) => tr.dataset.id));
  assert.deepEqual(await rows(), ids);
  assert.equal(await page.locator('#view-vulnerabilities b').count(), 0, 'advisory text never becomes HTML');
  assert.doesNotMatch(await page.textContent('#view-vulnerabilities'), /null|undefined/);
  assert.match(await page.textContent('#view-vulnerabilities tr[data-id="DEBIAN-CVE-2024-0001"]'), /<b>not html<\/b>/);
  // Filters: severity, malicious only, fixable.
  await page.selectOption('#view-vulnerabilities select[data-filter=severity]', 'critical');
  assert.deepEqual(await rows(), img.vulnerabilities.filter((v) => v.severity.rating === 'critical').map((v) => v.id));
  await page.selectOption('#view-vulnerabilities select[data-filter=severity]', '');
  await page.check('#view-vulnerabilities input[data-filter=malicious]');
  assert.deepEqual(await rows(), ['MAL-2024-0001']);
  await page.uncheck('#view-vulnerabilities input[data-filter=malicious]');
  await page.selectOption('#view-vulnerabilities select[data-filter=fix]', 'unfixed');
  assert.deepEqual(await rows(), img.vulnerabilities.filter((v) => v.status === 'unfixed').map((v) => v.id));
  await page.selectOption('#view-vulnerabilities select[data-filter=fix]', '');
  // Sorting by package, then reversed.
  await page.click('#view-vulnerabilities button[data-sort=package]');
  const byName = img.vulnerabilities.map((v, i) => [v.package.name, i]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1])).map(([, i]) => img.vulnerabilities[i].id);
  assert.deepEqual(await rows(), byName);
  // The base image's layers, as --base-layers N: this image has one layer.
  await page.fill('#view-vulnerabilities input[data-filter=base-layers]', '1');
  assert.equal(await page.textContent('[data-fact=base-own]'), `${ids.length} from the base image's 1 layers, 0 from the image's own`);
  await page.selectOption('#view-vulnerabilities select[data-filter=origin]', 'own');
  assert.deepEqual(await rows(), []);
  await page.selectOption('#view-vulnerabilities select[data-filter=origin]', '');
  await page.fill('#view-vulnerabilities input[data-filter=base-layers]', '');
  await H.shot(page, 'vulnerabilities');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('a database loaded after the image: the open image is matched again, the export too', async () => {
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base);
  await page.setInputFiles('input[type=file]', image);
  await H.waitSettled(page);
  assert.match(await page.textContent('[data-fact=vulnerabilities]'), /not checked/);
  await loadDb(page, ['debian.json']);
  const want = cliWithDb(['debian.json']);
  await page.waitForFunction((n) => document.querySelector('#tab-vulnerabilities').textContent === `Vulnerabilities (${n})`, want.json.images[0].vulnerabilities.length);
  await exportEquals(page, want, 'database after');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('database files dropped on the page are a database, not images', async () => {
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base);
  await H.drop(page, path.join(dbDir, 'debian.json'));
  await page.waitForSelector('body[data-vulndb=ready]');
  assert.equal(await page.getAttribute('body', 'data-state'), 'idle', 'no image was opened');
  assert.match(await page.textContent('#vulndb-status'), /^3 advisories \(/);
  await page.close();
});

test('a database that cannot be read: data-vulndb=error and why', async () => {
  const bad = path.join(tmp, 'broken.zip');
  fs.writeFileSync(bad, Buffer.from('PK\u0003\u0004 this is not a zip'));
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base);
  await page.setInputFiles('input[data-input=vulndb]', bad);
  await page.waitForSelector('body[data-vulndb=error]');
  assert.match(await page.textContent('#vulndb-status'), /broken\.zip could not be read: .*zip/);
  await page.close();
});

test('the database its host placed beside the page is loaded at start', async () => {
  const page = await H.newPage(browser.ctx);
  await page.goto(hostedServer.base);
  await page.waitForSelector('body[data-vulndb=ready]');
  assert.match(await page.textContent('#vulndb-status'), /^3 advisories \(.*\) from this site/);
  await page.setInputFiles('input[type=file]', image);
  await H.waitSettled(page);
  const got = JSON.parse((await H.download(page, '[data-action="download-json"]')).bytes.toString());
  const want = H.cliWith(image, ['--vuln-db', '.'], hosted).json; // the directory, named as the site names its files
  assert.deepEqual(got.images[0].vulnerabilities, want.images[0].vulnerabilities);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('with the index `porthole db index` wrote, the host\'s database is loaded without reading it', async () => {
  const dir = path.join(tmp, 'indexed');
  fs.mkdirSync(path.join(dir, 'Debian'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Debian/all.json'), JSON.stringify(DEBIAN));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ files: ['Debian/all.json'], index: 'porthole-index.bin' }));
  execFileSync(H.bin, ['db', 'index', dir]);
  const indexed = await H.startServer({ vulndb: dir });
  bases.push(indexed.base);
  try {
    const page = await H.newPage(browser.ctx);
    await page.goto(indexed.base);
    await page.waitForSelector('body[data-vulndb=ready]');
    assert.match(await page.textContent('#vulndb-status'), /^3 advisories \(/);
    await page.setInputFiles('input[type=file]', image);
    await H.waitSettled(page);
    const got = JSON.parse((await H.download(page, '[data-action="download-json"]')).bytes.toString());
    const want = H.cliWith(image, ['--vuln-db', '.'], dir).json;
    assert.deepEqual(got.images[0].vulnerabilities, want.images[0].vulnerabilities);
    assert.ok(browser.requests.includes(`${indexed.base}vulndb/porthole-index.bin`));
    // A stale index (the file changed since) is not used: the records are read instead.
    fs.writeFileSync(path.join(dir, 'Debian/all.json'), `${JSON.stringify(DEBIAN)}\n`);
    await page.goto(indexed.base);
    await page.waitForSelector('body[data-vulndb=ready]');
    assert.match(await page.textContent('#vulndb-status'), /^3 advisories \(/);
    assert.deepEqual(await page.problems(), []);
    await page.close();
  } finally {
    await indexed.close();
  }
});

test('nothing but the page\'s own origins was requested, and only read', () => {
  assert.deepEqual(H.foreignRequests(browser.requests, [server.base, hostedServer.base, ...bases]), []);
  assert.deepEqual(H.unsafeMethods(browser.calls), [], 'only GET, HEAD or OPTIONS');
  assert.ok(browser.requests.includes(`${hostedServer.base}vulndb/Debian/all.json`));
});
