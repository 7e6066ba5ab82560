// The page in real Chromium: drop or pick an image, the worker inspects it, the report the
// page exports equals the CLI's, and the page requests nothing but its own origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const www = path.join(root, 'www');
const bin = path.join(root, 'target/release/porthole');
const fixtureBin = path.join(root, 'target/release/porthole-fixture');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'porthole-browser-'));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

let server, base, ctx;
const requests = [];

before(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = path.join(www, rel);
    if (!file.startsWith(www) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}/`;
  ctx = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(tmp, 'profile-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  ctx.on('request', (r) => requests.push(r.url()));
});

after(async () => {
  await ctx?.close();
  server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function fixture(kind) {
  const out = path.join(tmp, `${kind}.tar`);
  execFileSync(fixtureBin, [kind, out]);
  return out;
}

function cli(file) {
  const r = spawnSync(bin, ['inspect', file, '--json', '--files'], { maxBuffer: 1 << 28 });
  return { code: r.status, json: JSON.parse(r.stdout.toString()) };
}

async function inspectInPage(file, how = 'pick') {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base);
  if (how === 'pick') {
    await page.setInputFiles('#file', file);
  } else {
    const bytes = fs.readFileSync(file).toString('base64');
    const name = path.basename(file);
    const dt = await page.evaluateHandle(([b64, n]) => {
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const d = new DataTransfer();
      d.items.add(new File([bin], n));
      return d;
    }, [bytes, name]);
    await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
  }
  await page.waitForFunction(() => ['done', 'failed'].includes(document.body.dataset.state), null, { timeout: 60000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const json = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  const verdict = await page.textContent('#verdict');
  assert.deepEqual(errors, []);
  return { page, json, verdict };
}

test('the exported report equals the CLI report for each format', async () => {
  for (const kind of ['oci', 'docker-symlinks', 'oci-zstd', 'docker25', 'multiplatform']) {
    const file = fixture(kind);
    const { page, json, verdict } = await inspectInPage(file);
    assert.deepEqual(json, cli(file).json, kind);
    assert.match(verdict, /^All \d+ digests and sizes verified$/, kind);
    await page.close();
  }
});

test('a gzipped tarball dropped on the page is streamed and matches the CLI', async () => {
  const tar = fixture('oci');
  const gz = path.join(tmp, 'oci.tar.gz');
  execFileSync('bash', ['-c', `gzip -c '${tar}' > '${gz}'`]);
  const { page, json } = await inspectInPage(gz, 'drop');
  assert.equal(json.source.compression, 'gzip');
  assert.equal(json.source.streamed, true);
  assert.deepEqual(json, cli(gz).json);
  await page.close();
});

test('a tampered layer is named in plain words', async () => {
  const file = fixture('oci');
  const report = cli(file).json;
  const digest = report.images[0].layers[1].digest.slice(7);
  // Flip a byte in the middle of layer 1's blob, located through the tar headers.
  const buf = fs.readFileSync(file);
  let off = 0;
  while (off < buf.length) {
    const name = buf.subarray(off, off + 100).toString().replace(/\0.*$/s, '');
    const size = parseInt(buf.subarray(off + 124, off + 136).toString().replace(/\0.*$/s, '').trim() || '0', 8);
    if (name.endsWith(digest)) {
      buf[off + 512 + Math.floor(size / 2)] ^= 1;
      break;
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  const bad = path.join(tmp, 'tampered.tar');
  fs.writeFileSync(bad, buf);
  assert.equal(cli(bad).code, 3);
  const { page, json, verdict } = await inspectInPage(bad);
  assert.equal(verdict, 'Integrity failure: layer 1 does not match');
  assert.deepEqual(json, cli(bad).json);
  await page.close();
});

test('not an image: a clear message, no crash', async () => {
  const junk = path.join(tmp, 'picture.tar');
  fs.writeFileSync(junk, Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(2000)]));
  const page = await ctx.newPage();
  await page.goto(base);
  await page.setInputFiles('#file', junk);
  await page.waitForFunction(() => document.body.dataset.state === 'done');
  assert.equal(await page.textContent('#image-name'), 'No image could be described');
  assert.match(await page.textContent('#verdict'), /PNG/);
  await page.close();
});

test('the page requests nothing but its own origin', () => {
  assert.ok(requests.length > 0);
  const foreign = requests.filter((u) => !u.startsWith(base) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
});
