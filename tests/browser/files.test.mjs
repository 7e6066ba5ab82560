// The Files view in real Chromium: directories are asked from the worker one at a time as they
// are opened, deleted files show struck through with the layer that deleted them, previews and
// per-file downloads read the real bytes from the tarball, search and the layer filter work,
// the tree is keyboard-operable, and 100k entries stay a few dozen DOM rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import { manyFilesImage } from './lib/images.mjs';

const tmp = H.tmpDir('files');
let server;
let browser;
let sample;

before(async () => {
  server = await H.startServer();
  browser = await H.launch(tmp);
  sample = H.fixture(tmp, 'oci');
});

after(async () => {
  await browser?.ctx.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A page with `file` inspected and the Files view open. Every request the page sends its
 *  worker is recorded in window.__ops ("list /etc", "read", …). */
async function filesView(file = sample) {
  const page = await H.newPage(browser.ctx);
  await page.addInitScript(() => {
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function record(m, t) {
      if (m && m.op) (window.__ops ||= []).push(m.op === 'list' ? `list ${m.path}` : m.op);
      return post.call(this, m, t);
    };
  });
  await page.goto(server.base);
  await page.setInputFiles('input[type=file]', file);
  assert.equal((await H.waitSettled(page, 120000)).state, 'done');
  await page.click('#tab-files');
  await page.waitForSelector('#tree .row:not([hidden])');
  return page;
}

const rowSel = (p) => `#tree .row[data-path="${p}"]:not([hidden])`;
const visiblePaths = (page) => page.$$eval('#tree .row:not([hidden])', (rs) => rs
  .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index)).map((r) => r.dataset.path));
const ops = (page) => page.evaluate(() => window.__ops.filter((o) => o !== 'open' && o !== 'prestart'));
const cells = (page, p) => page.$eval(rowSel(p), (r) => ({
  name: r.querySelector('.name').textContent,
  note: r.querySelector('.note').textContent,
  mode: r.querySelector('.c-mode').textContent,
  owner: r.querySelector('.c-owner').textContent,
  size: r.querySelector('.c-size').textContent,
  layer: r.querySelector('.c-layer').textContent,
  deleted: r.classList.contains('deleted'),
  strike: getComputedStyle(r.querySelector('.name')).textDecorationLine,
}));

