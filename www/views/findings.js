// Secrets, Packages and Errors: lists of findings, each with an empty state that says why.
import { el, empty, int, sortableHeaders } from './dom.js';
import { fetchWords } from './registry.js';

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];

function secretPlace(f, open) {
  if (f.location === 'file') {
    // The path opens the Files view at that file, its preview at the line.
    const path = el('button', {
      type: 'button', class: 'link', dataset: { action: 'open-file' }, title: 'Show this file in the Files view', onclick: () => open(f),
    }, el('code', { text: f.path ?? '' }));
    return [path, ` in layer ${f.layer}${f.line != null ? `, line ${f.line}` : ''}`];
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

/** The redacted value, and for a finding in a file a "Reveal line" button: only on that click is
 *  the file read (the version in the finding's layer) and its one line shown, as text. */
function secretValue(f, reveal) {
  const cell = el('td', { class: 'mono wrap' }, el('span', { class: 'redacted', text: f.match_redacted }));
  if (f.location !== 'file' || f.line == null) return cell;
  const out = el('div', { class: 'revealed-line', hidden: true });
  const button = el('button', {
    type: 'button', class: 'button small', dataset: { action: 'reveal' }, 'aria-expanded': 'false',
    'aria-label': `Reveal line ${f.line} of ${f.path}`, text: 'Reveal line',
  });
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-expanded') === 'true') {
      out.replaceChildren();
      out.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      button.textContent = 'Reveal line';
      return;
    }
    button.disabled = true;
    button.textContent = 'Reading…';
    try {
      const line = await reveal(f);
      out.replaceChildren(el('pre', { class: 'revealed', dataset: { revealed: '' }, text: line }));
      button.setAttribute('aria-expanded', 'true');
      button.textContent = 'Hide';
    } catch (e) {
      out.replaceChildren(el('p', { class: 'muted', dataset: { revealError: '' }, text: `The line could not be read: ${e.message}` }));
      button.textContent = 'Reveal line';
    } finally {
      out.hidden = false;
      button.disabled = false;
    }
  });
  cell.append(' ', button, out);
  return cell;
}

// Secrets found by the core's rules (docs/report.md "Secrets"): the values themselves are
// never in the report, only a redacted hint; a file's line is read only on request.
/** `actions` = { reveal(finding) → Promise<line text>, open(finding) }. */
export function renderSecrets(root, img, actions) {
  const found = img.secrets;
  const placeholders = placeholderList(img.secret_placeholders ?? []);
  if (!found.length) {
    root.replaceChildren(empty('No secrets found: no file, environment variable, label or history entry matched a secret rule.'), placeholders ?? '');
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
        el('td', { class: 'wrap' }, secretPlace(f, actions.open)),
        el('td', { text: secretState(f) }),
        secretValue(f, actions.reveal))))),
    placeholders ?? '',
  );
}

/** Values a rule matched that look like stand-ins (`changeme`, `xxxx`): listed apart, closed,
 *  never counted as secrets. */
function placeholderList(list) {
  if (!list.length) return null;
  const where = (f) => (f.location === 'file' ? `${f.path ?? ''} in layer ${f.layer}${f.line != null ? `, line ${f.line}` : ''}` : `${f.location} ${f.key ?? f.history_index ?? ''}`);
  return el('details', { class: 'placeholders', dataset: { placeholders: String(list.length) } },
    el('summary', { text: `${list.length} ${list.length === 1 ? 'value looks' : 'values look'} like a placeholder, not a secret` }),
    el('ul', null, list.map((f) => el('li', { class: 'wrap', dataset: { rule: f.rule } },
      el('code', { text: f.rule }), ` ${where(f)}: `, el('span', { class: 'mono', text: f.match_redacted })))));
}

const PACKAGE_ROWS = 2000; // a plain table stays quick up to here; the filters narrow the rest

