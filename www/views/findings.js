// Secrets, Packages and Errors: lists of findings, each with an empty state that says why.
import { el, empty } from './dom.js';

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];

function secretPlace(f) {
  if (f.location === 'file') {
    return [el('code', { text: f.path ?? '' }), ` in layer ${f.layer}${f.line != null ? `, line ${f.line}` : ''}`];
  }
  if (f.location === 'env') return ['environment variable ', el('code', { text: f.key ?? '' })];
  if (f.location === 'label') return ['label ', el('code', { text: f.key ?? '' })];
  if (f.location === 'history') return [`history entry ${f.history_index}${f.line != null ? `, line ${f.line}` : ''}`];
  return [f.location];
}

function secretState(f) {
  if (f.deleted_in != null) return `deleted in layer ${f.deleted_in}, still shipped`;
  if (f.overwritten_in != null) return `replaced in layer ${f.overwritten_in}, still shipped`;
  return f.location === 'file' ? 'in the merged filesystem' : 'in the image config';
}

// Secrets found by the core's rules (docs/report.md "Secrets"): the values themselves are
// never in the report, only a redacted hint.
export function renderSecrets(root, img) {
  const found = img.secrets;
  if (!found.length) {
    root.replaceChildren(empty('No secrets found: no file, environment variable, label or history entry matched a secret rule.'));
    return;
  }
  const counts = SEVERITY_ORDER.map((s) => [s, found.filter((f) => f.severity === s).length]).filter(([, n]) => n);
  root.replaceChildren(
    el('p', null, `${found.length} ${found.length === 1 ? 'secret' : 'secrets'} found (${counts.map(([s, n]) => `${n} ${s}`).join(', ')}). `,
      el('span', { class: 'muted', text: 'A secret in a deleted file still ships in its layer: anyone with the image can read it.' })),
    el('table', { class: 'secrets' },
      el('thead', null, el('tr', null, ['severity', 'what', 'where', 'state', 'value (redacted)'].map((t) => el('th', { text: t })))),
      el('tbody', null, found.map((f) => el('tr', { class: `severity-${f.severity}`, dataset: { rule: f.rule } },
        el('td', { class: 'severity', text: f.severity }),
        el('td', null, f.title, el('br'), el('code', { class: 'muted', text: f.rule })),
        el('td', { class: 'wrap' }, secretPlace(f)),
        el('td', { text: secretState(f) }),
        el('td', { class: 'mono wrap', text: f.match_redacted })))))
  );
}

const PACKAGE_ROWS = 2000; // a plain table stays quick up to here; the filter narrows the rest

// Packages read from the package databases visible in the merged view (docs/report.md
// "Packages"), with a filter on name, version, type, license and path.
export function renderPackages(root, img) {
  const all = img.packages;
  if (!all.length) {
    root.replaceChildren(empty('No packages found: the image has no package database or manifest porthole reads (dpkg, apk, Python, npm).'));
    return;
  }
  const types = [...new Set(all.map((p) => p.type))].map((t) => `${all.filter((p) => p.type === t).length} ${t}`);
  const body = el('tbody');
  const status = el('span', { class: 'muted', 'aria-live': 'polite' });
  const draw = (query) => {
    const q = query.trim().toLowerCase();
    const hits = q ? all.filter((p) => [p.name, p.version, p.type, p.path, ...(p.licenses || [])].some((v) => v && v.toLowerCase().includes(q))) : all;
    body.replaceChildren(...hits.slice(0, PACKAGE_ROWS).map((p) => el('tr', { dataset: { type: p.type } },
      el('td', { text: p.type }),
      el('td', { class: 'wrap', text: p.name }),
      el('td', { class: 'mono wrap', text: p.version }),
      el('td', { class: 'wrap', text: (p.licenses || []).join(', ') }),
      el('td', { text: p.layer }),
      el('td', { class: 'mono wrap', text: p.path }))));
    status.textContent = hits.length > PACKAGE_ROWS
      ? `${hits.length} match; showing the first ${PACKAGE_ROWS}`
      : `${hits.length} ${hits.length === 1 ? 'package' : 'packages'}`;
  };
  const filter = el('input', { type: 'search', placeholder: 'name, version, license…', autocomplete: 'off', spellcheck: 'false' });
  filter.addEventListener('input', () => draw(filter.value));
  root.replaceChildren(
    el('p', { text: `${all.length} ${all.length === 1 ? 'package' : 'packages'}: ${types.join(', ')}.` }),
    el('div', { class: 'files-tools' }, el('label', null, 'Filter ', filter), status),
    el('table', { class: 'packages' },
      el('thead', null, el('tr', null, ['type', 'name', 'version', 'licenses', 'layer', 'read from'].map((t) => el('th', { text: t })))),
      body));
  draw('');
}

const KIND_WORDS = {
  malformed: 'Part of the file is damaged or not in the format it claims.',
  integrity: 'Some data does not match its digest or size.',
  unsupported: 'The image uses something porthole cannot read.',
  limit: 'A safety limit stopped reading (the image is very large or looks hostile).',
  io: 'The file could not be read.',
};

/** A sentence a person understands for one recorded error. */
export function plainWords(e) {
  if (/truncated|ends inside|unexpected end/i.test(e.message)) return 'The file is cut short: it looks like an interrupted download or copy.';
  if (/not an image archive/i.test(e.message)) return 'This is a tar archive, but not a container image: it has neither manifest.json (docker save) nor index.json (OCI).';
  if (/not an image/i.test(e.message)) return `This is not a container image: ${e.message.replace(/^not an image: /i, '')}.`;
  return KIND_WORDS[e.kind] || 'Something went wrong while reading the image.';
}

export function technical(e) {
  const where = [
    e.layer != null ? `layer ${e.layer}` : null,
    e.entry != null ? `entry ${JSON.stringify(e.entry)}` : null,
    e.path != null ? `path ${JSON.stringify(e.path)}` : null,
    e.offset != null ? `offset ${e.offset}` : null,
  ].filter(Boolean).join(', ');
  return `${e.kind}: ${e.message}${where ? ` (${where})` : ''}`;
}

export function renderErrors(root, report, img) {
  const all = report.errors.concat(img ? img.errors : []);
  if (!all.length) {
    root.replaceChildren(empty('No errors: every part of the image could be read.'));
    return;
  }
  root.replaceChildren(el('ul', { class: 'errors' }, all.map((e) => el('li', { dataset: { kind: e.kind } },
    el('p', { text: plainWords(e) }),
    el('details', null, el('summary', { text: 'Technical details' }), el('pre', { text: technical(e) }))))));
}
