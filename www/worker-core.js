// The coordinator worker's logic, one worker per opened file. It runs the wasm core, which
// reads the File by slices (FileReaderSync, only allowed in a worker), owns the full report and
// the merged file tree, and answers the page's questions one at a time. The page only receives
// a slim report (no per-file list) and asks for directories as they are opened, so an image
// with 100k files never crosses to the main thread whole.
//
// A tarball with several layers is read by a pool of layer workers (layer-core.js), each with
// its own wasm instance reading its own slices of the same File: the coordinator lists the
// layer blobs (layer_jobs, largest first, with the images planned from the manifests), hands
// them out one at a time to whichever worker is free, collects the results (transferred
// buffers) and assembles the report from them (Session.open_prepared), byte for byte the
// report one worker would make. A layer whose worker failed is read here instead. A layer
// bigger than all the others together is split between two workers (its "relay" and "digests"
// halves, see poolTasks), so a one-layer image is read by two. The wasm is compiled once, by
// this worker, and the compiled module posted to each layer worker (structured clone).
//
// A registry image is fetched here too: the core says which GET to send next (ping, token,
// manifests, config, layers), this worker sends it with fetch() and streams each answer's body
// into the core as it arrives, so no blob is ever held whole. Credentials arrive with the
// request, live in the core's fetch object until it finishes, and are never posted back.
//
// This file has no imports so that `make single` can inline it into a blob: worker; worker.js
// (the module worker) and the single-file build each call serve() with the loaded core.

const BYTES_EVERY_MS = 100; // the core reports every MiB; the page needs ~10 updates a second

/** `core` is the wasm-bindgen module ({ Session, RegistryFetch, layer_jobs, limits_json,
 *  version, memory_bytes }); `ready` resolves with the compiled wasm (a WebAssembly.Module)
 *  once `core` is instantiated from it; `startLayerWorker()` starts one layer worker of the
 *  pool (none: no pool), which is then posted that module: compiled once, shared by all. */
