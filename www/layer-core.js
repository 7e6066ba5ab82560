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
//                 part ('all', or half of a layer split between two workers: 'relay' / 'digests',
//                 each with `port`, its end of the pair's MessageChannel; or 'walk' / 'diff') }
// Messages out: { type: 'bytes', done }                 (throttled, bytes of this job read)
//               { type: 'result', result, memory }      (Uint8Array, transferred; wasm memory bytes)
//               { type: 'error', message }              (the coordinator reads that layer itself)
//
// This file has no imports so that `make single` can inline it; layer-worker.js (the module
// worker) and the single-file build each call serveLayer() with the core.

const LAYER_BYTES_EVERY_MS = 50;

/** `core` is the wasm-bindgen module ({ LayerFeed, RelayHashes, relay_chunk, memory_bytes }); `start(module)`
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
      const progress = (done) => {
        const now = performance.now();
        if (now - last >= LAYER_BYTES_EVERY_MS) {
          last = now;
          self.postMessage({ type: 'bytes', done });
        }
      };
      const blob = m.file.slice(job.offset, job.offset + job.size);
      let result;
      if (m.part === 'relay') result = await relayLayer(core, blob, m.job, m.limits, m.port, progress);
      else if (m.part === 'digests') result = await hashRelayed(core, blob, m.job, m.limits, m.port, progress);
      else result = await feedLayer(core, blob, m.job, m.limits, m.part, progress);
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

/** Most bytes a relaying worker has passed on that its partner has not hashed yet: beyond it,
 *  it waits (so memory stays bounded whichever worker is faster). */
const RELAY_WINDOW = 16 << 20;

/**
 * Part 'relay': decompresses and walks the layer (core.LayerFeed), and passes on over `port`
 * what the partner ('digests', hashRelayed) hashes: the decompressed bytes after every piece of
 * core.relay_chunk() blob bytes, then the blob chunk itself (its buffer transferred, no copy).
 * If one piece decompresses to too much, the core stops relaying and the partner is told to
 * read the layer itself. Resolves with the result's bytes.
 */
async function relayLayer(core, blob, jobJson, limits, port, progress) {
  const feed = new core.LayerFeed(jobJson, limits, 'relay');
  const piece = core.relay_chunk();
  let relaying = true;
  let ahead = 0; // bytes passed on and not acknowledged yet
  let wake = null;
  port.onmessage = ({ data }) => {
    ahead -= data.ack;
    wake?.();
  };
  const send = (msg, bytes, transfer) => {
    ahead += bytes;
    port.postMessage(msg, transfer);
  };
  const reader = blob.stream().getReader();
  let done = 0;
  try {
    let more = true;
    while (more) {
      const { done: end, value } = await reader.read();
      if (end) break;
      let taken = 0;
      for (let at = 0; at < value.length && more; at += piece) {
        const part = value.subarray(at, at + piece);
        more = feed.push(part);
        taken = at + part.length;
        if (!relaying) continue;
        if (feed.relay_aborted()) {
          relaying = false;
          port.postMessage({ aborted: true });
          continue;
        }
        const out = feed.take_relayed();
        if (out.length) send({ out }, out.length, [out.buffer]);
        while (relaying && ahead > RELAY_WINDOW) await new Promise((r) => { wake = r; });
      }
      done += taken;
      progress(done);
      if (relaying) {
        const bytes = taken === value.length ? value : value.slice(0, taken);
        send({ blob: bytes }, bytes.length, [bytes.buffer]);
      }
    }
    if (!more) reader.cancel().catch(() => {});
  } catch (e) {
    feed.free();
    port.close();
    throw e;
  }
  if (relaying) port.postMessage({ end: true, same: feed.relays_blob() });
  port.close();
  return feed.finish();
}

/**
 * Part 'digests', the partner of a relaying worker (relayLayer): hashes the blob chunks and
 * decompressed bytes it passes on (core.RelayHashes), acknowledging each, until it says `end`;
 * if it says `aborted`, reads the layer itself instead (part 'digests': decompresses too).
 */
async function hashRelayed(core, blob, jobJson, limits, port, progress) {
  const hashes = new core.RelayHashes();
  let done = 0;
  // The last message: { end, same (an uncompressed layer: the blob is the stream) } or { aborted }.
  const last = await new Promise((resolve) => {
    port.onmessage = ({ data: d }) => {
      if (d.end || d.aborted) {
        resolve(d);
        return;
      }
      if (d.blob) {
        hashes.push_blob(d.blob);
        done += d.blob.length;
        progress(done);
        port.postMessage({ ack: d.blob.length });
      } else {
        hashes.push_uncompressed(d.out);
        port.postMessage({ ack: d.out.length });
      }
    };
  });
  port.close();
  if (last.end) return hashes.finish(Boolean(last.same));
  hashes.free();
  return feedLayer(core, blob, jobJson, limits, 'digests', progress);
}
