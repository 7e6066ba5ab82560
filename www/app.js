// UI only: hands the dropped file to the worker and renders the report it returns.
// Everything that comes from an image is written with textContent, never as HTML.

const $ = (id) => document.getElementById(id);
let worker = null;
let lastJson = null;
let lastName = 'report';

function text(tag, value, cls) {
  const el = document.createElement(tag);
  el.textContent = value == null ? '' : String(value);
  if (cls) el.className = cls;
  return el;
}

function start(file) {
  if (worker) worker.terminate();
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  document.body.dataset.state = 'working';
  $('progress').hidden = false;
  $('result').hidden = true;
  const t0 = performance.now();
  lastName = file.name;
  worker.onmessage = (ev) => {
    const m = ev.data;
    if (m.type === 'progress') {
      $('bar').value = m.total ? m.done / m.total : 0;
      const secs = (performance.now() - t0) / 1000;
      const mbs = secs > 0 ? (m.done / 1e6 / secs).toFixed(0) : '0';
      $('progress-text').textContent = `${(m.done / 1e6).toFixed(1)} / ${(m.total / 1e6).toFixed(1)} MB, ${mbs} MB/s`;
    } else if (m.type === 'report') {
      $('bar').value = 1;
      $('version').textContent = `porthole ${m.version}`;
      lastJson = m.json;
      render(JSON.parse(m.json));
      document.body.dataset.state = 'done';
    } else if (m.type === 'failed') {
      document.body.dataset.state = 'failed';
      $('progress-text').textContent = `Failed: ${m.message}`;
    }
  };
  worker.postMessage({ file });
}

function render(report) {
  $('result').hidden = false;
  const errors = $('errors');
  errors.replaceChildren();
  const allErrors = [...report.errors];
  const img = report.images[0];
  if (!img) {
    $('image-name').textContent = 'No image could be described';
    $('verdict').textContent = allErrors.map((e) => e.message).join('; ');
    $('verdict').className = 'verdict bad';
    $('facts').replaceChildren();
    $('layers').tBodies[0].replaceChildren();
  } else {
    allErrors.push(...img.errors);
    $('image-name').textContent = img.name || '(unnamed image)';
    const checks = img.checks.concat(img.layers.flatMap((l) => l.checks));
    const bad = img.layers.filter((l) => l.checks.some((c) => c.status === 'mismatch'));
    const verified = checks.filter((c) => c.status === 'verified').length;
    const v = $('verdict');
    if (checks.some((c) => c.status === 'mismatch')) {
      v.textContent = bad.length
        ? `Integrity failure: layer ${bad.map((l) => l.index).join(', ')} does not match`
        : 'Integrity failure: the manifest or config does not match';
      v.className = 'verdict bad';
    } else if (img.verified) {
      v.textContent = `All ${verified} digests and sizes verified`;
      v.className = 'verdict ok';
    } else {
      v.textContent = `No mismatch, but not everything could be checked (${verified} verified)`;
      v.className = 'verdict partial';
    }
    const facts = $('facts');
    facts.replaceChildren();
    const add = (k, val) => { facts.append(text('dt', k), text('dd', val)); };
    add('platform', img.platform);
    add('os', img.os_release && (img.os_release.pretty_name || img.os_release.id));
    add('manifest', img.manifest_digest);
    add('config', img.config_digest);
    add('files', `${img.summary.regular_files} regular files, ${img.summary.total_size} bytes`);
    add('wasted', `${img.summary.wasted_bytes} bytes in files hidden by later layers`);
    add('format', `${report.source.format} (${report.source.compression})`);
    if (report.images.length > 1) add('images', `${report.images.length} in this archive; showing the first`);
    const body = $('layers').tBodies[0];
    body.replaceChildren();
    for (const l of img.layers) {
      const tr = document.createElement('tr');
      const checkText = l.checks.map((c) => `${c.what}: ${c.status}`).join(', ');
      tr.append(
        text('td', l.index),
        text('td', l.digest ? l.digest.slice(0, 19) : '', 'mono'),
        text('td', l.size),
        text('td', `${l.files_added} / ${l.files_modified} / ${l.files_deleted}`),
        text('td', checkText),
        text('td', l.created_by, 'created'),
      );
      body.append(tr);
    }
  }
  for (const e of allErrors) {
    const where = [e.layer != null ? `layer ${e.layer}` : null, e.entry, e.path].filter(Boolean).join(', ');
    errors.append(text('li', `${e.kind}: ${e.message}${where ? ` (${where})` : ''}`));
  }
  if (!allErrors.length) errors.append(text('li', 'none'));
}

$('file').addEventListener('change', (e) => { if (e.target.files[0]) start(e.target.files[0]); });
document.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dragging'); });
document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const f = e.dataTransfer && e.dataTransfer.files[0];
  if (f) start(f);
});
$('download').addEventListener('click', () => {
  if (!lastJson) return;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([lastJson], { type: 'application/json' }));
  a.download = `${lastName}.porthole.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});
