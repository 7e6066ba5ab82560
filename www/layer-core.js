// A layer worker's logic: one of the pool a coordinator worker (worker-core.js) starts for a
// dropped tarball with several layers. Each layer worker has its own wasm instance and reads
// its own slices of the same File (FileReaderSync); it processes one layer blob per message
// and sends back the result as bytes (the buffer is transferred, not copied), which the
// coordinator hands to Session.open_prepared. No SharedArrayBuffer: works on any static host
// and from file://.
//
// Messages in:  { file, job (JSON text of one layer_jobs() job), limits (JSON text or undefined) }
// Messages out: { type: 'bytes', done }                 (throttled, bytes of this job read)
//               { type: 'result', result, memory }      (Uint8Array, transferred; wasm memory bytes)
//               { type: 'error', message }              (the coordinator reads that layer itself)
//
// This file has no imports so that `make single` can inline it; layer-worker.js (the module
// worker) and the single-file build each call serveLayer() with the loaded core.

const LAYER_BYTES_EVERY_MS = 50;

/** `core` is the wasm-bindgen module ({ run_layer_job, memory_bytes }); `ready` settles when
 *  its wasm is instantiated. */
export function serveLayer(core, ready) {
  ready.catch(() => {}); // reported with the first job
  self.onmessage = async ({ data: m }) => {
    try {
      await ready;
      let last = 0;
      const progress = (event, done) => {
        if (event !== 'bytes') return;
        const now = performance.now();
        if (now - last >= LAYER_BYTES_EVERY_MS) {
          last = now;
          self.postMessage({ type: 'bytes', done });
        }
      };
      const result = core.run_layer_job(m.file, m.job, m.limits, progress);
      // The wasm memory never shrinks: after the last job this is the worker's peak.
      self.postMessage({ type: 'result', result, memory: core.memory_bytes() }, [result.buffer]);
    } catch (e) {
      self.postMessage({ type: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  };
}
