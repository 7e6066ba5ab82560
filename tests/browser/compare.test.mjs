// "Compare two images" in real Chromium: two opened files compared in a worker of their own;
// the diff the page offers for download is byte for byte `porthole diff A B --json`; a changed
// text file's lines show on click, 64 KiB at a time; an image from the page is only ever text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import { tar, dockerArchiveOf, HTML_NAME } from './lib/images.mjs';

const env = H.servedBrowser('compare');

/** `porthole diff A B --json ARGS…` run in the files' directory (so that each input is named
 *  by its file name, as the page names it): { code, text }. */
function diffCli(dir, a, b, args = []) {
  const r = spawnSync(H.bin, ['diff', a, b, '--json', ...args], { cwd: dir, maxBuffer: 1 << 30, env: { ...process.env, PORTHOLE_VULN_DB: '' } });
  return { code: r.status, text: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** Opens both files, then compares them (A the first, B the second); returns the page. */
async function compare(files, { semantic = false } = {}) {
  const page = await H.newPage(env.browser.ctx);
  await page.goto(env.server.base);
  await page.setInputFiles('input[type=file]', files);
  await page.waitForFunction((n) => document.querySelectorAll('.file-tab.done').length === n, files.length, { timeout: 120000 });
  await page.click('[data-action="compare"]');
  await page.selectOption('#compare-a', { label: path.basename(files[0]) });
  await page.selectOption('#compare-b', { label: path.basename(files[1]) });
  if (semantic) await page.check('#compare-semantic');
  await page.click('[data-action="compare-run"]');
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.compare), null, { timeout: 180000 });
  assert.equal(await page.evaluate(() => document.body.dataset.compare), 'done', await page.textContent('#compare-status'));
  return page;
}

/** Opens the tree down to `file` (each directory on the way, as a click on it would) and
 *  clicks the file. */
async function openFile(page, file) {
  const parts = file.split('/').filter(Boolean);
  await page.evaluate(async (dirs) => {
    let box = document.querySelector('.compare-tree');
    for (const dir of dirs) {
      const d = [...box.children].find((c) => c.matches('details.compare-dir') && c.querySelector(':scope > summary').firstChild.textContent === `${dir}/ `);
      if (!d) throw new Error(`no directory ${dir} in the tree`);
      if (!d.open) d.querySelector(':scope > summary').click();
      while (!d.querySelector(':scope > .compare-children')) await new Promise((r) => setTimeout(r, 10));
      box = d.querySelector(':scope > .compare-children');
    }
  }, parts.slice(0, -1));
  await page.click(`.compare-file[data-path="${file}"] button`);
  await page.waitForSelector(`.line-diff[data-path="${file}"]`);
}

