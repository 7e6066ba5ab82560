// The Vulnerabilities view: every advisory matched against a package of the image (made by the
// core in the worker: `images[].vulnerabilities`), filtered and sorted here. Advisory text is
// data from a database: it only ever becomes text nodes.
import { el, empty, int, sortableHeaders } from './dom.js';

const RATINGS = ['critical', 'high', 'medium', 'low', 'none', 'unknown'];
const RANK = Object.fromEntries(RATINGS.map((r, i) => [r, i]));
const ROWS = 2000;

/** The layer a package came from, in words: base layers (`baseLayers`: how many of the first
 *  layers are the base image's, when known) or the image's own. */
function layerWords(v, baseLayers) {
  const n = v.package.layer;
  if (baseLayers == null) return `layer ${n}`;
  return n < baseLayers ? `layer ${n} (base)` : `layer ${n} (own)`;
}

const COLUMNS = [
  { key: 'severity', title: 'Severity', value: (v) => RANK[v.severity.rating] * 100 - (v.severity.score ?? 0),
    cell: (v) => el('td', null, el('span', { class: `rating ${v.severity.rating}`, text: v.severity.rating }),
      v.severity.score != null ? ` ${v.severity.score.toFixed(1)}` : null,
      v.malicious ? el('span', { class: 'rating malicious', text: 'malicious' }) : null) },
  { key: 'id', title: 'Advisory', value: (v) => v.id,
    cell: (v) => el('td', null, el('span', { class: 'mono', text: v.id }),
      v.aliases.length ? el('div', { class: 'muted small', text: v.aliases.join(', ') }) : null,
      v.summary ? el('div', { class: 'small', text: v.summary }) : null) },
  { key: 'package', title: 'Package', value: (v) => v.package.name,
    cell: (v) => el('td', null, el('span', { class: 'mono', text: v.package.name }),
      el('div', { class: 'muted small', text: `${v.package.type}${v.package.source ? `, source ${v.package.source}` : ''} · ${v.package.ecosystem}` })) },
  { key: 'installed', title: 'Installed', value: (v) => v.package.version, cell: (v) => el('td', { class: 'mono', text: v.package.version }) },
  { key: 'fixed', title: 'Fixed in', value: (v) => v.fixed[0] ?? '\uffff',
    cell: (v) => el('td', { class: v.fixed.length ? 'mono' : 'muted', text: v.fixed.length ? v.fixed.join(', ') : 'no fix yet' }) },
  { key: 'layer', title: 'Layer', value: (v) => v.package.layer, numeric: true, cell: null },
];

