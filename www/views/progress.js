// Progress of one file's inspection: bytes read of the total, speed, the layer being read, and
// the layer table, which appears as soon as the manifests are read (before any layer is).
import { el, $, int, size, shortDigest } from './dom.js';

/** `entry` = { file, state, planned, bytes: { done, total }, layer: { image, layer }, started }. */
export function renderProgress(entry) {
  $('progress-title').textContent = entry.state === 'queued'
    ? `Waiting: ${entry.file.name} (another file is being read first)`
    : `Reading ${entry.file.name}`;
  const { done, total } = entry.bytes;
  const bar = $('progress-bar');
  bar.max = total || 1;
  bar.value = done;
  bar.setAttribute('aria-label', `${Math.round((100 * done) / (total || 1))} % read`);
  const secs = (performance.now() - entry.started) / 1000;
  $('progress-text').textContent = entry.state === 'queued' ? ''
    : `${size(done)} of ${size(total)} read (${Math.floor((100 * done) / (total || 1))} %), ${secs > 0.2 ? (done / 1e6 / secs).toFixed(0) : '…'} MB/s`;
  const cur = entry.layer;
  const plannedImage = cur && entry.planned?.[cur.image];
  const layerInfo = plannedImage?.layers[cur.layer];
  $('progress-layer').textContent = cur
    ? `Layer ${cur.layer + 1} of ${plannedImage ? plannedImage.layers.length : '?'}${entry.planned?.length > 1 ? ` of image ${cur.image + 1} of ${entry.planned.length}` : ''}${layerInfo ? `: ${shortDigest(layerInfo.digest)}${layerInfo.size != null ? `, ${size(layerInfo.size)}` : ''}` : ''}`
    : entry.state === 'working' ? 'Reading the manifests…' : '';
  renderPlan(entry);
}

// Rebuilt only when the layer being read changes, not on every byte update.
function renderPlan(entry) {
  const plan = $('plan');
  const key = entry.planned ? `${entry.id}:${entry.layer?.image}:${entry.layer?.layer}` : '';
  if (plan.dataset.key === key) return;
  plan.dataset.key = key;
  if (!entry.planned) {
    plan.replaceChildren();
    return;
  }
  const status = (i, j) => {
    const c = entry.layer;
    if (!c || i > c.image || (i === c.image && j > c.layer)) return 'waiting';
    return i === c.image && j === c.layer ? 'reading' : 'read';
  };
  plan.replaceChildren(...entry.planned.map((img, i) => el('div', null,
    el('h3', { text: `${img.name ?? '(unnamed image)'}${img.platform ? ` — ${img.platform}` : ''}: ${int(img.layers.length)} ${img.layers.length === 1 ? 'layer' : 'layers'}` }),
    el('table', { class: 'plan', dataset: { image: i } },
      el('thead', null, el('tr', null, ['#', 'digest', 'size', 'media type', ''].map((t) => el('th', { text: t })))),
      el('tbody', null, img.layers.map((l, j) => el('tr', { class: status(i, j) },
        el('td', { text: j }),
        el('td', { class: 'mono wrap', text: l.digest ?? '—' }),
        el('td', { text: size(l.size) }),
        el('td', { class: 'wrap', text: l.media_type ?? '—' }),
        el('td', { text: status(i, j) }))))))));
}