test('two images built here: the page diff equals porthole diff --json, and a changed file shows its lines', async () => {
  const lines = (n, edit) => Array.from({ length: n }, (_, i) => (edit(i) ?? `line ${i}`)).join('\n');
  const base = (conf) => tar([
    { name: 'etc/', type: '5', mode: 0o755 },
    { name: 'etc/app.conf', data: conf },
    { name: 'etc/motd', data: 'welcome\n' },
    { name: `srv/${HTML_NAME}`, data: 'x' },
  ]);
  const a = path.join(env.tmp, 'a.tar');
  const b = path.join(env.tmp, 'b.tar');
  fs.writeFileSync(a, dockerArchiveOf([{ layers: [base(lines(400, () => null))], env: ['PATH=/usr/bin:/bin', 'MODE=old'] }]));
  fs.writeFileSync(b, dockerArchiveOf([{
    layers: [base(lines(400, (i) => (i === 200 ? 'line 200 changed' : null))), tar([{ name: 'srv/new.txt', data: 'new\n' }, { name: `srv/${HTML_NAME}.new`, data: 'y' }])],
    env: ['PATH=/usr/bin:/bin', 'MODE=new'],
  }]));
  const want = diffCli(env.tmp, 'a.tar', 'b.tar');
  assert.equal(want.code, 1, want.stderr);
  const page = await compare([a, b]);
  assert.equal(await page.getAttribute('[data-compare-verdict]', 'data-compare-verdict'), 'different');
  const got = await H.download(page, '[data-action="download-diff"]');
  assert.equal(got.bytes.toString(), want.text, 'the page gives exactly what the CLI prints');
  const d = JSON.parse(want.text);
  // Counts on the page are the diff's.
  const facts = await H.facts(page, '#compare-result');
  assert.equal(H.firstInt(facts.files), d.summary.files_added);
  assert.match(facts.files, new RegExp(`${d.summary.files_changed} changed`));
  // A file named as HTML is text.
  await openFile(page, '/srv/new.txt');
  assert.ok((await page.textContent('.compare-tree')).includes(`${HTML_NAME}.new`));
  assert.equal(await page.$$eval('.compare-tree img, .compare-tree svg', (n) => n.length), 0);
  // The changed line, alone with its context.
  await openFile(page, '/etc/app.conf');
  const ops = await page.$$eval('.line-diff [data-op]', (ls) => ls.map((l) => l.textContent));
  assert.deepEqual(ops.filter((t) => /^[-+]/.test(t)), ['- line 200', '+ line 200 changed']);
  assert.equal(ops.length, 2 + 6, 'three lines of context on each side');
  const problems = await page.problems();
  assert.deepEqual(problems, []);
  await page.close();
});

const { REAL_IMAGES } = H;

test('the real Debian image and its copy with one package upgraded by dpkg, as the CLI compares them', { skip: H.withoutRealImage('upgraded.tar') }, async () => {
  const a = path.join(REAL_IMAGES, 'oci.tar');
  const b = path.join(REAL_IMAGES, 'upgraded.tar');
  assert.ok(fs.existsSync(b), `${b} is missing: run tests/real-images.sh (make test runs it before the browser tests)`);
  const want = diffCli(REAL_IMAGES, 'oci.tar', 'upgraded.tar');
  assert.equal(want.code, 1, want.stderr);
  const page = await compare([a, b]);
  const got = await H.download(page, '[data-action="download-diff"]');
  assert.equal(got.bytes.toString(), want.text);
  const info = JSON.parse(fs.readFileSync(path.join(REAL_IMAGES, 'upgraded.json'), 'utf8'));
  const rows = await page.$$eval('[data-table="compare-packages"] tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r.slice(0, 5)), [['upgraded', 'deb', info.package, info.from, info.to]]);
  // dpkg's status (over 64 KiB): the package's Version line, in the first piece or the next.
  await openFile(page, '/var/lib/dpkg/status');
  const seen = async () => page.$$eval('.line-diff [data-op="+"]', (ls) => ls.map((l) => l.textContent));
  // Piece after piece until the package's new Version line shows (each piece picks up past
  // the last line both sides had in common, so the lines stay aligned).
  let added = await seen();
  for (let i = 0; i < 5 && !added.includes(`+ Version: ${info.to}`); i++) {
    const before = await page.textContent('.compare-lines h4');
    await page.click('[data-action=next-lines]');
    await page.waitForFunction((b) => document.querySelector('.compare-lines h4')?.textContent !== b, before);
    added = await seen();
  }
  assert.ok(added.includes(`+ Version: ${info.to}`), added.join('\n'));
  assert.ok((await seen()).length < 20, 'only the package\'s own lines differ, not a shifted piece');
  await H.shot(page, 'compare-upgraded');
  await page.close();

  // The same image in two packagings, under --semantic too: equal.
  const same = await compare([a, path.join(REAL_IMAGES, 'oci-zstd.tar')], { semantic: true });
  assert.equal(await same.getAttribute('[data-compare-verdict]', 'data-compare-verdict'), 'equal');
  await same.close();
});
