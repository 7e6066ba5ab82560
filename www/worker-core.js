// The coordinator worker's logic, one worker per opened file. It runs the wasm core, which
// reads the File by slices (FileReaderSync, only allowed in a worker), owns the full report and
// the merged file tree, and answers the page's questions one at a time. The page only receives
// a slim report (no per-file list) and asks for directories as they are opened, so an image
// with 100k files never crosses to the main thread whole.
//
// A tarball with several layers is read by a pool of layer workers (worker-pool.js) on the
// schedule the core computes (layer_jobs: which blob each worker reads, which layer is split
// between two, how many workers); the coordinator then assembles the report from their results
// (Session.open_prepared), byte for byte the report one worker would make. The wasm is compiled
// once, by this worker, and the compiled module posted to each layer worker (structured clone).
// A registry image is fetched here too (worker-registry.js).
//
// worker.js (the module worker) and the single-file build (www/tools/build-single.mjs, which
// bundles this file with its imports) each call serve() with the loaded core.

import { progressTo } from './worker-progress.js';
import { runPool } from './worker-pool.js';
import { fetchImage } from './worker-registry.js';
import { browseOps } from './worker-browse.js';
import { compareOps } from './worker-compare.js';
import { serveLayer } from './layer-core.js';

/** `core` is the wasm-bindgen module ({ Session, RegistryFetch, layer_jobs, limits_json,
 *  version, memory_bytes, vuln_db_open, vuln_db_load_index, vuln_db_export, vuln_db_import }); `ready` resolves with the compiled wasm (a WebAssembly.Module)
 *  once `core` is instantiated from it; `startLayerWorker()` starts one layer worker of the
 *  pool (none: no pool), which is then posted that module: compiled once, shared by all. */
