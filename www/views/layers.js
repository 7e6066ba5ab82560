// Layers: the bytes of each layer as bars, then one card per layer, bottom (0) to top, with
// every check's expected and actual value.
import { el, factList, int, bytes } from './dom.js';
import { checksTable } from './checks.js';
import { layerBars } from './pictures.js';

/** `showChanges(index)` opens the Files view filtered to what that layer changed. */
export function renderLayers(root, img, showChanges) {
  root.replaceChildren(layerBars(img, showChanges), ...img.layers.map((l) => el('section', { class: `layer ${l.verified ? 'ok' : 'not-verified'}`, dataset: { layer: l.index } },
    el('h3', null, `Layer ${l.index} `,
      el('span', { class: `badge ${l.checks.some((c) => c.status === 'mismatch') ? 'bad' : l.verified ? 'ok' : 'partial'}`,
        text: l.checks.some((c) => c.status === 'mismatch') ? 'does not match' : l.verified ? 'verified' : 'not verified' })),
    factList([
      ['Digest', l.digest, 'digest'],
      ['diff_id', l.diff_id, 'diff-id'],
      ['Media type', l.media_type, 'media-type'],
      ['Compression', l.compression, 'compression'],
      ['Size as shipped', bytes(l.size), 'size'],
      ['Size unpacked', bytes(l.uncompressed_size), 'uncompressed'],
      ['Created by', l.created_by ? el('code', { class: 'created', text: l.created_by }) : null, 'created-by'],
      ['Files', el('span', null,
        el('span', { dataset: { fact: 'added' }, text: int(l.files_added) }), ' added, ',
        el('span', { dataset: { fact: 'modified' }, text: int(l.files_modified) }), ' changed, ',
        el('span', { dataset: { fact: 'deleted' }, text: int(l.files_deleted) }), ' deleted ',
        el('button', { type: 'button', class: 'button small', onclick: () => showChanges(l.index), text: 'Show these files' })), 'files'],
      ['Bytes', el('span', null,
        el('span', { dataset: { fact: 'bytes-added' }, text: bytes(l.bytes_added) }), ' added, ',
        el('span', { dataset: { fact: 'bytes-modified' }, text: bytes(l.bytes_modified) }), ' changed, ',
        el('span', { dataset: { fact: 'bytes-wasted' }, text: bytes(l.bytes_wasted) }), ' wasted (hidden by a later layer)'), 'bytes'],
    ]),
    checksTable(l.checks))));
}