function compare(a, b, numeric) {
  if (numeric || typeof a === 'number') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `state` = { dbState: none|loading|ready|error, dbText (what the database is, in words) }. */
export function renderVulnerabilities(root, img, state) {
  const all = img.vulnerabilities || [];
  const summary = img.vulnerability_summary;
  if (!summary) {
    root.replaceChildren(empty(state.dbState === 'loading'
      ? 'The vulnerability database is being read; the packages are matched as soon as it is ready.'
      : 'No vulnerability database is loaded. Choose one above the report (osv.dev\'s <Ecosystem>/all.zip files, or OSV JSON '
        + 'files): it is read in this tab and never leaves it, and every package of this image is matched against it.'));
    return;
  }
  const notes = summary.notes.map((n) => el('li', { text: n }));
  const head = el('p', { dataset: { fact: 'vulnerability-summary' } },
    `${int(summary.total)} ${summary.total === 1 ? 'match' : 'matches'} in ${int(summary.packages_affected)} of ${int(summary.packages_checked)} packages checked`,
    ` (${RATINGS.filter((r) => summary.by_severity[r]).map((r) => `${int(summary.by_severity[r])} ${r}`).join(', ') || 'none'}); `,
    `${int(summary.fixable)} fixable`,
    summary.malicious ? el('strong', { text: `; ${int(summary.malicious)} malicious` }) : null,
    `. Database: ${state.dbText}.`);
  if (!all.length) {
    root.replaceChildren(...[head, notes.length ? el('ul', { class: 'notes' }, notes) : null].filter(Boolean));
    return;
  }
  const rows = all.map((v, index) => ({ v, index }));
  const sort = { column: null, dir: 1 };
  const body = el('tbody');
  const status = el('span', { class: 'muted', 'aria-live': 'polite' });
  const severity = el('select', { dataset: { filter: 'severity' } },
    el('option', { value: '', text: 'any severity' }),
    RATINGS.filter((r) => summary.by_severity[r]).map((r) => el('option', { value: r, text: `${r} (${int(summary.by_severity[r])})` })));
  const fix = el('select', { dataset: { filter: 'fix' } },
    el('option', { value: '', text: 'fixed or not' }),
    el('option', { value: 'fixed', text: `fixable (${int(summary.fixable)})` }),
    el('option', { value: 'unfixed', text: `no fix yet (${int(summary.total - summary.fixable)})` }));
  const malicious = el('input', { type: 'checkbox', dataset: { filter: 'malicious' } });
  const search = el('input', { type: 'search', placeholder: 'id, alias, package…', autocomplete: 'off', spellcheck: 'false' });
  // How many of the first layers are the base image's (the CLI's --base-layers): which
  // matches the base brought and which the image's own layers did.
  const base = el('input', {
    type: 'number', min: '0', max: String(img.layers.length), step: '1', inputmode: 'numeric', dataset: { filter: 'base-layers' },
    value: summary.base_layers ?? '', placeholder: '—', title: 'How many of the first layers are the base image\'s',
  });
  const origin = el('select', { dataset: { filter: 'origin' } },
    el('option', { value: '', text: 'base or own' }), el('option', { value: 'base', text: 'base layers' }), el('option', { value: 'own', text: 'own layers' }));
  const baseLayers = () => {
    const n = Math.floor(Number(base.value));
    return base.value === '' || !Number.isFinite(n) ? null : Math.max(0, n);
  };
  const split = el('span', { class: 'muted', dataset: { fact: 'base-own' } });
  const columns = COLUMNS.map((c) => (c.key === 'layer' ? { ...c, cell: (v) => el('td', { text: layerWords(v, baseLayers()) }) } : c));
  const { headers, mark } = sortableHeaders(columns, sort, () => draw());

  function draw() {
    const q = search.value.trim().toLowerCase();
    const n = baseLayers();
    origin.disabled = n == null;
    const fromBase = (v) => n != null && v.package.layer < n;
    split.textContent = n == null ? (summary.base_image ? `declared base: ${summary.base_image}` : '')
      : `${int(all.filter(fromBase).length)} from the base image's ${int(n)} layers, ${int(all.filter((v) => !fromBase(v)).length)} from the image's own`;
    let hits = rows.filter(({ v }) => (!severity.value || v.severity.rating === severity.value)
      && (!fix.value || v.status === fix.value)
      && (n == null || !origin.value || (origin.value === 'base') === fromBase(v))
      && (!malicious.checked || v.malicious)
      && (!q || [v.id, ...v.aliases, v.package.name, v.package.source, v.summary].some((t) => t && t.toLowerCase().includes(q))));
    const c = sort.column;
    if (c) hits = hits.slice().sort((a, b) => sort.dir * compare(c.value(a.v), c.value(b.v), c.numeric) || a.index - b.index);
    mark();
    body.replaceChildren(...hits.slice(0, ROWS).map(({ v }) => el('tr', {
      dataset: { id: v.id, severity: v.severity.rating, status: v.status, malicious: v.malicious ? 'true' : null },
    }, columns.map((col) => col.cell(v)))));
    status.textContent = hits.length > ROWS ? `${int(hits.length)} match; showing the first ${int(ROWS)}` : `${int(hits.length)} of ${int(all.length)}`;
  }
  for (const input of [severity, fix, malicious, origin]) input.addEventListener('change', draw);
  base.addEventListener('input', draw);
  search.addEventListener('input', draw);
  root.replaceChildren(...[
    head,
    notes.length ? el('details', { class: 'notes' }, el('summary', { text: `Notes (${notes.length})` }), el('ul', null, notes)) : null,
    el('div', { class: 'files-tools' },
      el('label', null, 'Severity ', severity), el('label', null, 'Fix ', fix),
      el('label', null, malicious, ' malicious only'), el('label', null, 'Filter ', search), status),
    el('div', { class: 'files-tools' }, el('label', null, 'Base image layers ', base), el('label', null, 'From ', origin), split),
    el('table', { class: 'packages vulnerabilities' }, el('thead', null, el('tr', null, headers)), body),
  ].filter(Boolean));
  draw();
}

/** The Overview's counts (the row is `[data-fact=vulnerabilities]`): a `[data-severity]` per
 *  rating, each "N rating". */
export function vulnerabilityFact(img) {
  const s = img.vulnerability_summary;
  if (!s) return 'not checked (no vulnerability database loaded)';
  return el('span', null,
    RATINGS.map((r, i) => [i ? ', ' : '', el('span', { class: `rating ${r}`, dataset: { severity: r }, text: `${int(s.by_severity[r])} ${r}` })]),
    ` — ${int(s.total)} ${s.total === 1 ? 'match' : 'matches'}, ${int(s.fixable)} fixable`,
    s.malicious ? `, ${int(s.malicious)} malicious` : '', ' — see Vulnerabilities');
}
