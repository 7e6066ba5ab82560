// The page: the files the user opened and the images fetched from registries, one coordinator
// worker each, and which one is shown. UI only: the wasm core, every byte of an image and a
// registry password stay in the workers (worker-client.js).
//
// Automation hooks (README "The page"): body[data-state] is idle | working | done | error and
// body[data-verdict] is verified | mismatch | incomplete once done (CLI exit 0, 3, 4);
// body[data-engine] is the state of the worker kept warm for the next file: starting | ready |
// failed | none (worker-client.js warmUp); body[data-vulndb] is none | loading | ready |
// error (vulndb.js).
import { $, el, saveBlob, size } from './views/dom.js';
import { ImageWorker, warmUp } from './worker-client.js';
import { renderProgress } from './views/progress.js';
import { verdict } from './views/checks.js';
import { renderOverview } from './views/overview.js';
import { renderLayers } from './views/layers.js';
import { renderConfig } from './views/config.js';
import { renderSecrets, renderPackages, renderErrors, plainWords, technical } from './views/findings.js';
import { renderPractices } from './views/practices.js';
import { FilesView } from './views/files.js';
import { isDockerHub, hubAdvice, fetchWords, fileNameFor } from './views/registry.js';
import { RegistryBrowser } from './views/browse.js';
import { runAudit } from './views/audit.js';
import { ComparePanel } from './views/compare.js';
import { SizesView } from './views/pictures.js';
import { Settings } from './views/settings.js';
import { renderVulnerabilities } from './views/vulnerabilities.js';
import { VulnDatabase, isDatabaseFile } from './vulndb.js';
import { TrustMaterial, isTrustFile } from './trust.js';
import { renderAttestations } from './views/trust.js';

const VERDICT = { 0: 'verified', 3: 'mismatch', 4: 'incomplete' };
const STATUS_WORDS = { verified: 'verified', mismatch: 'does not match', incomplete: 'incomplete' };

/** Opened files and fetched images: { id, kind: file|registry, name, source (the File, or the
 *  registry request until its worker has it), settings (the limits and layer workers when it
 *  was opened), state: queued|working|done|error, worker,
 *  planned, layer, bytes: { done, total, received }, fetching (the registry request under way),
 *  pool (the layer workers' progress), started, result, failure, image (index of the image
 *  shown, for archives with several) }. */
const entries = [];
let shown = null;
let rendered = '';
let nextId = 1;
let registryOpen = false; // the registry form, once something is open (always shown before)
const filesView = new FilesView();
const sizesView = new SizesView($('view-sizes'));
const settings = new Settings();
// A database that becomes ready is matched against every image already read.
const vulndb = new VulnDatabase(() => { for (const e of entries) if (e.state === 'done') rematch(e); });
// Keys and roots: every image already read is checked again when they change.
const trust = new TrustMaterial(() => { for (const e of entries) if (e.state === 'done') reverify(e); });
trust.loadShipped(globalThis.portholeEmbedded);

/** `extraTrust`: keys for these files only (the sample's demo key), never for other images. */
function open(fileList, extraTrust = []) {
  const added = Array.from(fileList, (file) => ({
    id: nextId++, kind: 'file', name: file.name, source: file, state: 'queued', planned: null, layer: null, bytes: { done: 0, total: file.size }, image: 0,
    extraTrust, trustVersion: trust.version,
    settings: { limits: settings.limitsJson(), workers: settings.workers(), poolMinBytes: settings.poolMinBytes(), inflate: settings.inflate(), vulndb: vulndb.forWorker(), trust: trust.forWorker(extraTrust) },
  }));
  add(added);
}

/** Files from the picker or a drop: zips and JSON files are a vulnerability database, the
 *  rest images. */
function openAny(fileList) {
  const files = Array.from(fileList);
  const keys = files.filter(isTrustFile);
  if (keys.length) trust.addFiles(keys);
  const rest = files.filter((f) => !isTrustFile(f));
  const db = rest.filter(isDatabaseFile);
  if (db.length) vulndb.load(db);
  open(rest.filter((f) => !isDatabaseFile(f)));
}