export function serve(core, ready, startLayerWorker) {
  let session = null;
  let vulndbTaken = false; // the page's vulnerability database was imported for this inspection
  let trustTaken = null; // what the core took of the page's keys and roots ({ keys, roots, trusted_root }), or { error }

  const post = (msg, transfer) => self.postMessage(msg, transfer || []);
  // The page starts this worker before any file (worker-client.js: a warm spare) and wants to
  // know when it could take one at once; a core that could not be loaded is also reported to
  // the page on the first request.
  let warming = true; // until the first request: the warm-up yields to it
  // Layer workers started before any file: { worker, settle (ends the wait for its 'ready'),
  // started (resolves once its wasm is instantiated, or it broke) }.
  let spareLayers = [];
  ready.then(async () => {
    await warmUp(core, () => warming).catch(() => {});
    await Promise.all(spareLayers.map((s) => s.started));
    post({ type: 'engine', ok: true });
  }, (e) => post({ type: 'engine', ok: false, detail: errorText(e) }));

  /** Starts `n` layer workers of the pool at once, with this worker (the page's 'prestart'),
   *  not once its wasm is compiled: their scripts load meanwhile, and each is handed the
   *  compiled module as soon as there is one. A file dropped as the page loads would otherwise
   *  wait for each (~50–100 ms). A worker that breaks is left out (runPool starts another). */
  function prestartLayers(n) {
    if (!startLayerWorker || n < 2) return;
    for (let i = 0; i < n; i++) {
      let worker;
      try {
        worker = startLayerWorker();
      } catch {
        break; // the browser refuses more workers: the pool starts what it can later
      }
      const spare = { worker };
      spare.started = new Promise((resolve) => {
        spare.settle = resolve;
        worker.onmessage = resolve; // its 'ready'
        worker.onerror = (ev) => {
          ev.preventDefault();
          worker.terminate();
          spareLayers = spareLayers.filter((x) => x !== spare);
          resolve();
        };
      });
      spareLayers.push(spare);
    }
    // Before any file's pool can take them (open() awaits `ready` after this was registered).
    ready.then((module) => {
      for (const { worker } of spareLayers) worker.postMessage({ module });
    }, () => {});
  }

  /** A layer worker started ahead, for the pool (`undefined` when none is left). */
  function takeSpare() {
    return spareLayers.shift();
  }

  /** Ends the layer workers started ahead that no pool took (this worker reads one file). */
  function dropSpareLayers() {
    for (const { worker, settle } of spareLayers.splice(0)) {
      worker.terminate();
      settle();
    }
  }

  /** Keeps the finished session and sends the page the slim report. */
  function finished(s, t0, size, extra) {
    session = s;
    const ms = performance.now() - t0;
    // The per-file list can be huge (100k files: tens of MB): the session keeps none, the page
    // gets counts and asks for directories instead, and an export makes it (ops.report).
    const report = JSON.parse(session.report_json());
    const fileRecords = report.images.map((_, i) => session.file_count(i));
    for (const img of report.images) delete img.files;
    post({
      type: 'done',
      report,
      fileRecords,
      exitCode: session.exit_code(),
      ms,
      size,
      memory: core.memory_bytes(),
      version: core.version(),
      workers: 1,
      vulndbTaken,
      trustTaken,
      ...extra,
    });
  }

  /** Inspects a dropped file: { file, limits (JSON text or undefined), workers (pool size),
   *  poolMinBytes (fewer bytes of layers: no pool; twice as many when the largest layer would
   *  be split in two halves, which gains less than reading different layers at once),
   *  inflate ('wasm': gzip is inflated by the core, not the browser) }. */
  async function open(m) {
    const { file, limits } = m;
    const t0 = performance.now();
    const inflate = m.inflate === 'wasm' || typeof DecompressionStream !== 'function' ? 'wasm' : 'native';
    const wanted = startLayerWorker ? Math.floor(m.workers) || 1 : 1;
    // One worker inflating in wasm: Session.open lists the layers itself before reading any;
    // planning first would only read the tar headers twice.
    const plan = wanted > 1 || inflate === 'native'
      ? JSON.parse(core.layer_jobs(file, limits, wanted, m.poolMinBytes || 0))
      : { images: [], jobs: [], workers: 1 };
    // The layer table, before any layer is read (Session.open would say it again).
    if (plan.images.length) post({ type: 'planned', images: plan.images });
    // No pool, and the browser inflates gzip: this worker reads the layers one after the
    // other as a layer worker would (streamed, asynchronously), not the core by itself.
    const local = plan.workers < 2 && plan.jobs.length > 0 && inflate === 'native';
    if (plan.workers < 2 && !local) {
      dropSpareLayers();
      finished(core.Session.open(file, progressTo(post, false), limits), t0, file.size);
      return;
    }
    if (local) dropSpareLayers();
    const running = runPool({
      file, plan, limits, size: local ? 1 : plan.workers, module: await ready, post, inflate, local,
      takeSpare: local ? () => undefined : takeSpare,
      startLayerWorker: local ? () => inThisWorker(core) : startLayerWorker,
    });
    dropSpareLayers(); // the pool has taken the ones it needs
    const pool = await running;
    const s = core.Session.open_prepared(file, progressTo(post, false, pool.bytes, pool.shown), limits, pool.entries, pool.results, pool.parts);
    // The workers that read layers (a worker that could not start or failed read none).
    finished(s, t0, file.size, {
      workers: local ? 1 : Math.max(1, pool.workers), layerMemory: local ? 0 : pool.memory, split: pool.split, inflated: pool.inflated,
    });
  }

  // Requests after the inspection: { id, op, ...args } → { id, ok, value | error }.
  const browse = browseOps(core);
  const compare = compareOps(core, post);
  const ops = {
    list: (m) => JSON.parse(session.list_dir(m.image, m.path, m.showDeleted, m.changedIn)),
    versions: (m) => JSON.parse(session.versions(m.image, m.path)),
    sizes: (m) => JSON.parse(session.sizes(m.image, m.path)),
    search: (m) => JSON.parse(session.search(m.image, m.query, m.showDeleted, m.changedIn, m.limit)),
    read: (m) => session.read_file(m.image, m.version, m.offset, m.len),
    // The full report, as `porthole inspect --json --files` prints it (with its final
    // newline), written by the core in pieces so that it is never one string in memory.
    report: () => {
      const parts = [];
      session.write_report((piece) => parts.push(piece));
      parts.push('\n');
      return new Blob(parts, { type: 'application/json' });
    },
    // The SBOM of one image as `porthole sbom --format FORMAT` prints it; the core has no
    // clock, so the page gives the creation time (seconds since the epoch).
    sbom: (m) => `${session.sbom(m.image, m.format, m.created)}\n`,
    memory: () => core.memory_bytes(),
    // The packages matched again against the database just imported (one that became ready
    // after this image was opened): per image { vulnerabilities, vulnerability_summary, errors }.
    vulns: () => JSON.parse(session.match_vulns()),
    // The signatures and attestations checked again with the keys and roots just set (the
    // user added some after this image was opened): per image { signatures, attestations, trust }.
    trust: () => ({ images: JSON.parse(session.verify_trust()), taken: trustTaken }),
  };

  self.onmessage = async ({ data: m }) => {
    // How many layer workers to start ahead, sent with this worker's start (worker-client.js).
    if (m.op === 'prestart') {
      prestartLayers(Math.floor(m.workers) || 0);
      return;
    }
    warming = false;
    try {
      await ready;
    } catch (e) {
      const message = 'The inspection engine (WebAssembly) could not be started.';
      post(m.id ? { id: m.id, ok: false, error: `${message} ${String(e)}` } : { type: 'failed', message, detail: String(e) });
      return;
    }
    // Indexing a vulnerability database (a worker of its own, ended after): the index goes
    // back to the page, which hands it to each inspection's worker with the same files.
    if (m.op === 'vulndb-index') {
      try {
        // With the index `porthole db index` wrote for these files, no record is read.
        let stats = null;
        if (m.saved) {
          try {
            stats = JSON.parse(core.vuln_db_load_index(m.files, m.names, m.saved));
          } catch { /* not for these files: read them */ }
        }
        stats ??= JSON.parse(core.vuln_db_open(m.files, m.names, (done, total, file) => {
          post({ type: 'vulndb-progress', done, total, file });
        }));
        const index = core.vuln_db_export();
        post({ id: m.id, ok: true, value: { stats, index } }, [index.buffer]);
      } catch (e) {
        post({ id: m.id, ok: false, error: errorText(e) });
      }
      return;
    }
    // The page's database, for what this worker inspects (opened after the database was ready).
    // Whether it was taken goes back with the result: the page matches again if it was not.
    if (m.vulndb && (m.op === 'open' || m.op === 'fetch' || m.op === 'vulns')) {
      try {
        core.vuln_db_import(m.vulndb.files, m.vulndb.names, m.vulndb.index);
        vulndbTaken = true;
      } catch (e) {
        if (m.op === 'vulns') { post({ id: m.id, ok: false, error: errorText(e) }); return; }
      }
    }
    // The keys and roots the user gave (kept in this worker's memory only), for what it
    // inspects; a file the core cannot read fails the request with its reason.
    if (m.trust && (m.op === 'open' || m.op === 'fetch' || m.op === 'trust')) {
      try {
        trustTaken = JSON.parse(core.trust_set(JSON.stringify(m.trust)));
      } catch (e) {
        trustTaken = { error: String(e) };
        if (m.op === 'trust') { post({ id: m.id, ok: false, error: String(e) }); return; }
      }
    }
    if (m.op === 'open') {
      try {
        await open(m);
      } catch (e) {
        post({ type: 'failed', message: 'The inspection stopped with an internal error.', detail: errorText(e) });
      }
      return;
    }
    if (m.op === 'fetch') {
      try {
        dropSpareLayers(); // a registry image is read here, by no pool
        const t0 = performance.now();
        const { session: s, received, requests } = await fetchImage(core, m, post);
        finished(s, t0, received, { requests });
      } catch (e) {
        // The core refuses a reference or platform it cannot parse before sending anything.
        const text = errorText(e);
        post(typeof e === 'string'
          ? { type: 'failed', message: e.charAt(0).toUpperCase() + e.slice(1), detail: text }
          : { type: 'failed', message: 'The fetch stopped with an internal error.', detail: text });
      }
      return;
    }
    // Browsing a registry and comparing two files (workers of their own, see BrowseWorker and
    // CompareWorker): many requests may be under way at once, each answered when its last is.
    if (m.op in browse || m.op in compare) {
      try {
        post({ id: m.id, ok: true, value: await (browse[m.op] ?? compare[m.op])(m) });
      } catch (e) {
        post({ id: m.id, ok: false, error: errorText(e) });
      }
      return;
    }
    try {
      // The limits and their defaults, for the page's settings (before any file).
      if (m.op === 'limits') { post({ id: m.id, ok: true, value: JSON.parse(core.limits_json()) }); return; }
      if (!session) throw new Error('no file has been inspected');
      const value = ops[m.op](m);
      post({ id: m.id, ok: true, value }, value instanceof Uint8Array ? [value.buffer] : []);
    } catch (e) {
      post({ id: m.id, ok: false, error: errorText(e) });
    }
  };
}

