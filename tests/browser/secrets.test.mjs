// The Secrets view in real Chromium: counts by severity on the Overview; a finding's line is
// read and shown only when "Reveal line" is clicked (the file version in the finding's layer,
// even one a later layer deleted or replaced); clicking the path opens the Files view at that
// file with its preview scrolled to the line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import { secretsImage, deepSecretImage, SECRET_VALUES, SECRET_LINE } from './lib/images.mjs';

const tmp = H.tmpDir('secrets');
let server;
let browser;
let leaky; // an AWS key on line 1 of /app/.env, deleted in layer 1; a GitHub token in the env
let deep; // an AWS key on line SECRET_LINE of /srv/settings.ini, replaced in layer 1

before(async () => {
  server = await H.startServer();
  browser = await H.launch(tmp);
  leaky = path.join(tmp, 'leaky.tar');
  fs.writeFileSync(leaky, secretsImage());
  deep = path.join(tmp, 'deep.tar');
  fs.writeFileSync(deep, deepSecretImage());
});

after(async () => {
  await browser?.ctx.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A page with `file` inspected; every request to its worker is recorded in window.__ops. */
async function inspect(file) {
  const page = await H.newPage(browser.ctx);
  await page.addInitScript(() => {
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function record(m, t) {
      if (m && m.op) (window.__ops ||= []).push(m.op);
      return post.call(this, m, t);
    };
  });
  await page.goto(server.base);
  await page.setInputFiles('input[type=file]', file);
  assert.equal((await H.waitSettled(page)).state, 'done');
  return page;
}

const ops = (page) => page.evaluate(() => window.__ops.filter((o) => o !== 'open' && o !== 'list' && o !== 'prestart'));
const pageText = (page) => page.evaluate(() => document.documentElement.outerHTML + document.body.innerText);
const SEVERITIES = ['critical', 'high', 'medium', 'low'];

test('the Overview counts secrets by severity', async () => {
  const page = await inspect(leaky);
  const found = H.cli(leaky).json.images[0].secrets;
  const counts = SEVERITIES.map((s) => [s, found.filter((f) => f.severity === s).length]).filter(([, n]) => n);
  assert.deepEqual(counts, [['critical', 1], ['high', 1]]);
  assert.equal(await page.textContent('[data-fact=secrets]'), '2 found (1 critical, 1 high) — see Secrets');
  for (const [s, n] of counts) assert.equal(H.firstInt(await page.textContent(`[data-fact=secrets] [data-severity=${s}]`)), n);
  assert.equal(await page.getAttribute('[data-fact=secrets] > span', 'class'), 'bad-text');
  await page.close();
});

test('"Reveal line" reads the file only on click and shows only the finding\'s line', async () => {
  const page = await inspect(leaky);
  await page.click('#tab-secrets');
  for (const v of SECRET_VALUES) assert.ok(!(await pageText(page)).includes(v), 'no value before a click');
  assert.deepEqual(await ops(page), [], 'nothing was read');
  // Only a finding in a file can be revealed (the env value is not read back from the config).
  assert.equal(await page.locator('#view-secrets tr[data-rule="github-token"] [data-action="reveal"]').count(), 0);
  const row = '#view-secrets tr[data-rule="aws-access-key-id"]';
  assert.equal(await page.textContent(`${row} .redacted`), 'AKIA… (20 chars)');
  await page.click(`${row} [data-action="reveal"]`);
  await page.waitForSelector(`${row} [data-revealed]`);
  // The file was deleted in layer 1: the version read is layer 0's, which still ships.
  assert.equal(await page.textContent(`${row} [data-revealed]`), `aws_access_key_id = ${SECRET_VALUES[0]}`);
  assert.deepEqual(await ops(page), ['versions', 'read']);
  assert.equal(await page.getAttribute(`${row} [data-action="reveal"]`, 'aria-expanded'), 'true');
  assert.ok(!(await pageText(page)).includes(SECRET_VALUES[1]), 'the other secret stays hidden');
  await H.shot(page, 'secrets-revealed');
  // Hide takes it off the page again.
  await page.click(`${row} [data-action="reveal"]`);
  assert.equal(await page.locator(`${row} [data-revealed]`).count(), 0);
  assert.ok(!(await pageText(page)).includes(SECRET_VALUES[0]));
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('a line deep in a file a later layer replaced: revealed from the finding\'s layer', async () => {
  const page = await inspect(deep);
  const [f] = H.cli(deep).json.images[0].secrets;
  assert.deepEqual([f.path, f.layer, f.line, f.overwritten_in], ['/srv/settings.ini', 0, SECRET_LINE, 1]);
  await page.click('#tab-secrets');
  assert.equal(await page.textContent('#view-secrets td:nth-child(4)'), 'replaced in layer 1, still shipped');
  await page.click('#view-secrets [data-action="reveal"]');
  await page.waitForSelector('#view-secrets [data-revealed]');
  assert.equal(await page.textContent('#view-secrets [data-revealed]'), `aws_access_key_id = ${SECRET_VALUES[0]}`);
  await page.close();
});

/** The Files view after clicking the finding's path: what is selected and where the preview is. */
async function openedAt(page) {
  await page.waitForSelector('#file-details mark.line-mark');
  return page.evaluate(() => {
    const box = document.querySelector('#file-details .preview');
    const mark = box.querySelector('mark.line-mark');
    const selected = document.querySelector('#tree .row.selected:not([hidden])');
    return {
      view: document.getElementById('tab-files').getAttribute('aria-selected'),
      selected: selected && selected.dataset.path,
      deletedShown: document.getElementById('files-deleted').checked,
      facts: document.querySelector('#file-details .facts').textContent,
      line: mark.dataset.line,
      mark: mark.textContent,
      scrollTop: box.scrollTop,
      inView: mark.offsetTop >= box.scrollTop && mark.offsetTop + mark.offsetHeight <= box.scrollTop + box.clientHeight,
      before: box.textContent.slice(0, box.textContent.indexOf(mark.textContent)).split('\n').length,
    };
  });
}

test('clicking a file finding opens the Files view at the file, the preview at the line', async () => {
  const page = await inspect(deep);
  await page.click('#tab-secrets');
  await page.click('#view-secrets [data-action="open-file"]');
  const at = await openedAt(page);
  assert.equal(at.view, 'true');
  assert.equal(at.selected, '/srv/settings.ini');
  assert.equal(at.line, String(SECRET_LINE));
  assert.equal(at.before, SECRET_LINE, 'the marked text is that line');
  assert.equal(at.mark, `aws_access_key_id = ${SECRET_VALUES[0]}`);
  assert.ok(at.scrollTop > 0 && at.inView, `scrolled to the line (scrollTop ${at.scrollTop})`);
  // The version shown is the one the secret is in (layer 0), not layer 1's clean copy.
  assert.match(at.facts, /From layer0/);
  assert.match(at.facts, /Replacedin layer 1/);
  assert.match(at.facts, /Versions2 layers hold this path; this is the one from layer 0/);
  assert.equal(at.deletedShown, false, 'a replaced file is listed without "show deleted files"');
  await H.shot(page, 'secrets-open-file');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('a deleted file\'s finding opens it with "show deleted files" on', async () => {
  const page = await inspect(leaky);
  await page.click('#tab-secrets');
  await page.click('#view-secrets tr[data-rule="aws-access-key-id"] [data-action="open-file"]');
  const at = await openedAt(page);
  assert.equal(at.selected, '/app/.env');
  assert.equal(at.deletedShown, true);
  assert.equal(at.mark, `aws_access_key_id = ${SECRET_VALUES[0]}`);
  assert.match(at.facts, /Deletedin layer 1 — its bytes still ship in layer 0/);
  assert.ok(await page.locator('#tree .row.selected.deleted[data-path="/app/.env"]').isVisible());
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('the Secrets view requested nothing but its own origin, and only read', () => {
  assert.deepEqual(H.foreignRequests(browser.requests, [server.base]), []);
  assert.deepEqual(H.unsafeMethods(browser.calls), [], 'only GET, HEAD or OPTIONS');
});
