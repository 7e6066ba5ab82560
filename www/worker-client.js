// The page's side of one coordinator worker (one per opened file or fetched image). The wasm
// core runs only in the worker; this class turns its messages into callbacks (progress) and
// promises (the inspection, then directory listings, searches and file reads). Cancelling
// terminates the worker: a synchronous wasm call cannot be interrupted any other way, and it
// also aborts a registry fetch in flight and ends the layer workers it started (a worker's
// nested workers end with it).
//
// Time to first result: starting a worker and fetching and compiling the ~2 MB of wasm takes
// a few hundred milliseconds, so one coordinator worker is started ahead, when the page loads
// (warmUp), and waits — wasm compiled, instantiated and warmed up, its layer workers started
// (worker-core.js) — for its 'open' or 'fetch'. The next file or image takes it, and a new
// spare is started once that one has ended, so that it takes no CPU from the inspection, and
// is ready for the file after.
// Each file still gets a worker of its own; askCore() asks the spare.

function startWorker() {
  // The single-file build (make single) has no files to load: it provides a blob: worker.
  const embedded = globalThis.portholeEmbedded;
  if (embedded) return embedded.startWorker();
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

// Request ids are unique across all workers: a question asked of the spare may be answered
// after the spare was handed to an ImageWorker.
let nextRequestId = 1;

/** The spare coordinator: { worker, state: starting | ready | failed }, or null. */
let spare = null;
/** Told the spare's state when it changes: 'starting', 'ready' (a worker waits, its wasm
 *  instantiated), 'failed' (it could not start: the next file starts its own worker, which
 *  reports why) or 'none' (taken by a file; the next starts once that file's layer table
 *  shows). */
let engineState = () => {};

/** How many layer workers a spare starts ahead (the page's setting when the spare starts). */
let poolSize = () => 1;

/** Starts the spare coordinator worker now (the page calls this once it has loaded);
 *  `onState(state)` is told its state (see engineState) whenever that changes; `workers()`
 *  says how many layer workers the next file may use: the spare starts them too, once its
 *  own wasm is ready (a file that wants fewer leaves the rest, one that wants more starts
 *  them then). */
export function warmUp(onState, workers) {
  if (onState) engineState = onState;
  if (workers) poolSize = workers;
  refill();
}

/** Starts a spare if there is none. */
function refill() {
  if (spare) return;
  let worker;
  try {
    worker = startWorker();
  } catch {
    engineState('failed');
    return;
  }
  worker.postMessage({ op: 'prestart', workers: poolSize() });
  const s = { worker, state: 'starting' };
  spare = s;
  engineState('starting');
  worker.onmessage = ({ data: m }) => {
    if (m.id) answered(m);
    else if (m.type === 'engine') {
      s.state = m.ok ? 'ready' : 'failed';
      if (spare === s) engineState(s.state);
    }
  };
  // A worker that cannot load (e.g. www/pkg was not built) only reports an error event: it is
  // not handed out (the file's own worker reports the error), and questions go elsewhere.
  worker.onerror = (ev) => {
    ev.preventDefault();
    s.state = 'failed';
    if (spare === s) {
      spare = null;
      worker.terminate();
      engineState('failed');
    }
    gone(worker);
  };
}

/** The worker for the next file: the spare (even if still starting: it takes the file once
 *  ready) unless it failed (it is then replaced by a fresh worker, which reports its own
 *  error), started just now if there is none. */
function takeWorker() {
  const s = spare;
  spare = null;
  engineState('none');
  if (s && s.state !== 'failed') return s.worker;
  if (s) {
    s.worker.terminate();
    gone(s.worker);
  }
  return startWorker();
}

/** askCore() questions not answered yet: id → { op, worker, tries, resolve, reject }. */
const asks = new Map();

function send(a) {
  refill();
  if (!spare || ++a.tries > 3) {
    asks.delete(a.id);
    a.reject(new Error('the inspection engine could not be loaded'));
    return;
  }
  a.worker = spare.worker;
  a.worker.postMessage({ id: a.id, op: a.op });
}

/** Settles the askCore() question `m` answers; false if `m` answers none. */
function answered(m) {
  const a = asks.get(m.id);
  if (!a) return false;
  asks.delete(m.id);
  if (m.ok) a.resolve(m.value);
  else a.reject(new Error(m.error));
  return true;
}

/** `worker` was terminated or broke: its unanswered questions are asked of the spare. */
function gone(worker) {
  for (const a of [...asks.values()]) if (a.worker === worker) send(a);
}

/** Asks the core one question that needs no file (`limits`: every limit with its default, for
 *  the settings), of the spare worker (started if there is none), which stays. */
export function askCore(op) {
  return new Promise((resolve, reject) => {
    const a = { id: nextRequestId++, op, worker: null, tries: 0, resolve, reject };
    asks.set(a.id, a);
    send(a);
  });
}

/** Reads vulnerability database files (Files or fetched Blobs, with their names) into an
 *  index, in a worker of its own that ends after; resolves with { stats, index } (the index for
 *  ImageWorker settings.vulndb). `onProgress(done, total, file)` follows the reading; `saved`
 *  (a Uint8Array, optional) is the index `porthole db index` wrote for these files, used
 *  instead of reading them when it matches. */
export function indexVulnDb(files, names, onProgress, saved = undefined) {
  return new Promise((resolve, reject) => {
    let worker;
    try {
      worker = startWorker();
    } catch (e) {
      reject(e);
      return;
    }
    const id = nextRequestId++;
    const end = (f, v) => { worker.terminate(); f(v); };
    worker.onmessage = ({ data: m }) => {
      if (m.type === 'vulndb-progress') onProgress?.(m.done, m.total, m.file);
      else if (m.id === id) end(m.ok ? resolve : reject, m.ok ? m.value : new Error(m.error));
    };
    worker.onerror = (ev) => {
      ev.preventDefault();
      end(reject, new Error(ev.message || 'the inspection engine could not be loaded'));
    };
    worker.postMessage({ id, op: 'vulndb-index', files, names, saved });
  });
}

export class ImageWorker {
  /** `source` is a File, or { registry: { reference, username, password, platform } };
   *  `on` = { planned(images), layer(image, layer), bytes(done, total, received), request(m),
   *  pool(m) }; `settings` = { limits (JSON text of the changed limits, or undefined),
   *  workers (layer workers for a tarball; 1: none), poolMinBytes (no pool for fewer bytes
   *  of layers), vulndb (the vulnerability database to match against: { files, names, index },
   *  or undefined), trust (the keys and roots signatures are checked with, see verifyTrust, or
   *  undefined) }. */
  constructor(source, on, settings = {}) {
    this.source = source;
    this.on = on;
    this.settings = settings;
    this.pending = new Map();
    this.worker = null;
    this.closed = false;
  }

  /** Inspects the file or fetches the image; resolves with { report, fileRecords, exitCode,
   *  ms, size, memory, version, workers (1, or the layer workers that read the layers),
   *  layerMemory (the largest layer worker's wasm memory), split (the layer read in two halves
   *  by two layer workers: { size, layers: [[image, layer]…] }, or null), inflated ({ native,
   *  restarted }: gzip layers the browser inflated, and those it refused that the core read
   *  again), requests (a registry fetch's log) }. */
  inspect() {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      this.worker = takeWorker();
      this.worker.onmessage = (ev) => this.message(ev.data);
      // A worker that cannot load (e.g. www/pkg was not built) only reports an error event.
      this.worker.onerror = (ev) => {
        ev.preventDefault();
        gone(this.worker);
        this.fail({ message: 'The inspection engine could not be loaded.', detail: ev.message || 'worker error' });
      };
      const r = this.source.registry;
      const { limits, workers, poolMinBytes, inflate, vulndb, trust } = this.settings;
      this.worker.postMessage(r ? { op: 'fetch', ...r, limits, vulndb, trust } : { op: 'open', file: this.source, limits, workers, poolMinBytes, inflate, vulndb, trust });
      // The worker has the credentials now; the page keeps no copy.
      if (r) this.source = null;
    });
  }

  message(m) {
    if (m.id) {
      if (answered(m)) return; // asked of this worker while it was the spare
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (p) (m.ok ? p.resolve(m.value) : p.reject(new Error(m.error)));
      return;
    }
    // The run ended: the next file's worker starts now. Not sooner: starting it (compiling and
    // warming up its wasm) takes a few hundred milliseconds of CPU from the layer workers.
    if (m.type === 'done' || m.type === 'failed') setTimeout(refill);
    switch (m.type) {
      case 'planned': this.on.planned(m.images); break;
      case 'layer': this.on.layer(m.image, m.layer); break;
      case 'bytes': this.on.bytes(m.done, m.total, m.received); break;
      case 'request': this.on.request?.(m); break;
      case 'pool': this.on.pool?.(m); break;
      case 'done': this.settle.resolve(m); break;
      case 'failed': this.fail(m); break;
    }
  }

  fail(m) {
    refill();
    const err = new Error(m.message);
    err.detail = m.detail;
    this.settle?.reject(err);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  request(op, args) {
    if (this.closed) return Promise.reject(new Error('this file was closed'));
    const id = nextRequestId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, ...args });
    });
  }

  list(image, path, filter) {
    return this.request('list', { image, path, showDeleted: filter.showDeleted, changedIn: filter.changedIn });
  }

  /** Every version of `path`, oldest first (nodes, each with its `version` for read()). */
  versions(image, path) {
    return this.request('versions', { image, path });
  }

  /** The children of directory `path` with their sizes, largest first: [{ name, path, type,
   *  size, files, wasted, deleted }] (the size picture, one directory at a time). */
  sizes(image, path) {
    return this.request('sizes', { image, path });
  }

  search(image, query, filter, limit) {
    return this.request('search', { image, query, showDeleted: filter.showDeleted, changedIn: filter.changedIn, limit });
  }

  /** Up to `len` bytes at `offset` of a file version: a Uint8Array. */
  read(image, version, offset, len) {
    return this.request('read', { image, version, offset, len });
  }

  /** The full report, exactly as `porthole inspect --json --files` prints it: a Blob. */
  reportBlob() {
    return this.request('report', {});
  }

  /** The SBOM of image `image`, `format` `spdx-json` or `cyclonedx-json`, created now: its text,
   *  as `porthole sbom FILE --format FORMAT` prints it. */
  sbom(image, format) {
    return this.request('sbom', { image, format, created: Date.now() / 1000 });
  }

  /** Matches the packages again against `vulndb` ({ files, names, index }): per image
   *  { vulnerabilities, vulnerability_summary, errors }. */
  matchVulns(vulndb) {
    return this.request('vulns', { vulndb });
  }

  /** Checks the signatures again with `trust` (the keys and roots: { files: [{ name, text }],
   *  identity, issuer }): { images: per image { signatures, attestations, trust }, taken (what
   *  the core took of them) }. */
  verifyTrust(trust) {
    return this.request('trust', { trust });
  }

  cancel() {
    this.closed = true;
    if (this.worker) {
      this.worker.terminate();
      gone(this.worker);
    }
    this.fail({ message: 'cancelled' });
  }
}