/** [[type, count]] of a package list, most packages first (then by type). */
export function typeCounts(packages) {
  const counts = new Map();
  for (const p of packages) counts.set(p.type, (counts.get(p.type) || 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

// The table's columns: header, sort key, cell. Text sorts version-aware ("2.0.9" before
// "13.0.3") with one collator, so the order is the same for everyone.
const collator = new Intl.Collator('en', { numeric: true });
const byText = (a, b) => collator.compare(a, b);
const PACKAGE_COLUMNS = [
  { key: 'type', title: 'type', value: (p) => p.type, cell: (p) => el('td', { text: p.type }) },
  { key: 'name', title: 'name', value: (p) => p.name, cell: (p) => el('td', { class: 'wrap', text: p.name }) },
  { key: 'version', title: 'version', value: (p) => p.version, cell: (p) => el('td', { class: 'mono wrap', text: p.version }) },
  { key: 'licenses', title: 'licenses', value: (p) => (p.licenses || []).join(', '), cell: (p) => el('td', { class: 'wrap', text: (p.licenses || []).join(', ') }) },
  { key: 'layer', title: 'layer', value: (p) => p.layer, compare: (a, b) => a - b, cell: (p) => el('td', { text: p.layer }) },
  { key: 'path', title: 'read from', value: (p) => p.path, cell: (p) => el('td', { class: 'mono wrap', text: p.path }) },
];

const SBOM_FORMATS = [
  { format: 'spdx-json', text: 'Download SPDX 2.3 JSON' },
  { format: 'cyclonedx-json', text: 'Download CycloneDX 1.6 JSON' },
];

/** The SBOM buttons: each asks `sbom(format)` (which makes and saves the file) and stays
 *  disabled, with the others, until that is done. */
function sbomButtons(sbom) {
  const buttons = SBOM_FORMATS.map(({ format, text }) => el('button', {
    type: 'button', class: 'button small', dataset: { action: 'download-sbom', format }, text,
  }));
  for (const b of buttons) {
    b.addEventListener('click', async () => {
      for (const x of buttons) x.disabled = true;
      try {
        await sbom(b.dataset.format);
      } finally {
        for (const x of buttons) x.disabled = false;
      }
    });
  }
  return el('div', { class: 'sbom-tools' }, el('span', { class: 'muted', text: 'SBOM of this image:' }), buttons);
}

// Packages read from the package databases, archives and executables visible in the merged
// view (docs/report.md "Packages"): filtered by type and by a text search on name, version,
// type, license and path, sorted by any column (the report's order until a header is clicked),
// and written as an SBOM on request. Everything from the image is set as text.
/** `actions` = { sbom(format) → Promise } (format `spdx-json` or `cyclonedx-json`). */
export function renderPackages(root, img, actions) {
  const all = img.packages;
  const tools = sbomButtons(actions.sbom);
  if (!all.length) {
    root.replaceChildren(
      empty('No packages found: porthole found no package database, manifest, archive or executable it reads in this image. '
        + 'It reads dpkg, apk and rpm databases (SQLite, Berkeley DB, ndb), Python, npm, Ruby gems, Composer, .NET deps.json, '
        + 'Java archives (maven), Go build info and cargo-auditable Rust binaries.'),
      tools);
    return;
  }
  const rows = all.map((p, index) => ({ p, index }));
  const sort = { column: null, dir: 1 }; // null: the report's order (type, name, version, path)
  const body = el('tbody');
  const status = el('span', { class: 'muted', 'aria-live': 'polite' });
  const search = el('input', { type: 'search', placeholder: 'name, version, license…', autocomplete: 'off', spellcheck: 'false' });
  const counts = typeCounts(all);
  const typeSelect = el('select', { dataset: { filter: 'type' } },
    el('option', { value: '', text: `all types (${int(all.length)})` }),
    counts.slice().sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([t, n]) => el('option', { value: t, text: `${t} (${int(n)})` })));
  const { headers, mark } = sortableHeaders(PACKAGE_COLUMNS, sort, () => draw());

  function draw() {
    const q = search.value.trim().toLowerCase();
    const type = typeSelect.value;
    let hits = rows.filter(({ p }) => (!type || p.type === type)
      && (!q || [p.name, p.version, p.type, p.path, ...(p.licenses || [])].some((v) => v && v.toLowerCase().includes(q))));
    const c = sort.column;
    if (c) {
      const cmp = c.compare || byText;
      // Ties keep the report's order either way.
      hits = hits.slice().sort((a, b) => sort.dir * cmp(c.value(a.p), c.value(b.p)) || a.index - b.index);
    }
    mark();
    body.replaceChildren(...hits.slice(0, PACKAGE_ROWS).map(({ p }) => el('tr', { dataset: { type: p.type } },
      PACKAGE_COLUMNS.map((col) => col.cell(p)))));
    const n = hits.length;
    const of = n === all.length ? '' : ` of ${int(all.length)}`;
    status.textContent = n > PACKAGE_ROWS
      ? `${int(n)}${of} match; showing the first ${int(PACKAGE_ROWS)}`
      : `${int(n)}${of} ${all.length === 1 ? 'package' : 'packages'}`;
  }
  search.addEventListener('input', draw);
  typeSelect.addEventListener('change', draw);
  root.replaceChildren(
    el('p', { text: `${int(all.length)} ${all.length === 1 ? 'package' : 'packages'}: ${counts.map(([t, n]) => `${int(n)} ${t}`).join(', ')}.` }),
    tools,
    el('div', { class: 'files-tools' }, el('label', null, 'Type ', typeSelect), el('label', null, 'Filter ', search), status),
    el('table', { class: 'packages' }, el('thead', null, el('tr', null, headers)), body));
  draw();
}

const KIND_WORDS = {
  malformed: 'Part of the file is damaged or not in the format it claims.',
  integrity: 'Some data does not match its digest or size.',
  unsupported: 'The image uses something porthole cannot read.',
  limit: 'A safety limit stopped reading (the image is very large or looks hostile); the limits can be changed under Settings.',
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
  // A fetched image's errors are the registry client's, which already say what happened.
  const words = report.source.kind === 'registry' ? fetchWords : plainWords;
  root.replaceChildren(el('ul', { class: 'errors' }, all.map((e) => el('li', { dataset: { kind: e.kind } },
    el('p', { text: words(e) }),
    el('details', null, el('summary', { text: 'Technical details' }), el('pre', { text: technical(e) }))))));
}