/** Checks an image's signatures again with the keys and roots now given, in its worker. */
async function reverify(entry) {
  if (!entry.result || entry.result.trustVersion === trust.version) return;
  const version = trust.version;
  const config = trust.forWorker(entry.extraTrust ?? []) ?? { files: [] };
  try {
    const { images, taken } = await entry.worker.verifyTrust(config);
    if (version !== trust.version) return; // changed meanwhile: the next check follows
    images.forEach((m, i) => Object.assign(entry.result.report.images[i], m));
    entry.result.trustVersion = version;
    if (!entry.extraTrust?.length) trust.report(taken);
    if (entry === shown) { rendered = ''; update(); }
  } catch (e) {
    trust.report(null, e.message);
  }
}

/** Matches an image read before the database was ready against it, in its worker. */
async function rematch(entry) {
  const db = vulndb.forWorker();
  if (!db || entry.result?.vulndb === db) return;
  try {
    const per = await entry.worker.matchVulns(db);
    per.forEach((m, i) => Object.assign(entry.result.report.images[i], m));
    entry.result.vulndb = db;
    if (entry === shown) { rendered = ''; update(); }
  } catch (e) {
    if (!entry.closed) notice(`${entry.name} could not be matched against the vulnerability database: ${e.message}`);
  }
}

/** `request` = { reference, username, password, platform }. */
function fetchImage(request) {
  add([{
    id: nextId++, kind: 'registry', name: request.reference, source: { registry: request }, state: 'queued', planned: null, layer: null, bytes: { done: 0, total: 0, received: 0 }, image: 0,
    trustVersion: trust.version,
    settings: { limits: settings.limitsJson(), workers: 1, vulndb: vulndb.forWorker(), trust: trust.forWorker() },
  }]);
}

function add(added) {
  if (!added.length) return;
  notice('');
  registryOpen = false;
  entries.push(...added);
  shown = added[0];
  pump();
}

// One inspection at a time: the core already keeps a CPU busy, and several multi-GB files
// read at once would only compete for the disk and memory.
function pump() {
  const next = !entries.some((e) => e.state === 'working') && entries.find((e) => e.state === 'queued');
  if (next) run(next);
  update();
}

async function run(entry) {
  entry.state = 'working';
  entry.started = performance.now();
  entry.worker = new ImageWorker(entry.source, {
    planned: (images) => { entry.planned = images; progressed(entry); },
    layer: (image, layer) => { entry.layer = { image, layer }; progressed(entry); },
    bytes: (done, total, received) => { entry.bytes = { done, total, received }; progressed(entry); },
    request: (m) => { entry.fetching = m; progressed(entry); },
    pool: (m) => { entry.pool = m; progressed(entry); },
  }, entry.settings);
  // A registry password now lives in the worker only; a File is kept (a reference, not its
  // bytes) for Compare, which reads it again.
  if (entry.kind === 'file') entry.file = entry.source;
  entry.source = null;
  try {
    entry.result = await entry.worker.inspect();
    // The database the image was matched against (none if its worker could not take it).
    entry.result.vulndb = entry.result.vulndbTaken ? entry.settings.vulndb : undefined;
    entry.state = entry.result.report.images.length ? 'done' : 'error'; // exit code 2: no image
    // The database became ready while this image was read.
    if (entry.state === 'done' && vulndb.forWorker() !== entry.result.vulndb) rematch(entry);
    // The keys and roots the image was checked with; they changed while it was read.
    entry.result.trustVersion = entry.trustVersion;
    // What the worker took of the user's keys (not said for the sample, checked with its demo key too).
    if (entry.result.trustTaken && !entry.extraTrust?.length) trust.report(entry.result.trustTaken.error ? null : entry.result.trustTaken, entry.result.trustTaken.error);
    if (entry.state === 'done' && trust.version !== entry.result.trustVersion) reverify(entry);
    $('version').textContent = `porthole ${entry.result.version}`;
  } catch (e) {
    if (entry.closed) return;
    entry.state = 'error';
    entry.failure = e;
  }
  // A fetch that failed (a wrong password, say): the form comes back to try again.
  if (entry.kind === 'registry' && entry.state === 'error' && entry === shown) registryOpen = true;
  pump();
}

function progressed(entry) {
  if (entry === shown) renderProgress(entry);
  renderFileTabs();
}