/** A worker of its own answering requests ({ id, op, ...args } → { id, ok, value | error });
 *  other messages (progress) go to `onOther`. */
class OpWorker {
  constructor(onOther = () => {}) {
    this.worker = startWorker();
    this.pending = new Map();
    this.worker.onmessage = ({ data: m }) => {
      if (!m.id) { onOther(m); return; }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(String(m.error).replace(/^Error: /, '')));
    };
    this.worker.onerror = (ev) => {
      ev.preventDefault();
      this.close(new Error(ev.message || 'the inspection engine could not be loaded'));
    };
  }

  ask(op, args) {
    return new Promise((resolve, reject) => {
      if (!this.worker) { reject(new Error('closed')); return; }
      const id = nextRequestId++;
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, ...args });
    });
  }

  close(why = new Error('closed')) {
    this.worker?.terminate();
    this.worker = null;
    for (const p of this.pending.values()) p.reject(why);
    this.pending.clear();
  }
}

/** Compares two opened files (worker-compare.js); `onProgress(side, done, total)`. */
export class CompareWorker extends OpWorker {
  constructor(onProgress) {
    super((m) => { if (m.type === 'compare-progress') onProgress(m.side, m.done, m.total); });
  }

  /** `porthole diff --json` of the two Files: { text (as the CLI prints it, but for the last
   *  newline), ms }. */
  compare(a, b, { limits, semantic = false, vulndb } = {}) {
    return this.ask('compare-open', { a, b, limits, semantic, vulndb });
  }