export function serve(core, ready, startLayerWorker) {
  let session = null;

  const post = (msg, transfer) => self.postMessage(msg, transfer || []);
  // The page starts this worker before any file (worker-client.js: a warm spare) and wants to
  // know when it could take one at once; a core that could not be loaded is also reported to
  // the page on the first request.
  let warming = true; // until the first request: the warm-up yields to it
  let claimed = false; // a file or image arrived: no more starting ahead
  let poolWanted = 0; // layer workers to start ahead (the page's 'prestart'), 0: none
  // Layer workers started before any file: { worker, settle (ends the wait for its 'ready') }.
  let spareLayers = [];
  ready.then(async (module) => {
    await warmUp(core, () => warming).catch(() => {});
    if (!claimed) await prestartLayers(module);
    post({ type: 'engine', ok: true });
  }, (e) => post({ type: 'engine', ok: false, detail: errorText(e) }));

  /** Starts the pool's layer workers before any file and waits until their wasm is
   *  instantiated: a file would otherwise wait ~50–100 ms for each. A worker that breaks
   *  meanwhile is left out (runPool starts another). */
  async function prestartLayers(module) {
    if (!startLayerWorker || poolWanted < 2) return;
    const waits = [];
    for (let i = 0; i < poolWanted; i++) {
      let worker;
      try {
        worker = startLayerWorker();
        worker.postMessage({ module });
      } catch {
        break; // the browser refuses more workers: the pool starts what it can later
      }
      waits.push(new Promise((resolve) => {
        const spare = { worker, settle: resolve };
        spareLayers.push(spare);
        worker.onmessage = resolve; // its 'ready'
        worker.onerror = (ev) => {
          ev.preventDefault();
          worker.terminate();
          spareLayers = spareLayers.filter((x) => x !== spare);
          resolve();
        };
      }));
    }
    await Promise.all(waits);
  }

  /** Ends the layer workers started ahead that no pool took (this worker reads one file). */
  function dropSpareLayers() {
    for (const { worker, settle } of spareLayers.splice(0)) {
      worker.terminate();
      settle();
    }
  }

  /** Progress from the core: `(event, a, b, detail)`. `bytes` events are passed on unless
   *  `ownBytes` (a registry fetch counts the bytes it receives itself); `before` bytes were
   *  already read by the layer workers (the core counts only what it reads itself), and
   *  `floor` were shown (never go back below them, even after a worker failed). */
  function progressTo(ownBytes, before = 0, floor = 0) {
    let lastBytes = 0;
    return (event, a, b, detail) => {
      if (event === 'bytes') {
        if (ownBytes) return;
        const now = performance.now();
        if (now - lastBytes >= BYTES_EVERY_MS || a === b) {
          lastBytes = now;
          post({ type: 'bytes', done: a === b ? a : Math.max(floor, Math.min(b, before + a)), total: b });
        }
      } else if (event === 'layer') {
        post({ type: 'layer', image: a, layer: b });
      } else if (event === 'planned') {
        post({ type: 'planned', images: JSON.parse(detail) });
      }
    };
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
      ...extra,
    });
  }

  /** Inspects a dropped file: { file, limits (JSON text or undefined), workers (pool size),
   *  poolMinBytes (fewer bytes of layers: no pool; twice as many when the largest layer would
   *  be split in two halves, which gains less than reading different layers at once) }. */
  async function open(m) {
    const { file, limits } = m;
    const t0 = performance.now();
    const wanted = startLayerWorker ? Math.floor(m.workers) || 1 : 1;
    // One worker: Session.open lists the layers itself before reading any; planning first
    // would only read the tar headers twice.
    const plan = wanted > 1 ? JSON.parse(core.layer_jobs(file, limits)) : { jobs: [], images: [] };
    // The layer table, before any layer is read (Session.open would say it again).
    if (plan.images.length) post({ type: 'planned', images: plan.images });
    const layerBytes = plan.jobs.reduce((a, j) => a + j.size, 0);
    const tasks = poolTasks(plan.jobs);
    const minBytes = (m.poolMinBytes || 0) * (tasks.length > plan.jobs.length ? 2 : 1);
    const size = layerBytes >= minBytes ? Math.min(wanted, tasks.length) : 1;
    if (size < 2) {
      dropSpareLayers();
      finished(core.Session.open(file, progressTo(false), limits), t0, file.size);
      return;
    }
    const running = runPool(file, plan, tasks, limits, size, await ready);
    dropSpareLayers(); // the pool has taken the ones it needs
    const pool = await running;
    const s = core.Session.open_prepared(file, progressTo(false, pool.bytes, pool.shown), limits, pool.entries, pool.results, pool.parts);
    // The workers that read layers (a worker that could not start or failed read none).
    finished(s, t0, file.size, { workers: Math.max(1, pool.workers), layerMemory: pool.memory, split: pool.split });
  }

  /**
   * Runs `tasks` ({ job, part }: a whole job, or half of the dominant one) on `size` layer
   * workers, each given the coordinator's compiled wasm `module` first: each takes the next
   * task when it has finished one. Resolves with what the workers made — { entries, results
   * (Uint8Arrays, the same order), parts (the same order), bytes (read by them, a blob read by
   * two halves counted once), shown (the bytes last shown), workers (how many delivered a
   * result), memory (the largest worker's wasm memory), split (the layer read in two halves:
   * { size, layers: [[image, layer]…] }, or null) } — once the queue is empty and every worker
   * is idle or gone. A worker that fails or dies is terminated and its task left out (the
   * coordinator reads that layer itself: a lone half is ignored); nothing else is recorded.
   * The page sees the bytes of all workers added up, and which layers are read.
   */
  function runPool(file, plan, tasks, limits, size, module) {
    const queue = tasks.slice();
    const where = jobLayers(plan);
    const entries = [];
    const results = [];
    const parts = [];
    const slots = [];
    let finishedBytes = 0;
    let shown = 0;
    let lastBytes = 0;
    let memory = 0;
    let live = size;
    // Per layer blob: waiting, reading, read; its tasks not finished yet, and whether one
    // failed (then the coordinator reads it, and it stays waiting here).
    const state = new Map(plan.jobs.map((j) => [j.entry, 'waiting']));
    const left = new Map(plan.jobs.map((j) => [j.entry, 0]));
    for (const t of tasks) left.set(t.job.entry, left.get(t.job.entry) + 1);
    const failedEntries = new Set();
    const halves = new Map(); // entry → halves delivered
    const relayPorts = new Map(); // entry → the channel end for the relaying worker's partner
    let split = tasks.some((t) => t.part !== 'all');
    let lastStatus = 0;
    let statusTimer = null;
    // At most ten a second (each carries every layer), and always the last one.
    const status = (force) => {
      const now = performance.now();
      if (!force && now - lastStatus < BYTES_EVERY_MS) {
        statusTimer ??= setTimeout(() => status(true), BYTES_EVERY_MS - (now - lastStatus));
        return;
      }
      clearTimeout(statusTimer);
      statusTimer = null;
      lastStatus = now;
      const states = [...state.values()];
      post({
        type: 'pool',
        done: live === 0,
        workers: size,
        jobs: plan.jobs.length,
        split,
        read: states.filter((s) => s === 'read').length,
        reading: states.filter((s) => s === 'reading').length,
        layers: plan.jobs.flatMap((j) => where.get(j.entry).map(([image, layer]) => ({ image, layer, state: state.get(j.entry) }))),
      });
    };
    const bytes = (force) => {
      const done = slots.reduce((a, s) => a + s.bytes, finishedBytes);
      shown = Math.min(file.size, Math.max(shown, done)); // never backwards, even if a worker fails
      const now = performance.now();
      if (force || now - lastBytes >= BYTES_EVERY_MS) {
        lastBytes = now;
        post({ type: 'bytes', done: shown, total: file.size });
      }
    };
    return new Promise((resolve) => {
      const gone = (slot) => {
        slot.worker?.terminate();
        slot.worker = null;
        slot.bytes = 0;
        if (--live === 0) {
          status(true);
          bytes(true);
          const whole = plan.jobs.find((j) => halves.get(j.entry) === 2);
          resolve({
            entries, results, parts, bytes: finishedBytes, shown, memory,
            workers: slots.filter((x) => x.delivered).length,
            split: whole ? { size: whole.size, layers: where.get(whole.entry) } : null,
          });
        }
      };
      const next = (slot) => {
        slot.task = queue.shift() ?? null;
        slot.bytes = 0;
        if (!slot.task) { gone(slot); return; }
        const { job, part } = slot.task;
        if (!failedEntries.has(job.entry)) state.set(job.entry, 'reading');
        status(false);
        // A relay pair talks over its own channel: the relaying worker gets one end, its partner
        // (handed out right after, to another worker) the other.
        let port;
        if (part === 'relay') {
          const channel = new MessageChannel();
          port = channel.port1;
          relayPorts.set(job.entry, channel.port2);
        } else if (part === 'digests') {
          port = relayPorts.get(job.entry);
          relayPorts.delete(job.entry);
        }
        slot.worker.postMessage({ file, job: JSON.stringify(job), limits, part, port }, port ? [port] : []);
      };
      for (let i = 0; i < size; i++) {
        const slot = { worker: null, task: null, bytes: 0 };
        slots.push(slot);
        try {
          const spare = spareLayers.shift(); // started ahead, before the file
          if (spare) {
            spare.settle();
            slot.worker = spare.worker;
          } else {
            slot.worker = startLayerWorker();
            // The wasm compiled once, here: the layer worker instantiates it (no fetch, no compile).
            slot.worker.postMessage({ module });
          }
        } catch {
          slot.worker = null; // not even started (the browser refused): the others, or the coordinator, read
        }
      }
      // A relay pair needs two workers at once; with fewer, its layer is one whole task.
      if (slots.filter((x) => x.worker).length < 2 && split) {
        const at = queue.findIndex((t) => t.part === 'digests');
        const [partner] = queue.splice(at, 1);
        left.set(partner.job.entry, left.get(partner.job.entry) - 1);
        queue.find((t) => t.part === 'relay').part = 'all';
        split = false;
      }
      for (const slot of slots) {
        if (!slot.worker) {
          gone(slot);
          continue;
        }
        const failed = () => {
          if (!slot.worker) return;
          const task = slot.task;
          if (task) {
            failedEntries.add(task.job.entry);
            state.set(task.job.entry, 'waiting'); // read by the coordinator later
          }
          gone(slot);
          // The other worker of a relay pair would wait for this one for ever: it ends too.
          if (task && (task.part === 'relay' || task.part === 'digests')) {
            slots.find((x) => x !== slot && x.task?.job.entry === task.job.entry && x.task.part !== task.part)?.fail();
          }
          if (live > 0) status(false); // else the last status is out
        };
        slot.fail = failed;
        slot.worker.onmessage = ({ data: r }) => {
          if (!slot.worker) return;
          if (r.type === 'ready') return; // its wasm is instantiated (a worker started here)
          const { job, part } = slot.task ?? {};
          if (r.type === 'bytes') {
            slot.bytes = shareOf(job, part, Math.min(r.done, job.size));
            bytes(false);
          } else if (r.type === 'result') {
            for (const result of [r.result, ...(r.extra ?? [])]) {
              entries.push(job.entry);
              results.push(result);
              parts.push(part);
            }
            finishedBytes += shareOf(job, part, job.size);
            memory = Math.max(memory, r.memory || 0);
            slot.delivered = true;
            if (part !== 'all') halves.set(job.entry, (halves.get(job.entry) ?? 0) + 1);
            left.set(job.entry, left.get(job.entry) - 1);
            if (left.get(job.entry) === 0 && !failedEntries.has(job.entry)) state.set(job.entry, 'read');
            slot.bytes = 0;
            bytes(false);
            next(slot);
          } else {
            failed();
          }
        };
        slot.worker.onerror = (ev) => { ev.preventDefault(); failed(); };
        slot.worker.onmessageerror = failed;
        next(slot);
      }
    });
  }

  /** Fetches `m.reference` from its registry: { reference, username, password, platform }. */
  async function fetchImage(m) {
    dropSpareLayers(); // a registry image is read here, by no pool
    const t0 = performance.now();
    const f = new core.RegistryFetch(m.reference, m.username, m.password, m.platform, progressTo(true), m.limits);
    const log = []; // what was asked and answered, for the page's technical details
    const plan = new Plan(m.reference, post);
    let received = 0;
    let lastBytes = 0;
    let r;
    while ((r = f.next_request()) !== undefined) {
      const req = JSON.parse(r);
      const url = new URL(req.url);
      post({ type: 'request', purpose: req.purpose, layer: req.layer ?? null, host: url.host });
      if (req.purpose === 'layer') post({ type: 'layer', image: 0, layer: req.layer });
      plan.asking(req);
      let resp;
      try {
        resp = await fetch(req.url, {
          method: 'GET', headers: req.headers, redirect: 'follow', cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
        });
      } catch (e) {
        log.push(`GET ${req.url} (${req.purpose}): ${String(e)}`);
        await transportFailure(f, url, e, log);
        continue; // next_request() now returns undefined: the failure is recorded
      }
      // A browser hides headers the registry does not expose: say so where it matters.
      const hidden = resp.status === 401 && !resp.headers.has('www-authenticate')
        ? ' (no WWW-Authenticate header is readable: the registry does not list it in Access-Control-Expose-Headers)' : '';
      log.push(`GET ${req.url} (${req.purpose}): ${resp.status}${resp.redirected ? ` from ${new URL(resp.url).origin}` : ''}${hidden}`);
      if (f.head(resp.status, JSON.stringify([...resp.headers.entries()]))) {
        const reader = resp.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            f.body(value);
            plan.chunk(req, value);
            received += value.length;
            const now = performance.now();
            if (now - lastBytes >= BYTES_EVERY_MS) {
              lastBytes = now;
              post({ type: 'bytes', done: plan.done, total: plan.total, received });
            }
          }
        } catch (e) {
          // The connection broke mid-body: what arrived so far is reported, the rest is missing.
          log.push(`GET ${req.url} (${req.purpose}): the answer broke off after ${received} bytes in all: ${String(e)}`);
          f.transport_error(String(e));
          continue;
        }
      } else {
        resp.body?.cancel().catch(() => {}); // not wanted: free the connection
      }
      f.end();
      plan.answered(req);
    }
    post({ type: 'bytes', done: plan.done, total: plan.total, received });
    const s = f.finish(); // the fetch state, credentials included, is dropped here
    f.free();
    finished(s, t0, received, { requests: log });
  }

  // Requests after the inspection: { id, op, ...args } → { id, ok, value | error }.
  const ops = {
    list: (m) => JSON.parse(session.list_dir(m.image, m.path, m.showDeleted, m.changedIn)),
    versions: (m) => JSON.parse(session.versions(m.image, m.path)),
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
  };

  self.onmessage = async ({ data: m }) => {
    // How many layer workers to start ahead, sent with this worker's start (worker-client.js).
    if (m.op === 'prestart') {
      poolWanted = Math.floor(m.workers) || 0;
      return;
    }
    warming = false;
    if (m.op === 'open' || m.op === 'fetch') claimed = true;
    try {
      await ready;
    } catch (e) {
      const message = 'The inspection engine (WebAssembly) could not be started.';
      post(m.id ? { id: m.id, ok: false, error: `${message} ${String(e)}` } : { type: 'failed', message, detail: String(e) });
      return;
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
        await fetchImage(m);
      } catch (e) {
        // The core refuses a reference or platform it cannot parse before sending anything.
        const text = errorText(e);
        post(typeof e === 'string'
          ? { type: 'failed', message: e.charAt(0).toUpperCase() + e.slice(1), detail: text }
          : { type: 'failed', message: 'The fetch stopped with an internal error.', detail: text });
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

/**
 * Which planned layers each job holds: `Map(entry → [[image, layer]…])` (a blob shared by
 * several images holds several). A layer whose digest's hex is in the job's entry name
 * (`blobs/sha256/<hex>`, `<hex>.tar`) is that job's; failing that, the one job of its exact
 * size. A classic `docker save` layer (`<id>/layer.tar`, no digest, no size) matches none:
 * it is only counted, not shown, while the pool reads it.
 */
function jobLayers(plan) {
  const where = new Map(plan.jobs.map((j) => [j.entry, []]));
  plan.images.forEach((img, i) => img.layers.forEach((l, j) => {
    const hex = l.digest?.slice(l.digest.indexOf(':') + 1);
    let job = hex && hex.length >= 32 ? plan.jobs.find((x) => x.entry.includes(hex)) : null;
    if (!job && l.size != null) {
      const same = plan.jobs.filter((x) => x.size === l.size);
      if (same.length === 1) [job] = same;
    }
    if (job) where.get(job.entry).push([i, j]);
  }));
  return where;
}

/**
 * The pool's tasks, in the order they are handed out: every job whole, largest first, except a
 * dominant layer (bigger than all the others together, a one-layer image included), which is
 * split into its two halves, first in the queue so that two workers start them at once:
 * "relay" decompresses and walks the layer and passes the decompressed bytes on over a
 * MessageChannel to "digests", which hashes them; the blob is hashed by whichever of the two is
 * less busy at the time (its hasher moves between them). Nothing is done twice. (With fewer
 * than two workers started, the layer is one whole task again.)
 */
function poolTasks(jobs) {
  const all = jobs.map((job) => ({ job, part: 'all' }));
  if (!jobs.length) return all;
  const [first, ...rest] = [...jobs].sort((a, b) => b.size - a.size);
  if (first.size <= rest.reduce((a, j) => a + j.size, 0)) return all;
  return [{ job: first, part: 'relay' }, { job: first, part: 'digests' }, ...rest.map((job) => ({ job, part: 'all' }))];
}

/** The bytes of a job's blob a task counts when it has read `read` of them: each half reads
 *  the whole blob, so each counts half of it (the two halves add up to its size exactly). */
function shareOf(job, part, read) {
  if (part === 'all') return read;
  if (!job.size) return 0;
  const share = part === 'relay' ? Math.ceil(job.size / 2) : Math.floor(job.size / 2);
  return read >= job.size ? share : Math.floor(share * (read / job.size));
}

function errorText(e) {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * fetch() failed without an answer ("Failed to fetch"): the browser says no more, so find out
 * why. An https page may not read plain http (mixed content; loopback is exempt). Otherwise a
 * no-cors GET of the same URL tells a registry that answers but does not allow this page
 * (CORS: the opaque answer arrives) from one that cannot be reached at all.
 */
async function transportFailure(f, url, e, log) {
  if (self.location.protocol === 'https:' && url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    f.transport_error(`mixed content: this page was loaded over https, so the browser does not let it read ${url.origin} over plain http; serve the registry over https, or use the porthole CLI`);
    return;
  }
  try {
    await fetch(url.href, { mode: 'no-cors', credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
    log.push(`GET ${url.href} (no-cors probe): an answer arrived, unreadable to the page`);
    f.cors_blocked(self.location.origin);
  } catch {
    log.push(`GET ${url.href} (no-cors probe): no answer either`);
    const csp = url.protocol === 'http:' && !LOOPBACK.has(url.hostname)
      ? '; a site that sends porthole\'s Content-Security-Policy header allows plain-http registries only on localhost and 127.0.0.1'
      : '';
    f.transport_error(`${String(e)} (the registry is not reachable: check the host name and port, and that it is running${csp})`);
  }
}

/**
 * What the page can show while a registry image arrives: the layers and their sizes, read from
 * the manifest as it passes through (the core reads it too; this copy is only for progress),
 * and the bytes of config and layers received of the total they add up to.
 */
class Plan {
  constructor(name, post) {
    this.name = name;
    this.post = post;
    this.platforms = new Map(); // child manifest digest → platform, from an image index
    this.platform = null;
    this.body = null;
    this.total = 0;
    this.done = 0;
  }

  asking(req) {
    this.body = req.purpose === 'manifest' ? [] : null;
    const digest = req.purpose === 'manifest' && req.url.slice(req.url.lastIndexOf('/') + 1);
    if (digest && this.platforms.has(digest)) this.platform = this.platforms.get(digest);
  }

  chunk(req, bytes) {
    if (req.purpose === 'config' || req.purpose === 'layer') this.done += bytes.length;
    else if (this.body && this.body.length < 256) this.body.push(bytes);
  }

  answered(req) {
    if (!this.body) return;
    let doc;
    try {
      doc = JSON.parse(new TextDecoder().decode(concat(this.body)));
    } catch {
      return;
    }
    this.body = null;
    if (Array.isArray(doc.manifests)) {
      for (const d of doc.manifests) {
        const p = d.platform;
        if (p && d.digest) this.platforms.set(d.digest, [p.os, p.architecture, p.variant].filter(Boolean).join('/'));
      }
    } else if (Array.isArray(doc.layers)) {
      const layers = doc.layers.map((l) => ({ digest: l.digest ?? null, size: l.size ?? null, media_type: l.mediaType ?? null }));
      this.total = (doc.config?.size ?? 0) + layers.reduce((a, l) => a + (l.size ?? 0), 0);
      this.post({ type: 'planned', images: [{ name: this.name, platform: this.platform, layers }] });
    }
  }
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
