// Progress of one file's inspection or registry fetch: bytes read (or received) of the total,
// speed, the layer being read (or, with a pool of layer workers, how many are being read at
// once) or the request under way, and the layer table, which appears as soon as the manifests
// are read (before any layer is).
import { el, $, int, size, shortDigest } from './dom.js';

const ASKING = {
  ping: (m) => `Asking ${m.host} for its registry API…`,
  token: (m) => `Getting a token from ${m.host}…`,
  manifest: () => 'Reading the manifest…',
  config: () => 'Reading the image config…',
  signatures: () => 'Looking up signatures and attestations…',
};

/** `entry` = { kind, name, state, planned, bytes: { done, total, received }, layer: { image, layer },
 *  fetching: { purpose, layer, host }, pool: { done, workers, jobs, split (the largest layer is
 *  read in two halves), read, reading, layers: [{ image, layer, state }] }, started }. */
export function renderProgress(entry) {
  const registry = entry.kind === 'registry';
  $('progress-title').textContent = entry.state === 'queued'
    ? `Waiting: ${entry.name} (another ${registry ? 'image' : 'file'} is being read first)`
    : `${registry ? 'Fetching' : 'Reading'} ${entry.name}`;
  const { done, total, received } = entry.bytes;
  const bar = $('progress-bar');
  const secs = (performance.now() - entry.started) / 1000;
  const speed = (n) => (secs > 0.2 ? (n / 1e6 / secs).toFixed(0) : '…');
  if (registry && !total) {
    // Nothing to measure against before the manifest is read: an indeterminate bar.
    bar.removeAttribute('value');
    bar.setAttribute('aria-label', 'fetching');
    $('progress-text').textContent = entry.state === 'queued' ? '' : `${size(received ?? 0)} received`;
  } else {
    bar.max = total || 1;
    bar.value = done;
    bar.setAttribute('aria-label', `${Math.round((100 * done) / (total || 1))} % ${registry ? 'received' : 'read'}`);
    $('progress-text').textContent = entry.state === 'queued' ? ''
      : `${size(done)} of ${size(total)} ${registry ? 'received' : 'read'} (${Math.floor((100 * done) / (total || 1))} %), ${speed(registry ? received : done)} MB/s`;
  }
  const cur = entry.layer;
  const plannedImage = cur && entry.planned?.[cur.image];
  const layerInfo = plannedImage?.layers[cur.layer];
  const asking = registry && entry.fetching && ASKING[entry.fetching.purpose];
  const pool = entry.pool && !entry.pool.done ? entry.pool : null;
  $('progress-layer').textContent = asking ? asking(entry.fetching)
    : pool ? `${pool.workers} layer workers: ${int(pool.read)} of ${int(pool.jobs)} ${pool.jobs === 1 ? 'layer' : 'layers'} read, ${int(pool.reading)} being read${pool.split ? `, the ${pool.jobs === 1 ? 'layer' : 'largest'} split between 2 workers` : ''}`
    : cur
      ? `Layer ${cur.layer + 1} of ${plannedImage ? plannedImage.layers.length : '?'}${entry.planned?.length > 1 ? ` of image ${cur.image + 1} of ${entry.planned.length}` : ''}${layerInfo ? `: ${shortDigest(layerInfo.digest)}${layerInfo.size != null ? `, ${size(layerInfo.size)}` : ''}` : ''}`
      : entry.state === 'working' ? (registry ? 'Contacting the registry…' : 'Reading the manifests…') : '';
  renderPlan(entry);
}

// The layer table is built once per file and list of planned layers; progress then updates
// only the rows whose state may have changed (the rows between the layer read before and the
// one read now; every row when the pool says something new, at most ten times a second), so
// an image of 1 024 layers costs a few thousand row updates, not a million new rows.
let table = null; // { id, planned, rows: [{ tr, cell }], offsets, shown, pool, poolStates, cur }