/** A stand-in for a layer worker of the pool that runs in this worker, on its own wasm
 *  instance (already started): the pool's messages to it and its answers are handed over
 *  asynchronously, as a worker's would be; terminating it only silences it. */
function inThisWorker(core) {
  let live = true;
  const outside = { onmessage: null, onerror: null, onmessageerror: null };
  const inside = {
    onmessage: null,
    postMessage: (data) => queueMicrotask(() => { if (live) outside.onmessage?.({ data }); }),
  };
  serveLayer(core, () => {}, inside);
  outside.postMessage = (data) => queueMicrotask(() => { if (live) inside.onmessage({ data }); });
  outside.terminate = () => { live = false; };
  return outside;
}

const WARM_KIB = 1024;
const WARM_ROUNDS = 12;
const WARM_CHUNK = 256 << 10;

/** Runs a small gzip layer made by the core through it a few times, before any file: V8 runs
 *  wasm in its baseline tier first and optimises hot functions in the background, so the first
 *  layers of a file were read at half speed. The optimised code belongs to the compiled module,
 *  which this worker's layer workers get too. Stops between rounds once `wanted()` is false (a
 *  file arrived). */
async function warmUp(core, wanted) {
  if (typeof CompressionStream === 'undefined') return;
  const tar = core.warm_up_layer(WARM_KIB);
  const gz = new Uint8Array(await new Response(new Blob([tar]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
  const job = JSON.stringify({ entry: 'warm-up', offset: 0, size: gz.length });
  for (let i = 0; i < WARM_ROUNDS && wanted(); i++) {
    const feed = new core.LayerFeed(job, undefined, 'all');
    for (let at = 0; at < gz.length; at += WARM_CHUNK) feed.push(gz.subarray(at, at + WARM_CHUNK));
    feed.finish();
    await new Promise((r) => setTimeout(r, 0));
  }
}

function errorText(e) {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
