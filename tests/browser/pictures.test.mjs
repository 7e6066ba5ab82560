// The pictures of where the bytes go, in real Chromium: the numbers behind every shape equal the
// CLI report's (per layer: bytes added, changed, wasted; per directory: the visible bytes and
// the wasted ones below it); a layer's bar filters the Files view; directories open by click
// and by keyboard; both pictures save as SVG and PNG; 100,000 files stay one directory at a
// time. Screenshots in light and dark mode go to tests/browser/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import { tarHeader, dockerArchive } from './lib/images.mjs';

const env = H.servedBrowser('pictures');

async function open(file) {
  const page = await H.newPage(env.browser.ctx);
  await page.goto(env.server.base);
  await page.setInputFiles('input[type=file]', file);
  assert.equal((await H.waitSettled(page, 120000)).state, 'done');
  return page;
}

/** What the CLI's file list says lies below `dir`: visible bytes and wasted (hidden) bytes. */
function below(img, dir) {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  let size = 0;
  let wasted = 0;
  for (const f of img.files) {
    if (f.type !== 'file' || !f.path.startsWith(prefix)) continue;
    if (f.deleted_in == null && f.overwritten_in == null) size += f.size;
    else wasted += f.size;
  }
  return { size, wasted };
}

/** The numbers of the sizes picture shown: the figure's and the sum of its shapes'. */
async function sizesShown(page) {
  return page.$eval('[data-picture=sizes]', (fig) => {
    const nodes = [...fig.querySelectorAll('.tm-node')];
    return {
      path: fig.dataset.path,
      size: Number(fig.dataset.size),
      wasted: Number(fig.dataset.wasted),
      shapes: nodes.length,
      shapeSize: nodes.reduce((s, n) => s + Number(n.dataset.size), 0),
      shapeWasted: nodes.reduce((s, n) => s + Number(n.dataset.wasted), 0),
    };
  });
}