/** Stops reading a file (terminating its worker) or forgets a finished one. */
function close(entry) {
  entry.closed = true;
  entry.worker?.cancel();
  const i = entries.indexOf(entry);
  entries.splice(i, 1);
  if (entry === shown) shown = entries[i] || entries[i - 1] || null;
  if (entry.state === 'queued' || entry.state === 'working') notice(`Stopped ${entry.kind === 'registry' ? 'fetching' : 'reading'} ${entry.name}.`);
  pump();
}

function notice(text) {
  $('notice').textContent = text;
  $('notice').hidden = !text;
}

function update() {
  setState();
  renderFileTabs();
  $('compare-open').hidden = comparable().length < 2;
  const s = shown?.state;
  $('landing').hidden = entries.length > 0;
  $('registry').hidden = entries.length > 0 && !registryOpen;
  $('registry-toggle').setAttribute('aria-expanded', String(!$('registry').hidden));
  $('progress').hidden = !(s === 'queued' || s === 'working');
  $('failure').hidden = s !== 'error';
  $('report').hidden = s !== 'done';
  if (!shown) { rendered = ''; document.title = 'porthole — look inside container images, locally'; return; }
  if (s === 'queued' || s === 'working') renderProgress(shown);
  const key = `${shown.id}:${s}:${shown.image}`;
  if (key === rendered) return;
  rendered = key;
  document.title = `${shown.name} — porthole`;
  if (s === 'done') renderReport(shown);
  if (s === 'error') renderFailure(shown);
}

function setState() {
  const b = document.body.dataset;
  if (!entries.length) b.state = 'idle';
  else if (entries.some((e) => e.state === 'queued' || e.state === 'working')) b.state = 'working';
  else b.state = shown.state;
  if (b.state === 'done') b.verdict = VERDICT[shown.result.exitCode] ?? 'incomplete';
  else delete b.verdict;
}

function statusOf(e) {
  if (e.state === 'queued') return 'waiting';
  if (e.state === 'working') {
    if (e.kind === 'registry' && !e.bytes.total) return e.bytes.received ? size(e.bytes.received) : 'asking';
    return `${Math.floor((100 * e.bytes.done) / (e.bytes.total || 1))} %`;
  }
  if (e.state === 'error') return e.kind === 'registry' ? 'not fetched' : 'no image';
  return STATUS_WORDS[VERDICT[e.result.exitCode]] ?? 'incomplete';
}

// The tabs are rebuilt only when files come, go or the shown one changes, so progress updates
// (ten a second) do not steal keyboard focus from them.
let tabsKey = '';
function renderFileTabs() {
  const bar = $('files-bar');
  bar.hidden = !entries.length;
  const key = `${entries.map((e) => e.id).join(',')}/${shown?.id}`;
  if (key === tabsKey) {
    entries.forEach((e, i) => {
      const tab = bar.children[i];
      tab.className = `file-tab ${e.state}${e === shown ? ' current' : ''}`;
      tab.querySelector('.tab-status').textContent = statusOf(e);
    });
    return;
  }
  tabsKey = key;
  bar.replaceChildren(...entries.map((e) => el('span', { class: `file-tab ${e.state}${e === shown ? ' current' : ''}` },
    el('button', {
      type: 'button', class: 'tab-main', 'aria-current': e === shown ? 'true' : null,
      dataset: { file: e.name, kind: e.kind }, onclick: () => { shown = e; update(); },
    }, el('span', { class: 'tab-name', text: e.name }), el('span', { class: 'tab-status', text: statusOf(e) })),
    el('button', { type: 'button', class: 'tab-close', 'aria-label': `Close ${e.name}`, title: 'Close', text: '×', onclick: () => close(e) }))));
}

