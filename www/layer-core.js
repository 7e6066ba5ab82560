// A layer worker's logic: one of the pool a coordinator worker (worker-core.js) starts for a
// dropped tarball with several layers (or one big one). Each layer worker has its own wasm
// instance, made from the module the coordinator compiled (posted first, so the ~2 MB of wasm
// is compiled once per file, not once per worker), and streams its own slices of the same File
// (Blob.stream(): the browser reads ahead while the core works on the previous chunk, where a
// FileReaderSync read makes it wait), pushing each chunk into the core (LayerFeed); it
// processes one task per message — a layer blob, or half of one — and sends back the result as
// bytes (the buffer is transferred, not copied), which the coordinator hands to
// Session.open_prepared. No SharedArrayBuffer: works on any static host and from file://.
//
// Messages in:  { module }                               (first: the compiled WebAssembly.Module)
//               { file, job (JSON text of one layer_jobs() job), limits (JSON text or undefined),
//                 part ('all', or 'walk' / 'diff': half of a layer split between two workers) }
// Messages out: { type: 'bytes', done }                 (throttled, bytes of this job read)
//               { type: 'result', result, memory }      (Uint8Array, transferred; wasm memory bytes)
//               { type: 'error', message }              (the coordinator reads that layer itself)
//
// This file has no imports so that `make single` can inline it; layer-worker.js (the module
// worker) and the single-file build each call serveLayer() with the core.

const LAYER_BYTES_EVERY_MS = 50;

/** `core` is the wasm-bindgen module ({ LayerFeed, memory_bytes }); `start(module)`
 *  instantiates its wasm from the coordinator's WebAssembly.Module (may return a promise). */
export function serveLayer(core, start) {
  let ready = Promise.reject(new Error('no WebAssembly module was given to this layer worker'));
  ready.catch(() => {}); // reported with the first job
  self.onmessage = async ({ data: m }) => {
    if (m.module !== undefined) {
      ready = Promise.resolve().then(() => start(m.module));
      ready.catch(() => {});
      return;
    }
    try {
      await ready;
      const job = JSON.parse(m.job);
      let last = 0;
      const result = await feedLayer(core, m.file.slice(job.offset, job.offset + job.size), m.job, m.limits, m.part, (done) => {
        const now = performance.now();
        if (now - last >= LAYER_BYTES_EVERY_MS) {
          last = now;
          self.postMessage({ type: 'bytes', done });
        }
      });
      // The wasm memory never shrinks: after the last job this is the worker's peak.
      self.postMessage({ type: 'result', result, memory: core.memory_bytes() }, [result.buffer]);
    } catch (e) {
      self.postMessage({ type: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  };
}

/** Streams `blob` (a layer job's bytes) into a new core.LayerFeed for `jobJson`; resolves with
 *  the result's bytes. `progress(done)` after each chunk. A stream that breaks rejects. */
async function feedLayer(core, blob, jobJson, limits, part, progress) {
  const feed = new core.LayerFeed(jobJson, limits, part);
  const reader = blob.stream().getReader();
  let done = 0;
  try {
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      done += value.length;
      progress?.(done);
      if (!feed.push(value)) {
        reader.cancel().catch(() => {});
        break;
      }
    }
  } catch (e) {
    feed.free();
    throw e;
  }
  return feed.finish();
}
