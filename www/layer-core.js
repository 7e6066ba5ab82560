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
//                 each with `port`, its end of the pair's MessageChannel) }
// Messages out: { type: 'ready' }                        (the module instantiated, or failed to)
//               { type: 'bytes', done }                 (throttled, bytes of this job read)
//               { type: 'result', result, extra, memory } (Uint8Array, transferred; more results of
//                                                         the same job (the blob digest a relay's
//                                                         partner finished); wasm memory bytes)
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
      // The coordinator may have started this worker ahead of any file: it waits for this.
      ready.finally(() => self.postMessage({ type: 'ready' })).catch(() => {});
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
      let extra = [];
      if (m.part === 'relay') result = await relayLayer(core, blob, m.job, m.limits, m.port, progress);
      else if (m.part === 'digests') [result, ...extra] = await hashRelayed(core, blob, m.job, m.limits, m.port, progress);
      else result = await feedLayer(core, blob, m.job, m.limits, m.part, progress);
      result = await result;
      // The wasm memory never shrinks: after the last job this is the worker's peak.
      self.postMessage({ type: 'result', result, extra, memory: core.memory_bytes() }, [result, ...extra].map((r) => r.buffer));
    } catch (e) {
      self.postMessage({ type: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  };
}

/** Reads `blob` as its stream hands the chunks out, the next one always asked for ahead: the
 *  stream asks the browser for a chunk only when it is read, and without that the core waited
 *  for each (about 2 ms per chunk of about 2 MiB). `next()` resolves with the next chunk, or
 *  undefined at the end; `cancel()` stops reading (the read ahead settles unheard). */
function chunksOf(blob) {
  const reader = blob.stream().getReader();
  let ahead = reader.read();
  return {
    async next() {
      const { done, value } = await ahead;
      if (done) return undefined;
      ahead = reader.read();
      return value;
    },
    cancel() {
      ahead.catch(() => {});
      reader.cancel().catch(() => {});
    },
  };
}

/** Streams `blob` (a layer job's bytes) into a new core.LayerFeed for `jobJson`; resolves with
 *  the result's bytes. `progress(done)` after each chunk. A stream that breaks rejects. */
async function feedLayer(core, blob, jobJson, limits, part, progress) {
  const feed = new core.LayerFeed(jobJson, limits, part);
  const chunks = chunksOf(blob);
  let done = 0;
  try {
    for (;;) {
      const value = await chunks.next();
      if (!value) break;
      done += value.length;
      progress?.(done);
      if (!feed.push(value)) break;
    }
  } catch (e) {
    feed.free();
    throw e;
  } finally {
    chunks.cancel();
  }
  return feed.finish();
}

/** Most bytes a relaying worker has passed on that its partner has not hashed yet: beyond it,
 *  it waits (so memory stays bounded whichever worker is faster). */
const RELAY_WINDOW = 16 << 20;
/** The blob's hasher goes to the partner when fewer bytes than this wait for it (it is about to
 *  be idle), and comes back when more than HASHER_BACK do (it is the slower one). */
const HASHER_AWAY = 2 << 20;
const HASHER_BACK = 8 << 20;
/** The partner's acknowledgements are messages: they are seen only when the relaying loop lets
 *  the worker's event loop run. Reading from the file's stream does not (Chromium hands over
 *  chunks of about 2 MiB, already there, and each takes tens of milliseconds to get through), so
 *  without a pause `ahead` went stale by megabytes: the blob's hasher stayed here, in the busier
 *  worker, while the partner waited. The loop pauses once this many milliseconds have passed. */
const PAUSE_EVERY_MS = 1;

/** Pauses that let the messages already waiting be handled (a message to itself: queued after
 *  them, and far sooner than a timer). `due()`: PAUSE_EVERY_MS have passed since the last
 *  pause; `pause()` resolves once the waiting messages are handled; `close()` when done. */
function messagePauses() {
  const channel = new MessageChannel();
  let resume = null;
  let last = performance.now();
  channel.port1.onmessage = () => {
    last = performance.now();
    resume();
  };
  return {
    due: () => performance.now() - last > PAUSE_EVERY_MS,
    pause: () => new Promise((r) => {
      resume = r;
      channel.port2.postMessage(null);
    }),
    close() {
      channel.port1.close();
      channel.port2.close();
    },
  };
}

/**
 * Part 'relay': decompresses and walks the layer (core.LayerFeed) and passes on over `port` to
 * the partner ('digests', hashRelayed) the decompressed bytes after every piece of
 * core.relay_chunk() blob bytes, which it hashes. The blob is hashed by whichever of the two is
 * less busy: its hasher (core.RelayHashes) moves as bytes — to the partner when it is about to
 * be idle (then the blob chunks follow it, their buffers transferred), back when it falls
 * behind (the chunks read meanwhile wait here) — and ends with the partner. Every message
 * carries `read`, the blob bytes it is from (the partner's progress). If one piece decompresses
 * to too much, the core stops relaying and the partner is told to read the layer itself.
 * Resolves with the result's bytes.
 */
async function relayLayer(core, blob, jobJson, limits, port, progress) {
  const feed = new core.LayerFeed(jobJson, limits, 'relay');
  const piece = core.relay_chunk();
  let relaying = true;
  let ahead = 0; // bytes passed on and not acknowledged yet
  let wake = null;
  let hasher = new core.RelayHashes(); // the blob's, while it is here
  let recalling = false; // asked the partner for it back
  let returned = null; // its state, when it comes back
  const kept = []; // blob chunks read while it was on its way back
  const spares = []; // buffers of pieces the partner has hashed, handed back to be filled again
  port.onmessage = ({ data }) => {
    if (data.state) returned = data.state;
    else ahead -= data.ack;
    if (data.buffer) spares.push(new Uint8Array(data.buffer));
    wake?.();
  };
  const send = (msg, bytes, transfer) => {
    ahead += bytes;
    port.postMessage(msg, transfer);
  };
  const sleep = () => new Promise((r) => { wake = r; });
  // Hashes `bytes` of the blob here, or passes them on, or keeps them until the hasher is back.
  const blobChunk = (bytes, read) => {
    if (recalling && returned) {
      hasher = core.RelayHashes.resume(returned);
      [recalling, returned] = [false, null];
      for (const k of kept.splice(0)) hasher.push(k);
    }
    if (hasher && ahead < HASHER_AWAY) {
      send({ state: hasher.state(), read }, 0, []);
      hasher.free();
      hasher = null;
    } else if (!hasher && !recalling && ahead > HASHER_BACK) {
      port.postMessage({ back: true });
      recalling = true;
    }
    if (hasher) hasher.push(bytes);
    else if (recalling) kept.push(bytes);
    else send({ blob: bytes, read }, bytes.length, [bytes.buffer]);
  };
  const chunks = chunksOf(blob);
  const pauses = messagePauses();
  let done = 0;
  try {
    let more = true;
    while (more) {
      const value = await chunks.next();
      if (!value) break;
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
        const spare = spares.pop();
        const out = feed.take_relayed_into(spare);
        if (spare && !out.length) spares.push(spare); // not used; one too small is dropped
        if (out.length) send({ out, read: done + taken }, out.length, [out.buffer]);
        if (pauses.due()) await pauses.pause();
        while (relaying && ahead > RELAY_WINDOW) await sleep();
      }
      if (relaying) blobChunk(taken === value.length ? value : value.slice(0, taken), done + taken);
      done += taken;
      progress(done);
    }
    if (relaying) {
      // The hasher ends with the partner: back here first if it was on its way.
      while (recalling && !returned) await sleep();
      if (recalling) blobChunk(new Uint8Array(0), done);
      if (hasher) send({ state: hasher.state(), read: done }, 0, []);
      port.postMessage({ end: true, same: feed.relays_blob() });
    }
  } catch (e) {
    feed.free();
    port.close();
    throw e;
  } finally {
    chunks.cancel();
    hasher?.free();
    pauses.close();
  }
  port.close();
  return feed.finish();
}