function renderReport(entry) {
  const { report } = entry.result;
  const img = report.images[entry.image];
  $('image-name').textContent = img.name ?? entry.name;
  const choice = $('image-choice');
  choice.hidden = report.images.length < 2;
  $('image-select').replaceChildren(...report.images.map((im, i) => el('option', {
    value: String(i), selected: i === entry.image, text: `${i + 1}: ${im.name ?? '(unnamed)'}${im.platform ? ` (${im.platform})` : ''}`,
  })));
  const v = verdict(report, img);
  const box = $('verdict');
  box.className = `verdict ${v.kind}`;
  box.replaceChildren(el('span', { class: 'verdict-text', text: v.text }), ...v.notes.map((n) => el('span', { class: 'verdict-note', text: n })));
  renderOverview($('view-overview'), report, img, { ...entry.result, trustNote: entry.extraTrust?.length ? 'Checked with the sample\'s demo key (sample/cosign.pub) as well as yours: its private key is published with porthole, so it vouches for the sample only.' : null });
  renderLayers($('view-layers'), img, (layer) => { activateView('files'); filesView.showLayer(layer); });
  renderConfig($('view-config'), img);
  renderSecrets($('view-secrets'), img, {
    reveal: (f) => revealLine(entry, f),
    open: (f) => { activateView('files'); filesView.openPath(f.path, { layer: f.layer, line: f.line }); },
  });
  renderPractices($('view-practices'), img);
  const practices = img.best_practices?.length ?? 0;
  $('tab-practices').textContent = practices ? `Best practices (${practices})` : 'Best practices';
  renderPackages($('view-packages'), img, { sbom: (format) => downloadSbom(entry, format) });
  renderVulnerabilities($('view-vulnerabilities'), img, { dbState: vulndb.state, dbText: vulndb.text() });
  const vulns = img.vulnerability_summary?.total;
  $('tab-vulnerabilities').textContent = vulns ? `Vulnerabilities (${vulns})` : 'Vulnerabilities';
  renderAttestations($('view-attestations'), img);
  $('tab-attestations').textContent = img.attestations.length ? `Attestations (${img.attestations.length})` : 'Attestations';
  renderErrors($('view-errors'), report, img);
  const errors = report.errors.length + img.errors.length;
  $('tab-errors').textContent = errors ? `Errors (${errors})` : 'Errors';
  $('tab-secrets').textContent = img.secrets.length ? `Secrets (${img.secrets.length})` : 'Secrets';
  $('tab-packages').textContent = img.packages.length ? `Packages (${img.packages.length})` : 'Packages';
  filesView.show(entry.worker, entry.image, img, { registry: entry.kind === 'registry' });
  sizesView.show((path) => entry.worker.sizes(entry.image, path));
}

const SBOM_SUFFIX = { 'spdx-json': 'spdx.json', 'cyclonedx-json': 'cdx.json' };

/** Saves the SBOM of the image shown (made in the worker) as `<image name>.spdx.json` or
 *  `.cdx.json`; an image without a name is named after its file. */
async function downloadSbom(entry, format) {
  const index = entry.image;
  const img = entry.result.report.images[index];
  try {
    const text = await entry.worker.sbom(index, format);
    const name = img.name ? fileNameFor(img.name) : entry.kind === 'registry' ? fileNameFor(entry.name) : entry.name;
    saveBlob(new Blob([text], { type: 'application/json' }), `${name}.${SBOM_SUFFIX[format]}`);
  } catch (e) {
    notice(`The SBOM could not be made: ${e.message}`);
  }
}

const REVEAL_BYTES = 1 << 20;

/** The line a secret was found on, read from the file version that holds it (first MiB). */
async function revealLine(entry, f) {
  const versions = await entry.worker.versions(entry.image, f.path);
  const node = versions.find((n) => n.layer === f.layer && n.version != null);
  if (!node) throw new Error(`layer ${f.layer} holds no readable version of ${f.path}`);
  const bytes = await entry.worker.read(entry.image, node.version, 0, REVEAL_BYTES);
  const lines = new TextDecoder().decode(bytes).split('\n');
  const complete = bytes.length < REVEAL_BYTES ? lines.length : lines.length - 1; // the last may be cut
  if (f.line < 1 || f.line > complete) throw new Error(`line ${f.line} is not within the first ${size(REVEAL_BYTES)} of the file`);
  return lines[f.line - 1].replace(/\r$/, '');
}

function renderFailure(entry) {
  const errors = entry.result ? entry.result.report.errors : [];
  const registry = entry.kind === 'registry';
  if (registry) $('failure-title').textContent = `The image “${entry.name}” could not be fetched`;
  else {
    $('failure-title').textContent = entry.result
      ? `No container image could be read from “${entry.name}”`
      : `porthole could not finish reading “${entry.name}”`;
  }
  const words = entry.result ? [...new Set(errors.map(registry ? fetchWords : plainWords))] : [entry.failure.message];
  if (!words.length) words.push(registry ? 'The registry sent nothing porthole could describe.' : 'The file does not contain an image porthole recognises.');
  $('failure-words').replaceChildren(...words.map((w) => el('li', { text: w })));
  // A fetch's errors are already in full above: its details are what was asked and answered.
  const recorded = registry ? (e) => `${e.kind} error${e.layer != null ? ` in layer ${e.layer}` : ''}` : technical;
  const detail = entry.result ? errors.map(recorded).join('\n') : (entry.failure.detail ?? String(entry.failure));
  const requests = entry.result?.requests;
  $('failure-detail').textContent = requests?.length ? `${detail}\n\nRequests (GET only):\n${requests.join('\n')}` : detail;
}

