// Verification checks: the verdict in plain words, and a table of checks with expected and
// actual values. Shared by the overview (image checks) and the layers view (layer checks).
import { el } from './dom.js';

const WHAT = {
  manifest_digest: 'manifest digest',
  config_digest: 'config digest',
  blob_digest: 'blob digest',
  blob_size: 'size',
  diff_id: 'uncompressed digest (diff_id)',
};
const STATUS = { verified: 'verified', mismatch: 'DOES NOT MATCH', not_checkable: 'not checkable' };

export function checksTable(checks) {
  const body = el('tbody');
  for (const c of checks) {
    body.append(el('tr', { class: `check ${c.status}`, dataset: { check: c.what } },
      el('td', { text: WHAT[c.what] || c.what }),
      el('td', { class: 'status', text: STATUS[c.status] || c.status }),
      el('td', { class: 'mono wrap', text: c.expected ?? '—' }),
      el('td', { class: 'mono wrap', text: c.actual ?? '—' }),
      el('td', { class: 'wrap', text: c.reason ?? '' })));
  }
  return el('table', { class: 'checks' },
    el('thead', null, el('tr', null, ['check', 'result', 'expected', 'actual', 'note'].map((t) => el('th', { text: t })))),
    body);
}

const list = (xs) => (xs.length < 2 ? String(xs[0]) : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** The verdict for one image in big plain words: { kind: ok|bad|partial, text, notes[] }. */
export function verdict(report, img) {
  const checks = img.checks.concat(img.layers.flatMap((l) => l.checks));
  const count = (s) => checks.filter((c) => c.status === s).length;
  const errors = report.errors.length + img.errors.length;
  const notes = [];
  const unchecked = count('not_checkable');
  if (unchecked) {
    const reasons = [...new Set(checks.filter((c) => c.status === 'not_checkable').map((c) => c.reason).filter(Boolean))];
    notes.push(`${unchecked} ${unchecked === 1 ? 'check' : 'checks'} could not be made: ${reasons.join('; ')}.`);
  }
  const badLayers = img.layers.filter((l) => l.checks.some((c) => c.status === 'mismatch')).map((l) => l.index);
  const badImage = img.checks.filter((c) => c.status === 'mismatch');
  if (badLayers.length || badImage.length) {
    const parts = [];
    if (badLayers.length) parts.push(`${badLayers.length === 1 ? 'layer' : 'layers'} ${list(badLayers)} ${badLayers.length === 1 ? 'does' : 'do'} not match`);
    for (const c of badImage) {
      const what = c.reason === 'pinned with --expect-digest' ? 'the pinned digest' : `the ${WHAT[c.what]}${c.reason ? ` (${c.reason})` : ''}`;
      parts.push(`${what} does not match`);
    }
    notes.unshift('The image is not what its manifest says: a layer or file was changed after the image was built, or the file is damaged.');
    return { kind: 'bad', text: `Integrity failure: ${parts.join('; ')}`, notes };
  }
  if (errors) {
    notes.unshift(`${count('verified')} digests and sizes verified, none mismatched — but part of the image could not be read; see Errors.`);
    return { kind: 'partial', text: `Incomplete: ${errors} ${errors === 1 ? 'problem' : 'problems'} while reading`, notes };
  }
  if (img.verified) return { kind: 'ok', text: `All ${count('verified')} digests and sizes verified`, notes };
  return { kind: 'partial', text: `No mismatch, but not every layer could be verified (${count('verified')} checks verified)`, notes };
}