/**
 * Part 'digests', the partner of a relaying worker (relayLayer): hashes the decompressed bytes
 * it passes on and, while it has the blob's hasher, the blob chunks (core.RelayHashes),
 * acknowledging each (a decompressed piece's buffer goes back with its acknowledgement, to be
 * filled again: a new ArrayBuffer for each costs page faults); gives the hasher back when
 * asked. Ends with `end`: resolves with the decompressed stream's digest and, as `extra`, the
 * blob's; if it says `aborted`, reads the layer itself instead (part 'digests': decompresses
 * too). Resolves with [result, ...extra].
 */
async function hashRelayed(core, blob, jobJson, limits, port, progress) {
  const stream = new core.RelayHashes();
  let hasher = null;
  // The last message: { end, same (an uncompressed layer: nothing relayed) } or { aborted }, or
  // an error (a hasher state that did not load, a blob chunk without the hasher).
  const last = await new Promise((resolve) => {
    port.onmessage = ({ data: d }) => {
      if (d.end || d.aborted) {
        resolve(d);
        return;
      }
      try {
        let bytes = 0;
        if (d.state) {
          hasher = core.RelayHashes.resume(d.state);
        } else if (d.back) {
          port.postMessage({ state: hasher.state() });
          hasher.free();
          hasher = null;
        } else if (d.blob) {
          hasher.push(d.blob);
          bytes = d.blob.length;
        } else {
          stream.push(d.out);
          bytes = d.out.length;
        }
        if (d.read !== undefined) progress(d.read);
        // A decompressed piece's buffer goes back to be filled again. (Blob chunks came from
        // the file's stream, which makes a new buffer for each: not reused.)
        if (d.out) port.postMessage({ ack: bytes, buffer: d.out.buffer }, [d.out.buffer]);
        else if (bytes) port.postMessage({ ack: bytes });
      } catch (e) {
        resolve({ error: e });
      }
    };
  });
  port.close();
  if (last.end && hasher) {
    const same = Boolean(last.same);
    return [stream.finish_uncompressed(same), hasher.finish_blob(same)];
  }
  stream.free();
  hasher?.free();
  if (last.error || last.end) throw last.error ?? new Error('the relay ended without handing the blob hasher over');
  return [feedLayer(core, blob, jobJson, limits, 'digests', progress)];
}