test('the bars and the treemap show the report\'s numbers, open by click and keyboard, and save as SVG and PNG', async () => {
  const file = H.fixture(env.tmp, 'docker');
  const want = H.cli(file).json.images[0];
  const page = await open(file);

  await page.click('#tab-layers');
  const rows = await page.$$eval('[data-picture=layers] .pic-row', (rs) => rs.map((r) => ({ ...r.dataset })));
  assert.equal(rows.length, want.layers.length);
  for (const l of want.layers) {
    const r = rows.find((x) => Number(x.layer) === l.index);
    assert.deepEqual([Number(r.added), Number(r.modified), Number(r.wasted)], [l.bytes_added, l.bytes_modified, l.bytes_wasted], `layer ${l.index}`);
  }
  assert.ok(want.layers.some((l) => l.bytes_wasted > 0), 'the sample wastes bytes');
  await H.shot(page, 'pictures-layers');
  // A bar filters the Files view to what its layer changed.
  await page.click('[data-picture=layers] .pic-row[data-layer="1"]');
  assert.equal(await page.isVisible('#view-files'), true);
  assert.equal(await page.$eval('#files-layer', (s) => s.value), '1');

  await page.click('#tab-sizes');
  await page.waitForSelector('[data-picture=sizes]');
  let shown = await sizesShown(page);
  assert.deepEqual([shown.size, shown.wasted], [want.summary.total_size, want.summary.wasted_bytes]);
  assert.deepEqual([shown.shapeSize, shown.shapeWasted], [shown.size, shown.wasted]);
  await H.shot(page, 'pictures-sizes');
  // Into /var by a click, then up and into /usr by keyboard.
  await page.click('.tm-node[data-path="/var"]');
  await page.waitForSelector('[data-picture=sizes][data-path="/var"]');
  shown = await sizesShown(page);
  const v = below(want, '/var');
  assert.deepEqual([shown.size, shown.wasted], [v.size, v.wasted]);
  assert.ok(v.wasted > 0, '/var/cache/big.bin was deleted by a later layer');
  await page.click('[data-crumb="/"]');
  await page.waitForSelector('[data-picture=sizes][data-path="/"]');
  await page.focus('.tm-node[data-path="/usr"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-picture=sizes][data-path="/usr"]');
  shown = await sizesShown(page);
  assert.deepEqual([shown.size, shown.wasted], Object.values(below(want, '/usr')));
  // The text equivalent lists the same children.
  assert.equal(await page.$eval('.sizes-words', (d) => d.open), true, 'a short list is open');
  const rowsText = await page.$$eval('[data-table=sizes] tbody tr', (trs) => trs.length);
  assert.equal(rowsText, await page.$$eval('[data-picture=sizes] .tm-node', (n) => n.length));

  const svgFile = await H.download(page, '[data-picture=sizes] [data-action=save-svg]');
  assert.equal(svgFile.name, 'sizes_usr.svg');
  assert.match(svgFile.bytes.toString(), /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svgFile.bytes.toString(), /data-path="\/usr\/bin"/);
  const png = await H.download(page, '[data-picture=sizes] [data-action=save-png]');
  assert.deepEqual([...png.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  await page.click('#tab-layers');
  const layersPng = await H.download(page, '[data-picture=layers] [data-action=save-png]');
  assert.equal(layersPng.name, 'layers.png');

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.click('#tab-sizes');
  await page.click('[data-crumb="/"]');
  await page.waitForSelector('[data-picture=sizes][data-path="/"]');
  await H.shot(page, 'pictures-sizes-dark');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('100,000 files: the treemap draws one directory at a time, 300 shapes at most', async () => {
  const dirs = 20;
  const per = 5000;
  const parts = [];
  const data = Buffer.from('x\n');
  const pad = Buffer.alloc(510);
  for (let d = 0; d < dirs; d++) {
    parts.push(tarHeader(`d${d}/`, { type: '5', mode: 0o755 }));
    for (let i = 0; i < per; i++) parts.push(tarHeader(`d${d}/f${i}.txt`, { size: data.length }), data, pad);
  }
  parts.push(Buffer.alloc(1024));
  const file = path.join(env.tmp, 'many.tar');
  fs.writeFileSync(file, dockerArchive([Buffer.concat(parts)], { tag: 'example.com/many-sized:1' }));
  const page = await open(file);
  const t0 = Date.now();
  await page.click('#tab-sizes');
  await page.waitForSelector('[data-picture=sizes]');
  const rootMs = Date.now() - t0;
  let shown = await sizesShown(page);
  assert.equal(shown.size, dirs * per * data.length);
  assert.equal(shown.shapes, dirs);
  const t1 = Date.now();
  await page.click('.tm-node[data-path="/d7"]');
  await page.waitForSelector('[data-picture=sizes][data-path="/d7"]');
  const dirMs = Date.now() - t1;
  shown = await sizesShown(page);
  assert.equal(shown.shapes, 301, '300 files and one shape for the rest');
  assert.equal(shown.shapeSize, per * data.length);
  console.log(`sizes of 100,000 files: the root in ${rootMs} ms, a directory of ${per} in ${dirMs} ms`);
  await H.shot(page, 'pictures-many');
  await page.close();
});

const { REAL_IMAGES } = H;

test('the real Debian image: the treemap\'s numbers are the report\'s, at the root and in /usr', { skip: H.withoutRealImage('oci.tar') }, async () => {
  const file = path.join(REAL_IMAGES, 'oci.tar');
  assert.ok(fs.existsSync(file), `${file} is missing: run tests/real-images.sh`);
  const want = H.cli(file).json.images[0];
  const page = await open(file);
  await page.click('#tab-sizes');
  await page.waitForSelector('[data-picture=sizes]');
  let shown = await sizesShown(page);
  assert.deepEqual([shown.size, shown.wasted, shown.shapeSize, shown.shapeWasted],
    [want.summary.total_size, want.summary.wasted_bytes, want.summary.total_size, want.summary.wasted_bytes]);
  await H.shot(page, 'pictures-real-root');
  await page.click('.tm-node[data-path="/usr"]');
  await page.waitForSelector('[data-picture=sizes][data-path="/usr"]');
  shown = await sizesShown(page);
  assert.deepEqual([shown.size, shown.wasted], Object.values(below(want, '/usr')));
  await H.shot(page, 'pictures-real-usr');
  await page.close();
});