test('directories are listed lazily: one worker request per opened directory', async () => {
  const page = await filesView();
  assert.deepEqual(await visiblePaths(page), ['/etc', '/srv', '/tmp', '/usr', '/var']);
  assert.deepEqual(await ops(page), ['list /']);
  assert.equal(await page.locator(rowSel('/etc/passwd')).count(), 0);
  await page.click(rowSel('/etc'));
  await page.waitForSelector(rowSel('/etc/passwd'));
  assert.deepEqual(await ops(page), ['list /', 'list /etc']);
  assert.deepEqual(await visiblePaths(page), ['/etc', '/etc/os-release', '/etc/passwd', '/srv', '/tmp', '/usr', '/var']);
  assert.deepEqual(await cells(page, '/etc/passwd'), {
    name: 'passwd', note: '', mode: '-rw-r--r--', owner: '0:0', size: '30 bytes', layer: '1', deleted: false, strike: 'none',
  });
  assert.equal((await cells(page, '/etc/os-release')).note, ' → ../usr/lib/os-release');
  // Collapsing and reopening asks again (nothing of the tree is cached on the main thread).
  await page.click(rowSel('/etc'));
  assert.deepEqual(await visiblePaths(page), ['/etc', '/srv', '/tmp', '/usr', '/var']);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('show deleted files: struck through, with the layer that deleted them', async () => {
  const page = await filesView();
  await page.click(rowSel('/srv'));
  await page.waitForSelector(rowSel('/srv/app.py'));
  assert.equal(await page.locator(rowSel('/srv/secret.txt')).count(), 0, 'hidden by default');
  await page.click(rowSel('/var'));
  await page.click(rowSel('/var/cache'));
  await page.waitForSelector(rowSel('/var/cache/new.txt'));
  await page.check('#files-deleted');
  // The open directories stay open with the new filter.
  await page.waitForSelector(rowSel('/srv/secret.txt'));
  await page.waitForSelector(rowSel('/var/cache/big.bin'));
  assert.deepEqual(await cells(page, '/srv/secret.txt'), {
    name: 'secret.txt', note: ' deleted in layer 2', mode: '-rw-------', owner: '0:0', size: '13 bytes', layer: '1', deleted: true, strike: 'line-through',
  });
  const big = await cells(page, '/var/cache/big.bin');
  assert.equal(big.note, ' deleted in layer 1');
  assert.equal(big.strike, 'line-through');
  assert.equal((await cells(page, '/var/cache/keep.txt')).note, ' deleted in layer 2', 'hidden by the opaque directory');
  assert.equal((await cells(page, '/var/cache/new.txt')).deleted, false);
  // A deleted file's bytes still ship: its preview reads them from layer 1.
  await page.click(rowSel('/srv/secret.txt'));
  await page.waitForSelector('#file-details .preview[data-mode=text]');
  assert.equal(await page.textContent('#file-details .preview'), 'to be removed');
  assert.match(await page.textContent('#file-details .facts'), /Deletedin layer 2 — its bytes still ship in layer 1/);
  await H.shot(page, 'files-deleted');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('preview of /etc/passwd (read on demand), a hex preview, and the per-file download', async () => {
  const page = await filesView();
  await page.click(rowSel('/etc'));
  await page.click(rowSel('/etc/passwd'));
  await page.waitForSelector('#file-details .preview[data-mode=text]');
  assert.equal(await page.textContent('#file-details .preview'), 'root:x:0:0:root:/root:/bin/sh\n');
  assert.equal(await page.textContent('#file-details .preview-tools .muted'), '30 bytes, all shown (text)');
  assert.ok((await ops(page)).includes('read'), 'the bytes came from the worker');
  const got = await H.download(page, '#file-details [data-action="download-file"]');
  assert.equal(got.name, 'passwd');
  assert.equal(got.bytes.toString(), 'root:x:0:0:root:/root:/bin/sh\n');
  await H.shot(page, 'files-preview');

  await page.click(rowSel('/usr'));
  await page.click(rowSel('/usr/bin'));
  await page.click(rowSel('/usr/bin/tool'));
  await page.waitForSelector('#file-details .preview[data-mode=hex]');
  assert.equal(await page.textContent('#file-details .preview'), `00000000  ${'7f 45 4c 46 02 01 01 00'.padEnd(47)}  .ELF....\n`);
  assert.match(await page.textContent('#file-details .facts'), /Mode-rwsr-xr-x \(04755\)/);
  // A hard link reads its target's bytes (found by search: see the listing test below).
  await page.fill('#files-search', 'tool-link');
  await page.click(rowSel('/usr/bin/tool-link'));
  await page.waitForSelector('#file-details .preview[data-mode=hex]');
  assert.match(await page.textContent('#file-details .preview'), /^00000000 {2}7f 45 4c 46/);
  const link = await H.download(page, '#file-details [data-action="download-file"]');
  assert.deepEqual([...link.bytes], [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

// Core bug (src/explore.rs list_dir skips a child's subtree by jumping to `path + "0"`, which
// also skips siblings that sort between, such as "tool-link" or "tool.sh" after "tool"):
// reported; this test passes once it is fixed.
test('a directory lists names that extend a sibling\'s name (tool, tool-link)', async () => {
  const page = await filesView();
  await page.click(rowSel('/usr'));
  await page.click(rowSel('/usr/bin'));
  await page.waitForSelector(rowSel('/usr/bin/tool'));
  assert.deepEqual((await visiblePaths(page)).filter((p) => p.startsWith('/usr/bin/')), ['/usr/bin/tool', '/usr/bin/tool-link']);
  await page.close();
});

test('a preview reads 64 KiB, and more on request', async () => {
  // /var/cache/big.bin is 10,000 bytes of 7s: one chunk. Build a bigger text file instead.
  const { tar, dockerArchive } = await import('./lib/images.mjs');
  const line = 'the quick brown fox jumps over the lazy dog\n';
  const text = line.repeat(Math.ceil(150000 / line.length));
  const file = path.join(tmp, 'bigtext.tar');
  fs.writeFileSync(file, dockerArchive([tar([{ name: 'big.txt', data: text }])]));
  const page = await filesView(file);
  await page.click(rowSel('/big.txt'));
  await page.waitForSelector('#file-details .preview[data-mode=text]');
  const shown = () => page.evaluate(() => document.querySelector('#file-details .preview').textContent.length);
  assert.equal(await shown(), 65536);
  assert.equal(await page.textContent('#file-details .preview-tools .muted'), 'first 65,536 bytes shown (text)');
  await page.click('text=Show the next 64 KiB');
  await page.waitForFunction(() => document.querySelector('#file-details .preview').textContent.length > 65536);
  assert.equal(await shown(), 131072);
  await page.click('text=Show the next 64 KiB');
  await page.waitForFunction(() => /all shown/.test(document.querySelector('#file-details .preview-tools .muted').textContent));
  assert.equal(await page.textContent('#file-details .preview'), text);
  assert.equal(await page.isVisible('text=Show the next 64 KiB'), false);
  await page.close();
});

test('path search and the "changed in layer" filter', async () => {
  const page = await filesView();
  await page.fill('#files-search', 'PASSWD');
  await page.waitForSelector('#files-status:has-text("1 path matches")');
  assert.deepEqual(await visiblePaths(page), ['/etc/passwd']);
  assert.equal((await cells(page, '/etc/passwd')).name, '/etc/passwd', 'search results show full paths');
  await page.fill('#files-search', 'secret');
  await page.waitForSelector('#files-status:has-text("0 paths match")');
  await page.check('#files-deleted');
  await page.waitForSelector(rowSel('/srv/secret.txt'));
  assert.equal((await cells(page, '/srv/secret.txt')).note, ' deleted in layer 2');
  await page.fill('#files-search', '');
  await page.uncheck('#files-deleted');
  // Layer 2 added /var/cache/new.txt and a long-named file, and made /var/cache opaque.
  await page.selectOption('#files-layer', '2');
  await page.waitForSelector(rowSel('/var/cache/new.txt'));
  const paths = await visiblePaths(page);
  assert.ok(paths.includes(`/srv/${'d'.repeat(150)}/deep.txt`), 'GNU long name');
  assert.ok(!paths.includes('/etc'), 'nothing of /etc changed in layer 2');
  assert.ok(!paths.includes('/usr'));
  // From the Layers view: "Show these files" opens this view filtered to that layer.
  await page.click('#tab-layers');
  await page.click('[data-layer="1"] button:has-text("Show these files")');
  await page.waitForSelector(rowSel('/etc/passwd'));
  assert.equal(await page.inputValue('#files-layer'), '1');
  assert.ok(!(await visiblePaths(page)).includes('/usr'));
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('keyboard: every control is reachable, the tree works with arrow keys', async () => {
  const page = await filesView();
  await page.focus('#tree');
  await page.keyboard.press('ArrowDown'); // /srv
  await page.keyboard.press('ArrowRight'); // open it
  await page.waitForSelector(rowSel('/srv/app.py'));
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#file-details .preview[data-mode=text]');
  assert.equal(await page.textContent('#file-details .preview'), "print('hello')\n");
  assert.equal(await page.getAttribute('#tree', 'aria-activedescendant'), await page.getAttribute(rowSel('/srv/app.py'), 'id'));
  await page.keyboard.press('ArrowLeft'); // to the parent
  await page.keyboard.press('ArrowLeft'); // close it
  assert.deepEqual(await visiblePaths(page), ['/etc', '/srv', '/tmp', '/usr', '/var']);
  // Tab from the top of the page reaches every control.
  await page.evaluate(() => document.activeElement.blur());
  const reached = new Set();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => {
      const a = document.activeElement;
      return a.id || a.dataset.action || a.className || a.tagName;
    }));
  }
  for (const id of ['file-input', 'sample', 'tab-main', 'download-json', 'tab-files', 'files-search', 'files-layer', 'files-deleted', 'tree', 'download-file']) {
    assert.ok(reached.has(id), `${id} reachable by Tab (reached: ${[...reached].join(', ')})`);
  }
  // The focus is visible: an outline on the focused control.
  await page.focus('#files-search');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  assert.notEqual(await page.$eval('#files-search', (e) => getComputedStyle(e).outlineStyle), 'none');
  await page.close();
});

test('100k entries: one directory listing, a few dozen DOM rows, smooth scrolling', async () => {
  const N = 100_000;
  const file = path.join(tmp, 'many.tar');
  fs.writeFileSync(file, manyFilesImage(N));
  const page = await filesView(file);
  await page.click('#tab-overview');
  assert.equal(H.firstInt(await page.textContent('[data-fact=entries]')), N + 3);
  await page.click('#tab-files');
  const t0 = Date.now();
  await page.click(rowSel('/many'));
  await page.waitForSelector(rowSel('/many/f000000.txt'));
  const openMs = Date.now() - t0;
  const domRows = await page.locator('#tree .row').count();
  assert.ok(domRows < 80, `${domRows} row elements for ${N} entries`);
  assert.equal(await page.$eval('#tree .tree-spacer', (e) => e.getBoundingClientRect().height), (N + 2) * 26);
  // Scroll through the whole list in 100 jumps, one frame each, and time the frames.
  const frames = await page.evaluate(async () => {
    const tree = document.getElementById('tree');
    const times = [];
    for (let k = 1; k <= 100; k++) {
      const t = performance.now();
      tree.scrollTop = (tree.scrollHeight * k) / 100;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b);
  });
  const p95 = frames[94];
  assert.ok(p95 < 100, `95th percentile of two frames after a scroll: ${p95.toFixed(1)} ms`);
  assert.equal((await visiblePaths(page)).pop(), '/many/f099999.txt');
  assert.ok(await page.isVisible(rowSel('/many/f099999.txt')));
  await H.shot(page, 'files-100k');
  await page.fill('#files-search', 'f09999');
  await page.waitForSelector('#files-status:has-text("10 paths match")');
  assert.deepEqual(await page.problems(), []);
  console.log(`# 100k: opening /many took ${openMs} ms; scroll p50 ${frames[49].toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
  await page.close();
});

test('the Files view requested nothing but its own origin, and only read', () => {
  assert.deepEqual(H.foreignRequests(browser.requests, [server.base]), []);
  assert.deepEqual(H.unsafeMethods(browser.calls), [], 'only GET, HEAD or OPTIONS');
});
