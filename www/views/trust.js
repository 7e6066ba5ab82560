// Who made the image: the Trust panel of the Overview (the verdict, then each signature) and
// the Attestations view (each attestation; a provenance in words; an SBOM next to porthole's
// own package list, the differences marked). Everything shown comes from the report, as text.
import { el, factList, int } from './dom.js';

const VERDICT_CLASS = { verified: 'good-text', invalid: 'bad-text', unverified: 'muted', unsigned: 'muted', not_checkable: 'muted' };

function signer(s) {
  const who = s.signer;
  if (who.identity) return who.issuer ? `${who.identity} (issuer ${who.issuer})` : who.identity;
  if (who.key) return `key ${who.key} (${who.key_fingerprint})`;
  return who.key_fingerprint ? `key ${who.key_fingerprint}` : 'unknown signer';
}

function outcome(x) {
  const when = x.signer.signed_at ? `, signed ${x.signer.signed_at} (${x.signer.time_authority})` : '';
  return x.verified
    ? el('span', { class: 'good-text', text: `verified, ${signer(x)}${when}` })
    : el('span', { class: x.reason?.startsWith('no ') ? 'muted' : 'bad-text', text: x.reason ?? 'not verified' });
}

/** The Trust panel: the verdict in words, then one row per signature; `note`: a word on the
 *  keys this image alone was checked with (the sample's demo key). */
export function trustPanel(img, note = null) {
  const t = img.trust;
  if (!t) return null;
  const rows = img.signatures.map((s) => el('tr', { dataset: { verified: String(s.verified), kind: s.kind } },
    el('td', { text: s.kind }),
    el('td', { text: s.found }),
    el('td', null, el('code', { text: s.covers ?? '—' })),
    el('td', null, outcome(s))));
  return el('section', { class: 'trust', id: 'trust-panel', dataset: { verdict: t.verdict } },
    el('h3', { text: 'Who made it' }),
    el('p', { class: VERDICT_CLASS[t.verdict] ?? '', id: 'trust-summary', text: t.summary }),
    note ? el('p', { class: 'muted small', id: 'trust-note', text: note }) : null,
    rows.length ? el('table', { class: 'data' },
      el('thead', null, el('tr', null, ...['Signature', 'Found', 'Signs', 'Result'].map((h) => el('th', { text: h })))),
      el('tbody', null, ...rows)) : null,
    img.attestations.length ? el('p', { class: 'muted', text: `${int(img.attestations.length)} attestation${img.attestations.length === 1 ? '' : 's'} attached — see Attestations.` }) : null,
    ...t.notes.map((n) => el('p', { class: 'muted small', text: n })));
}

function provenanceFacts(p) {
  const args = Object.entries(p.build_args);
  return factList([
    ['Builder', p.builder, 'builder'],
    ['Build type', p.build_type, 'build-type'],
    ['Source', p.source, 'source'],
    ['Commit', p.commit, 'commit'],
    ['Build arguments', args.length ? args.map(([k, v]) => `${k}=${v}`).join(', ') : '—', 'build-args'],
    ['Materials', p.materials.length ? el('ul', null, ...p.materials.map((m) => el('li', null, el('code', { text: m.uri }), m.digest ? ` ${m.digest}` : ''))) : '—', 'materials'],
    ['Built', [p.started, p.finished].filter(Boolean).join(' – ') || null, 'built'],
  ].filter(([, v]) => v != null));
}

/** The attested SBOM against porthole's own list, by name (case-insensitive) and version. */
function sbomComparison(sbom, packages) {
  const key = (name, version) => `${name.toLowerCase()}@${version ?? ''}`;
  const ours = new Map(packages.map((p) => [key(p.name, p.version), p]));
  const theirs = new Map(sbom.map((p) => [key(p.name, p.version), p]));
  const rows = [];
  for (const [k, p] of theirs) rows.push([p, ours.has(k) ? 'both' : 'attestation-only']);
  for (const [k, p] of ours) if (!theirs.has(k)) rows.push([p, 'porthole-only']);
  rows.sort((a, b) => a[0].name.localeCompare(b[0].name));
  const words = { both: 'in both', 'attestation-only': 'only in the attestation', 'porthole-only': 'only found by porthole' };
  const counts = Object.keys(words).map((w) => `${int(rows.filter((r) => r[1] === w).length)} ${words[w]}`).join(', ');
  return el('div', null,
    el('p', { class: 'muted', text: `${counts}.` }),
    el('table', { class: 'data sbom-compare' },
      el('thead', null, el('tr', null, ...['Package', 'Version', 'Package URL', 'Where'].map((h) => el('th', { text: h })))),
      el('tbody', null, ...rows.map(([p, where]) => el('tr', { dataset: { where } },
        el('td', { text: p.name }), el('td', { text: p.version ?? '—' }), el('td', { text: p.purl ?? '—' }),
        el('td', { class: where === 'both' ? '' : 'bad-text', text: words[where] }))))));
}

/** The Attestations view. */
export function renderAttestations(root, img) {
  if (!img.attestations.length) {
    root.replaceChildren(el('p', { class: 'muted', text: 'No attestation is attached to this image (buildx attestation manifests, cosign .att tags and Sigstore bundles are looked for).' }));
    return;
  }
  root.replaceChildren(...img.attestations.map((a) => el('section', { class: 'attestation', dataset: { predicate: a.predicate_type ?? '', verified: String(a.verified) } },
    el('h3', { text: a.predicate_type ?? 'unknown predicate' }),
    factList([
      ['Found', `${a.found} (${a.kind})`, 'found'],
      ['About', a.subjects.length ? a.subjects.join(', ') : '—', 'subjects'],
      ['Signature', a.signed ? outcome(a) : el('span', { class: 'muted', text: a.reason ?? 'not signed' }), 'signature'],
    ]),
    a.provenance ? el('h4', { text: 'Provenance' }) : null,
    a.provenance ? provenanceFacts(a.provenance) : null,
    a.sbom ? el('h4', { text: 'Attested packages and porthole\'s' }) : null,
    a.sbom ? sbomComparison(a.sbom, img.packages) : null)));
}
