// The page's side of one coordinator worker (one per opened file or fetched image). The wasm
// core runs only in the worker; this class turns its messages into callbacks (progress) and
// promises (the inspection, then directory listings, searches and file reads). Cancelling
// terminates the worker: a synchronous wasm call cannot be interrupted any other way, and it
// also aborts a registry fetch in flight and ends the layer workers it started (a worker's
// nested workers end with it).

function startWorker() {
  // The single-file build (make single) has no files to load: it provides a blob: worker.
  const embedded = globalThis.portholeEmbedded;
  if (embedded) return embedded.startWorker();
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

/** Asks a short-lived coordinator worker one question that needs no file (`limits`: every
 *  limit with its default, for the settings), then ends it. */
export function askCore(op) {
  return new Promise((resolve, reject) => {
    const worker = startWorker();
    const end = (f, v) => { worker.terminate(); f(v); };
    worker.onmessage = ({ data: m }) => {
      if (m.id !== 1) return;
      if (m.ok) end(resolve, m.value);
      else end(reject, new Error(m.error));
    };
    worker.onerror = (ev) => { ev.preventDefault(); end(reject, new Error(ev.message || 'the inspection engine could not be loaded')); };
    worker.postMessage({ id: 1, op });
  });
}

export class ImageWorker {
  /** `source` is a File, or { registry: { reference, username, password, platform } };
   *  `on` = { planned(images), layer(image, layer), bytes(done, total, received), request(m),
   *  pool(m) }; `settings` = { limits (JSON text of the changed limits, or undefined),
   *  workers (layer workers for a tarball; 1: none), poolMinBytes (no pool for fewer bytes
   *  of layers) }. */
  constructor(source, on, settings = {}) {
    this.source = source;
    this.on = on;
    this.settings = settings;
    this.pending = new Map();
    this.nextId = 1;
    this.worker = null;
    this.closed = false;
  }

  /** Inspects the file or fetches the image; resolves with { report, fileRecords, exitCode,
   *  ms, size, memory, version, workers (1, or the layer workers that read the layers),
   *  layerMemory (the largest layer worker's wasm memory), split (the layer read in two halves
   *  by two layer workers: { size, layers: [[image, layer]…] }, or null), requests (a registry
   *  fetch's log) }. */
  inspect() {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      this.worker = startWorker();
      this.worker.onmessage = (ev) => this.message(ev.data);
      // A worker that cannot load (e.g. www/pkg was not built) only reports an error event.
      this.worker.onerror = (ev) => {
        ev.preventDefault();
        this.fail({ message: 'The inspection engine could not be loaded.', detail: ev.message || 'worker error' });
      };
      const r = this.source.registry;
      const { limits, workers, poolMinBytes } = this.settings;
      this.worker.postMessage(r ? { op: 'fetch', ...r, limits } : { op: 'open', file: this.source, limits, workers, poolMinBytes });
      // The worker has the credentials now; the page keeps no copy.
      if (r) this.source = null;
    });
  }

  message(m) {
    if (m.id) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (p) (m.ok ? p.resolve(m.value) : p.reject(new Error(m.error)));
      return;
    }
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
    const err = new Error(m.message);
    err.detail = m.detail;
    this.settle?.reject(err);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  request(op, args) {
    if (this.closed) return Promise.reject(new Error('this file was closed'));
    const id = this.nextId++;
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

  cancel() {
    this.closed = true;
    this.worker?.terminate();
    this.fail({ message: 'cancelled' });
  }
}
