// Overview: who the image is, what it is made of, and the counts that matter.
import { el, factList, int, bytes } from './dom.js';
import { vulnerabilityFact } from './vulnerabilities.js';
import { checksTable } from './checks.js';
import { typeCounts } from './findings.js';
import { trustPanel } from './trust.js';

const COMPRESSION = { none: 'uncompressed', gzip: 'gzip', zstd: 'zstd' };

function sum(values) {
  return values.some((v) => v == null) ? null : values.reduce((a, b) => a + b, 0);
}

function mbps(bytes, secs) {
  const v = bytes / 1e6 / Math.max(secs, 1e-3);
  return v < 10 ? v.toFixed(1) : v.toFixed(0);
}

const SEVERITIES = ['critical', 'high', 'medium', 'low'];

/** "3 found (1 critical, 2 high) — see Secrets", each count in a [data-severity] span. */
function secretsSummary(found) {
  if (!found.length) return '0 found';
  const serious = found.some((f) => f.severity === 'critical' || f.severity === 'high');
  const counts = SEVERITIES.map((s) => [s, found.filter((f) => f.severity === s).length]).filter(([, n]) => n);
  const parts = counts.flatMap(([s, n], i) => [i ? ', ' : '', el('span', { dataset: { severity: s }, text: `${int(n)} ${s}` })]);
  return el('span', { class: serious ? 'bad-text' : null }, `${int(found.length)} found (`, ...parts, ') — see Secrets');
}

/** "14 found (3 deb, 2 npm, 1 maven) — see Packages", most packages first, each count in a
 *  [data-type] span; the total stays the first number. */
function packagesSummary(packages) {
  if (!packages.length) return '0 found';
  const parts = typeCounts(packages).flatMap(([t, n], i) => [i ? ', ' : '', el('span', { dataset: { type: t }, text: `${int(n)} ${t}` })]);
  return el('span', null, `${int(packages.length)} found (`, ...parts, ') — see Packages');
}

const mib = (n) => `${(n / 1048576).toFixed(0)} MiB`;

/** "layers read by 3 workers in parallel, WebAssembly memory 24 MiB (largest layer worker
 *  40 MiB)": how many workers read the layers (data-workers; 1: the file's own worker read
 *  them), the layer split between two of them if one was (data-split-layer, its index in the
 *  image shown) and the peak wasm memory of that worker and of the largest layer worker. */
function workersAndMemory(run, report, img) {
  const n = run.workers ?? 1;
  return el('span', { dataset: { workers: String(n) } },
    n > 1 ? `layers read by ${int(n)} workers in parallel` : 'read by 1 worker',
    n > 1 && run.split ? splitNote(run.split, report.images.indexOf(img)) : null,
    `, WebAssembly memory ${mib(run.memory)}`,
    n > 1 && run.layerMemory ? el('span', { dataset: { layerMemory: String(run.layerMemory) }, text: ` (largest layer worker ${mib(run.layerMemory)})` }) : null,
    inflatedNote(run.inflated));
}

/** ", 3 gzip layers inflated by the browser (1 refused by it, read again by porthole)": who
 *  inflated (data-inflated-native, data-inflated-restarted); nothing when the browser did not. */
function inflatedNote(inflated) {
  if (!inflated || !(inflated.native || inflated.restarted)) return null;
  const { native, restarted } = inflated;
  return el('span', { dataset: { inflatedNative: String(native), inflatedRestarted: String(restarted) } },
    `, ${int(native)} gzip ${native === 1 ? 'layer' : 'layers'} inflated by the browser`,
    restarted ? ` (${int(restarted)} refused by it, read again by porthole)` : '');
}

/** " (layer 0 split between 2 workers)": the layer of the image shown whose blob the pool read
 *  in two halves (`split` = { size, layers: [[image, layer]…] }: every planned layer that blob
 *  is, as the core says; the image shown may hold none of them). */
function splitNote(split, image) {
  const index = split.layers.find(([i]) => i === image)?.[1];
  if (index == null) return ' (one layer split between 2 workers)';
  return el('span', { dataset: { splitLayer: String(index) }, text: ` (layer ${index} split between 2 workers)` });
}

/** `run` = { ms, size, memory, version, workers, layerMemory, split, inflated } of the inspection, for the
 *  "inspected in" line. */
export function renderOverview(root, report, img, run) {
  const s = img.summary;
  const src = report.source;
  const os = img.os_release && (img.os_release.pretty_name || [img.os_release.id, img.os_release.version_id].filter(Boolean).join(' '));
  const others = img.platforms_available.filter((p) => p !== img.platform);
  const registry = src.kind === 'registry';
  const secs = run.ms / 1000;
  root.replaceChildren(
    factList([
      ['Name', img.name ?? '(no name in the archive)', 'name'],
      ['Tags', img.repo_tags.join(', '), 'tags'],
      ['Platform', others.length ? `${img.platform} (the ${registry ? 'registry' : 'archive'} also has ${others.join(', ')})` : img.platform, 'platform'],
      ['OS', os, 'os'],
      ['Manifest digest', img.manifest_digest ?? '— (docker save archives have no manifest blob)', 'manifest'],
      ['Config digest', img.config_digest, 'config'],
      registry
        ? ['Source', el('span', null, 'fetched from the registry: ', el('code', { text: src.path ?? '' })), 'source']
        : ['Format', `${src.format ?? 'unknown'}, ${COMPRESSION[src.compression] ?? src.compression}${src.streamed ? ', read in one pass' : ''}`, 'format'],
      ['Layers', int(img.layers.length), 'layers'],
      ['Size as shipped', bytes(sum(img.layers.map((l) => l.size))), 'size'],
      ['Size unpacked', bytes(sum(img.layers.map((l) => l.uncompressed_size))), 'uncompressed'],
      ['Entries', `${int(s.entries)} paths in the merged filesystem`, 'entries'],
      ['Regular files', int(s.regular_files), 'regular-files'],
      ['Bytes in files', bytes(s.total_size), 'total-size'],
      ['Wasted bytes', el('span', null, bytes(s.wasted_bytes), el('span', { class: 'muted', text: ' in files that later layers delete or overwrite' })), 'wasted'],
      ['Secrets', secretsSummary(img.secrets), 'secrets'],
      ['Packages', packagesSummary(img.packages), 'packages'],
      ['Vulnerabilities', vulnerabilityFact(img), 'vulnerabilities'],
      ['Inspected', el('span', null, `${int(run.size)} bytes ${registry ? 'fetched and checked ' : ''}in ${secs.toFixed(2)} s (${mbps(run.size, secs)} MB/s), `,
        workersAndMemory(run, report, img), `, porthole ${run.version}`), 'run'],
    ]),
    trustPanel(img, run.trustNote),
    el('h3', { text: 'Image checks' }),
    checksTable(img.checks),
  );
}
