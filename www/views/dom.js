// DOM and formatting helpers shared by the views. Text from an image (names, labels, paths,
// commands, messages) only ever becomes a text node or an attribute value: nothing in the page
// parses HTML, so a file named `<img src=x onerror=alert(1)>` shows literally.

/** el('tr', { class: 'x', dataset: { k: 'v' }, onclick: f }, child, 'text', …) */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = String(v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (id) => document.getElementById(id);

/** A definition list from [term, value, fact-key?] rows; empty values show a dash. */
export function factList(rows) {
  const dl = el('dl', { class: 'facts' });
  for (const [term, value, key] of rows) {
    const shown = value == null || value === '' || (Array.isArray(value) && !value.length) ? '—' : value;
    dl.append(el('dt', { text: term }), el('dd', { dataset: key ? { fact: key } : null }, shown));
  }
  return dl;
}

/** An empty-state paragraph. */
export const empty = (text) => el('p', { class: 'empty', text });

// Numbers are formatted the same way everywhere (not by the browser's locale) so the page
// reads the same for everyone and the tests can compare them with the CLI's.
const intFormat = new Intl.NumberFormat('en-US');
export const int = (n) => (n == null ? '—' : intFormat.format(n));

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
/** "9.8 KiB" */
export function size(n) {
  if (n == null) return '—';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${n} ${n === 1 ? 'byte' : 'bytes'}` : `${v.toFixed(v < 10 ? 1 : 0)} ${UNITS[u]}`;
}

/** "10,077 bytes (9.8 KiB)": the exact count first, the readable one after. */
export function bytes(n) {
  if (n == null) return '—';
  return n < 1024 ? `${int(n)} ${n === 1 ? 'byte' : 'bytes'}` : `${int(n)} bytes (${size(n)})`;
}

const TYPE_CHAR = { dir: 'd', symlink: 'l', hardlink: 'h', char_device: 'c', block_device: 'b', fifo: 'p', other: '?' };

/** "-rwsr-xr-x" from a mode number and an entry type. */
export function modeString(mode, type) {
  const r = (bit, ch) => (mode & bit ? ch : '-');
  const x = (bit, special, on, off) => {
    if (mode & special) return mode & bit ? on : off;
    return mode & bit ? 'x' : '-';
  };
  return (TYPE_CHAR[type] || '-')
    + r(0o400, 'r') + r(0o200, 'w') + x(0o100, 0o4000, 's', 'S')
    + r(0o040, 'r') + r(0o020, 'w') + x(0o010, 0o2000, 's', 'S')
    + r(0o004, 'r') + r(0o002, 'w') + x(0o001, 0o1000, 't', 'T');
}

export const octal = (mode) => `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;

/** Unix seconds as an ISO date in UTC (images carry no time zone). */
export function time(secs) {
  if (secs == null) return '—';
  const d = new Date(secs * 1000);
  return Number.isNaN(d.getTime()) ? String(secs) : d.toISOString().replace('.000Z', 'Z');
}

/** Saves a Blob as a download under `name`. The object URL stays in this tab. */
export function saveBlob(blob, name) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** "sha256:0123456789ab…" */
export const shortDigest = (d) => (d ? (d.length > 19 ? `${d.slice(0, 19)}…` : d) : '—');

/** Sortable column headers for `columns` ({ key, title }): a click sorts by the column (sets
 *  `sort.column`, `sort.dir` 1), a second click reverses, then `redraw()`. `mark()` puts
 *  aria-sort on the sorted column's header (call it when drawing). */
export function sortableHeaders(columns, sort, redraw) {
  const headers = columns.map((c) => el('th', { scope: 'col' }, el('button', {
    type: 'button', class: 'sort', dataset: { sort: c.key }, title: `Sort by ${c.title}`, text: c.title,
    onclick: () => {
      if (sort.column === c) sort.dir = -sort.dir;
      else { sort.column = c; sort.dir = 1; }
      redraw();
    },
  })));
  const mark = () => headers.forEach((th, i) => {
    if (columns[i] === sort.column) th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
  });
  return { headers, mark };
}
