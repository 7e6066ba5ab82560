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
};

/** `entry` = { kind, name, state, planned, bytes: { done, total, received }, layer: { image, layer },
 *  fetching: { purpose, layer, host }, pool: { done, workers, jobs, read, reading, layers:
 *  [{ image, layer, state }] }, started }. */
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
    : pool ? `${pool.workers} layer workers: ${int(pool.read)} of ${int(pool.jobs)} ${pool.jobs === 1 ? 'layer' : 'layers'} read, ${int(pool.reading)} being read`
    : cur
      ? `Layer ${cur.layer + 1} of ${plannedImage ? plannedImage.layers.length : '?'}${entry.planned?.length > 1 ? ` of image ${cur.image + 1} of ${entry.planned.length}` : ''}${layerInfo ? `: ${shortDigest(layerInfo.digest)}${layerInfo.size != null ? `, ${size(layerInfo.size)}` : ''}` : ''}`
      : entry.state === 'working' ? (registry ? 'Contacting the registry…' : 'Reading the manifests…') : '';
  renderPlan(entry);
}

// Rebuilt only when the layer being read changes, not on every byte update.
function renderPlan(entry) {
  const plan = $('plan');
  const pool = entry.pool;
  const poolKey = pool ? `${pool.done}:${pool.layers.map((l) => l.state[0]).join('')}` : '';
  const key = entry.planned ? `${entry.id}:${entry.layer?.image}:${entry.layer?.layer}:${poolKey}` : '';
  if (plan.dataset.key === key) return;
  plan.dataset.key = key;
  if (!entry.planned) {
    plan.replaceChildren();
    return;
  }
  // With a pool, several layers are read at once: what the pool says, while it works; then the
  // coordinator assembles the report layer by layer (and reads any layer a worker could not).
  const inPool = new Map(pool ? pool.layers.map((l) => [`${l.image}:${l.layer}`, l.state]) : []);
  const status = (i, j) => {
    const p = inPool.get(`${i}:${j}`);
    if (p === 'read') return 'read';
    if (pool && !pool.done) return p ?? 'in the pool';
    const c = entry.layer;
    if (!c || i > c.image || (i === c.image && j > c.layer)) return 'waiting';
    return i === c.image && j === c.layer ? 'reading' : 'read';
  };
  plan.replaceChildren(...entry.planned.map((img, i) => el('div', null,
    el('h3', { text: `${img.name ?? '(unnamed image)'}${img.platform ? ` — ${img.platform}` : ''}: ${int(img.layers.length)} ${img.layers.length === 1 ? 'layer' : 'layers'}` }),
    el('table', { class: 'plan', dataset: { image: i } },
      el('thead', null, el('tr', null, ['#', 'digest', 'size', 'media type', ''].map((t) => el('th', { text: t })))),
      el('tbody', null, img.layers.map((l, j) => el('tr', { class: status(i, j).replace(/ /g, '-') },
        el('td', { text: j }),
        el('td', { class: 'mono wrap', text: l.digest ?? '—' }),
        el('td', { text: size(l.size) }),
        el('td', { class: 'wrap', text: l.media_type ?? '—' }),
        el('td', { text: status(i, j) }))))))));
}