  /** The line diff of the next `len` bytes of both versions of `path` from `at` (the last
   *  piece's `next`; undefined: the start): { diff, next, done }. */
  lines(path, at, len) {
    return this.ask('compare-lines', { path, at, len });
  }
}

/** Browsing a registry ("Browse"), in a worker of its own that holds the credentials and the
 *  registry's token while the panel is open; close() ends it (and them). */
export class BrowseWorker extends OpWorker {
  /** A registry's repositories or a repository's tags: { registry, repository, names }. */
  list(target, username, password, pageSize = 1000) {
    return this.ask('browse-list', { target, username, password, pageSize });
  }

  /** What the registry says about `tags` of the repository `target` names (a HEAD each; with
   *  `details` the manifest and config too): { tags: [{ tag, digest, media_type, platforms,
   *  described_platform, size, created, labels, error }] }. */
  describe(target, tags, details) {
    return this.ask('browse-describe', { target, tags, details });
  }

  /** An audit of `target` (see docs/audit.md): `writeProbes` only once the user allowed the
   *  upload (cancelled at once) and the delete of a digest that cannot exist. */
  audit(target, { repos = [], public: isPublic = false, username = '', password = '', writeProbes = false, rate = 10 } = {}) {
    return this.ask('browse-audit', { target, repos, public: isPublic, username, password, writeProbes, rate });
  }
}