// Report views as tabs (WAI-ARIA tabs: arrow keys move between them).
const VIEWS = ['overview', 'layers', 'files', 'sizes', 'config', 'secrets', 'practices', 'packages', 'vulnerabilities', 'attestations', 'errors'];
function activateView(name, focus = false) {
  for (const v of VIEWS) {
    const on = v === name;
    const tab = $(`tab-${v}`);
    tab.setAttribute('aria-selected', on ? 'true' : 'false');
    tab.tabIndex = on ? 0 : -1;
    $(`view-${v}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  if (name === 'files') filesView.render(); // its size was 0 while hidden
  if (name === 'sizes') sizesView.shown();
}
for (const v of VIEWS) {
  const tab = $(`tab-${v}`);
  tab.addEventListener('click', () => activateView(v));
  tab.addEventListener('keydown', (e) => {
    const i = VIEWS.indexOf(v);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: VIEWS.length - 1 }[e.key];
    if (to == null) return;
    e.preventDefault();
    activateView(VIEWS[(to + VIEWS.length) % VIEWS.length], true);
  });
}
activateView('overview');

$('image-select').addEventListener('change', (e) => { shown.image = Number(e.target.value); update(); });
$('cancel').addEventListener('click', () => { if (shown) close(shown); });
$('download-json').addEventListener('click', async () => {
  const entry = shown;
  try {
    const name = entry.kind === 'registry' ? fileNameFor(entry.name) : entry.name;
    saveBlob(await entry.worker.reportBlob(), `${name}.porthole.json`);
  } catch (e) {
    notice(`The report could not be exported: ${e.message}`);
  }
});

// Input: the file picker, drag-and-drop anywhere on the page, the sample.
$('file-input').addEventListener('change', (e) => {
  openAny(e.target.files);
  e.target.value = ''; // picking the same file again should inspect it again
});
$('trust-input').addEventListener('change', async (e) => {
  if (e.target.files.length) await trust.addFiles(Array.from(e.target.files));
  e.target.value = '';
});
$('trust-paste-add').addEventListener('click', () => {
  const text = $('trust-paste').value.trim();
  if (!text) return;
  trust.addText(`pasted ${trust.files.length + 1}`, text);
  $('trust-paste').value = '';
});
$('trust-clear').addEventListener('click', () => trust.clear());
for (const id of ['trust-identity', 'trust-issuer']) $(id).addEventListener('change', () => trust.changed());
$('vulndb-input').addEventListener('change', (e) => {
  if (e.target.files.length) vulndb.load(Array.from(e.target.files));
  e.target.value = '';
});
let dragDepth = 0;
const overlay = $('drop-overlay');
const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
document.addEventListener('dragenter', (e) => {
  if (!hasFiles(e)) return;
  dragDepth++;
  overlay.hidden = false;
});
document.addEventListener('dragleave', () => {
  if (--dragDepth <= 0) { dragDepth = 0; overlay.hidden = true; }
});
document.addEventListener('dragover', (e) => {
  e.preventDefault(); // allows dropping; without it the browser would open the file itself
  if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  overlay.hidden = true;
  if (e.dataTransfer?.files.length) openAny(e.dataTransfer.files);
});

// The sample ships with the site (make web writes it with porthole-fixture): fetched from this
// origin, then inspected like a dropped file. The single-file build carries it inline.
$('sample').addEventListener('click', async () => {
  const button = $('sample');
  button.disabled = true;
  try {
    const embedded = globalThis.portholeEmbedded;
    // The sample's advisories (real PyPA records for the packages it ships), unless the user
    // has a database of their own: the Vulnerabilities view is not empty on a first look.
    const withAdvisories = vulndb.state === 'none' || vulndb.state === 'error';
    // The sample's public key, for the sample only (its private key is published with
    // porthole, so it must vouch for no other image): its signature verifies.
    if (embedded) {
      if (withAdvisories) await vulndb.load([embedded.sampleVulnDb()], ['vulndb.json'], 'the sample advisories');
      open([embedded.sampleFile()], [{ name: 'cosign.pub', text: await embedded.sampleKey().text() }]);
    } else {
      if (withAdvisories) {
        const db = await fetch(new URL('./sample/vulndb.json', import.meta.url));
        if (db.ok) await vulndb.load([await db.blob()], ['vulndb.json'], 'the sample advisories');
      }
      const key = await fetch(new URL('./sample/cosign.pub', import.meta.url));
      const sampleKey = key.ok ? [{ name: 'cosign.pub', text: await key.text() }] : [];
      const res = await fetch(new URL('./sample/sample.tar', import.meta.url));
      if (!res.ok) throw new Error(`the server answered ${res.status} (is the site built with make web?)`);
      open([new File([await res.blob()], 'sample.tar', { type: 'application/x-tar' })], sampleKey);
    }
  } catch (e) {
    notice(`The sample image could not be loaded: ${e.message}`);
  } finally {
    button.disabled = false;
  }
});

// From a registry: the form; Docker Hub is explained before anything is sent.
const form = $('registry-form');
const hint = $('registry-hint');
function showHint(nodes) {
  hint.replaceChildren(...nodes);
  hint.hidden = !nodes.length;
}
form.elements['image-ref'].addEventListener('input', (e) => showHint(isDockerHub(e.target.value) ? hubAdvice(e.target.value) : []));
form.addEventListener('submit', (e) => {
  e.preventDefault(); // nothing is ever submitted anywhere (form-action 'none')
  const f = form.elements;
  const reference = f['image-ref'].value.trim();
  if (isDockerHub(reference)) {
    showHint(hubAdvice(reference));
    return;
  }
  showHint([]);
  fetchImage({ reference, username: f.username.value.trim(), password: f.password.value, platform: f.platform.value.trim() });
  f.password.value = ''; // kept for this one fetch only, by its worker
});
// Browse: the same field names a registry (its repositories) or a repository (its tags); a
// tag opens as "Fetch and inspect" does, with the credentials given for browsing.
const browser = new RegistryBrowser($('browse'), (reference, creds) => {
  fetchImage({ reference, username: creds?.username ?? '', password: creds?.password ?? '', platform: '' });
});
$('browse-button').addEventListener('click', () => {
  const f = form.elements;
  const target = f['image-ref'].value.trim();
  if (!target) {
    f['image-ref'].reportValidity();
    return;
  }
  if (isDockerHub(target.includes('/') ? target : `${target}/x`)) {
    showHint(hubAdvice(target));
    return;
  }
  showHint([]);
  browser.browse(target, f.username.value.trim(), f.password.value);
});
// Audit: the same field names the registry (or a repository to probe); GET, HEAD and OPTIONS
// only unless the two probes were allowed (docs/audit.md).
$('audit-button').addEventListener('click', () => {
  const f = form.elements;
  const target = f['image-ref'].value.trim();
  if (!target) {
    f['image-ref'].reportValidity();
    return;
  }
  showHint([]);
  runAudit($('audit'), target, {
    username: f.username.value.trim(), password: f.password.value,
    isPublic: f['audit-public'].checked, writeProbes: f['audit-write'].checked,
  });
});
// Compare: two opened files that were read (registry images keep no bytes to read again).
function comparable() {
  return entries.filter((e) => e.kind === 'file' && e.state === 'done').map((e) => ({ id: e.id, name: e.name, file: e.file }));
}
const comparer = new ComparePanel($('compare'), comparable, () => ({ limits: settings.limitsJson(), vulndb: vulndb.forWorker() }));
$('compare-open').addEventListener('click', () => comparer.show(shown?.id));
$('registry-toggle').addEventListener('click', () => {
  const hidden = $('registry').hidden;
  if (entries.length) registryOpen = hidden;
  update();
  if (!$('registry').hidden) form.elements['image-ref'].focus();
});

update();
// The next file's worker, started now (wasm fetched, compiled, instantiated) so that a drop
// shows its layer table at once.
warmUp((state) => { document.body.dataset.engine = state; }, () => settings.workers());
vulndb.loadHosted();