function renderPlan(entry) {
  const plan = $('plan');
  if (!entry.planned) {
    if (plan.firstChild) plan.replaceChildren();
    table = null;
    return;
  }
  if (!table || table.id !== entry.id || table.planned !== entry.planned || !plan.firstChild) {
    table = buildPlan(plan, entry);
  }
  const t = table;
  const n = t.rows.length;
  const cur = currentRow(t, entry);
  let from = 0;
  let to = -1;
  const pool = entry.pool ?? null;
  if (t.pool !== pool) {
    // What the pool says about each layer (with a pool, several are read at once).
    t.pool = pool;
    t.poolStates = new Array(n);
    for (const l of pool?.layers ?? []) {
      const k = flatIndex(t, l.image, l.layer);
      if (k != null) t.poolStates[k] = l.state;
    }
    to = n - 1;
  } else if (cur.at !== t.cur.at || cur.exact !== t.cur.exact) {
    from = Math.max(0, Math.min(cur.at, t.cur.at));
    to = Math.min(n - 1, Math.max(cur.at, t.cur.at));
  }
  t.cur = cur;
  for (let k = from; k <= to; k++) {
    // With a pool: what it says, while it works; then the coordinator assembles the report
    // layer by layer (and reads any layer a worker could not).
    const p = t.poolStates[k];
    let s;
    if (p === 'read') s = 'read';
    else if (pool && !pool.done) s = p ?? 'in the pool';
    else if (k < cur.at) s = 'read';
    else s = k === cur.at && cur.exact ? 'reading' : 'waiting';
    if (s === t.shown[k]) continue;
    t.shown[k] = s;
    t.rows[k].tr.className = s.replace(/ /g, '-');
    t.rows[k].cell.textContent = s;
  }
}

/** The table of planned layers, every row waiting: { id, planned, rows, offsets, … }. */
function buildPlan(plan, entry) {
  const rows = [];
  const offsets = [];
  plan.replaceChildren(...entry.planned.map((img, i) => {
    offsets.push(rows.length);
    return el('div', null,
      el('h3', { text: `${img.name ?? '(unnamed image)'}${img.platform ? ` — ${img.platform}` : ''}: ${int(img.layers.length)} ${img.layers.length === 1 ? 'layer' : 'layers'}` }),
      el('table', { class: 'plan', dataset: { image: i } },
        el('thead', null, el('tr', null, ['#', 'digest', 'size', 'media type', ''].map((t) => el('th', { text: t })))),
        el('tbody', null, img.layers.map((l, j) => {
          const cell = el('td', { text: 'waiting' });
          const tr = el('tr', { class: 'waiting' },
            el('td', { text: j }),
            el('td', { class: 'mono wrap', text: l.digest ?? '—' }),
            el('td', { text: size(l.size) }),
            el('td', { class: 'wrap', text: l.media_type ?? '—' }),
            cell);
          rows.push({ tr, cell });
          return tr;
        }))));
  }));
  return {
    id: entry.id, planned: entry.planned, rows, offsets, shown: rows.map(() => 'waiting'),
    pool: null, poolStates: [], cur: { at: -1, exact: false },
  };
}

/** Row `layer` of image `image` in the table's one list of rows, or null. */
function flatIndex(t, image, layer) {
  const img = t.planned[image];
  return img && layer >= 0 && layer < img.layers.length ? t.offsets[image] + layer : null;
}

/** The row being read by the coordinator: `at` (rows before it are read), `exact` when that
 *  row is the layer being read (a layer beyond the planned ones: the rows after it wait). */
function currentRow(t, entry) {
  const c = entry.layer;
  if (!c) return { at: -1, exact: false };
  if (c.image >= t.planned.length) return { at: t.rows.length, exact: false };
  const len = t.planned[c.image].layers.length;
  return c.layer < len ? { at: t.offsets[c.image] + c.layer, exact: true } : { at: t.offsets[c.image] + len, exact: false };
}
