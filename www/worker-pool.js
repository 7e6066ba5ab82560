// The pool of layer workers (layer-core.js), each with its own wasm instance reading its own
// slices of the same File. The core decides the schedule (layer_jobs: the distinct layer blobs,
// largest first, the planned layers each one is, the tasks in the order they are handed out —
// a layer bigger than all the others together split into its "relay" and "digests" halves —
// and how many workers); this file carries it out: it hands the tasks out one at a time to
// whichever worker is free, gives each relay pair its MessageChannel, collects the results
// (transferred buffers) and reports progress. A layer whose worker failed is read by the
// coordinator instead (Session.open_prepared reads the layers it was not given).

import { BYTES_EVERY_MS } from './worker-progress.js';

/**
 * Carries out the schedule of `plan` (the core's `layer_jobs`: { jobs, layers, images, tasks,
 * workers }) on `size` layer workers reading `file`, each given the coordinator's compiled wasm
 * `module` first (workers started ahead come from `takeSpare()`, others from
 * `startLayerWorker()`): each takes the next task ({ job, part }: a whole job, or a half of
 * the dominant one) when it has finished one. Messages to the page go through `post`.
 * `inflate` ('native' or 'wasm') goes with each task: who inflates gzip (layer-core.js).
 * `local`: the one "worker" is the coordinator itself (no pool): the page is told which layer
 * is read, as when the core reads the layers by itself ('layer'), not the pool's state.
 * Resolves with what the workers made — { entries, results (Uint8Arrays, the same order), parts (the same order), bytes (read by them, a blob read by
 * two halves counted once), shown (the bytes last shown), workers (how many delivered a
 * result), memory (the largest worker's wasm memory), split (the layer read in two halves:
 * { size, layers: [[image, layer]…] }, or null), inflated ({ native, restarted }: layer blobs
 * the browser inflated, and those it refused that the core read again) } — once the queue is empty and every worker
 * is idle or gone. A worker that fails or dies is terminated and its task left out (the
 * coordinator reads that layer itself: a lone half is ignored); nothing else is recorded.
 * The page sees the bytes of all workers added up, and which layers are read.
 */
export function runPool({ file, plan, limits, size, module, post, takeSpare, startLayerWorker, inflate, local = false }) {
  const tasks = plan.tasks.map((t) => ({ job: plan.jobs[t.job], part: t.part }));
  const queue = tasks.slice();
  // Which planned layers each job is (a blob shared by several images is several).
  const where = new Map(plan.jobs.map((j, i) => [j.entry, plan.layers[i]]));
  const entries = [];
  const results = [];
  const parts = [];
  const slots = [];
  let finishedBytes = 0;
  let shown = 0;
  let lastBytes = 0;
  let memory = 0;
  const inflated = { native: 0, restarted: 0 };
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
    if (local) return;
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
          entries, results, parts, bytes: finishedBytes, shown, memory, inflated,
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
      if (local) {
        const [image, layer] = where.get(job.entry)[0];
        post({ type: 'layer', image, layer });
      }
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
      slot.worker.postMessage({ file, job: JSON.stringify(job), limits, part, port, inflate }, port ? [port] : []);
    };
    for (let i = 0; i < size; i++) {
      const slot = { worker: null, task: null, bytes: 0 };
      slots.push(slot);
      try {
        const spare = takeSpare(); // started ahead, before the file
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
          if (r.inflated in inflated) inflated[r.inflated]++;
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

/** The bytes of a job's blob a task counts when it has read `read` of them: each half reads
 *  the whole blob, so each counts half of it (the two halves add up to its size exactly). */
function shareOf(job, part, read) {
  if (part === 'all') return read;
  if (!job.size) return 0;
  const share = part === 'relay' ? Math.ceil(job.size / 2) : Math.floor(job.size / 2);
  return read >= job.size ? share : Math.floor(share * (read / job.size));
}
