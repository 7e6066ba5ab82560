// Secrets, Packages and Errors: lists of findings, each with an empty state that says why.
import { el, empty } from './dom.js';

// Secrets and packages are reserved in the report (always [] today); when a later version
// fills them, their objects are shown key by key, as text, without knowing their shape here.
function genericTable(items) {
  const keys = [...new Set(items.flatMap((i) => Object.keys(i)))];
  return el('table', { class: 'generic' },
    el('thead', null, el('tr', null, keys.map((k) => el('th', { text: k })))),
    el('tbody', null, items.map((i) => el('tr', null, keys.map((k) => el('td', { class: 'wrap', text: typeof i[k] === 'object' ? JSON.stringify(i[k]) : (i[k] ?? '') }))))));
}

export function renderSecrets(root, img) {
  root.replaceChildren(img.secrets.length ? genericTable(img.secrets)
    : empty('No secrets listed. This version of porthole does not scan files for secrets yet; a later version will list keys, tokens and passwords found in the image here.'));
}

export function renderPackages(root, img) {
  root.replaceChildren(img.packages.length ? genericTable(img.packages)
    : empty('No packages listed. This version of porthole does not read package databases yet; a later version will list the installed packages here.'));
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
