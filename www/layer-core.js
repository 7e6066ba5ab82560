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
//                 each with `port`, its end of the pair's MessageChannel), inflate ('native':
//                 gzip is inflated by the browser where it can, see feedNative; 'wasm': by the core) }
// Messages out: { type: 'ready' }                        (the module instantiated, or failed to)
//               { type: 'bytes', done }                 (throttled, bytes of this job read)
//               { type: 'result', result, extra, memory, inflated } (Uint8Array, transferred; more
//                                                         results of the same job (the blob digest a
//                                                         relay's partner finished); wasm memory bytes;
//                                                         how the layer was inflated: 'native',
//                                                         'restarted' (the browser refused it, the core
//                                                         read it again from its first byte) or null: by
//                                                         the core)
//               { type: 'error', message }              (the coordinator reads that layer itself)
//
// This file has no imports so that `make single` can inline it; layer-worker.js (the module
// worker) and the single-file build each call serveLayer() with the core.

const LAYER_BYTES_EVERY_MS = 50;

/** `core` is the wasm-bindgen module ({ LayerFeed, RelayHashes, relay_chunk, gzip_inflatable,
 *  memory_bytes }); `start(module)` instantiates its wasm from the coordinator's
 *  WebAssembly.Module (may return a promise). `port` is what the messages come from and go to:
 *  the worker itself, or the coordinator's stand-in for a worker (it reads a file's layers
 *  itself, with the wasm it already has, when it starts no pool). */
export function serveLayer(core, start, port = self) {
  let ready = Promise.reject(new Error('no WebAssembly module was given to this layer worker'));
  ready.catch(() => {}); // reported with the first job
  port.onmessage = async ({ data: m }) => {
    if (m.module !== undefined) {
      ready = Promise.resolve().then(() => start(m.module));
      ready.catch(() => {});
      // The coordinator may have started this worker ahead of any file: it waits for this.
      ready.finally(() => port.postMessage({ type: 'ready' })).catch(() => {});
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
          port.postMessage({ type: 'bytes', done });
        }
      };
      const blob = m.file.slice(job.offset, job.offset + job.size);
      const read = { core, blob, jobJson: m.job, limits: m.limits, progress, native: m.inflate === 'native' && NATIVE_INFLATE, inflated: null };
      let result;
      let extra = [];
      if (m.part === 'relay') result = await relayLayer(read, m.port);
      else if (m.part === 'digests') [result, ...extra] = await hashRelayed(read, m.port);
      else result = await feedLayer(read, m.part);
      result = await result;
      // The wasm memory never shrinks: after the last job this is the worker's peak.
      port.postMessage({ type: 'result', result, extra, memory: core.memory_bytes(), inflated: read.inflated }, [result, ...extra].map((r) => r.buffer));
    } catch (e) {
      port.postMessage({ type: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  };
}

/** Whether this browser has its own gzip inflater (DecompressionStream, Chromium 80, Firefox 113,
 *  Safari 16.4). Alone it inflates faster than the core's, but in the page it barely gained
 *  here (docs/benchmarks.md). */
const NATIVE_INFLATE = typeof DecompressionStream === 'function';
/** A blob up to this size is also read whole and hashed by WebCrypto (native, and off this
 *  thread: the wasm sha256 is half of the work); a bigger one streams through the core's hasher
 *  (WebCrypto's digest is one-shot). Only in a secure context (https, localhost, file:). */
const WHOLE_MAX = 64 << 20;
/** Decompressed bytes pushed into the core at a time: the browser hands them out in pieces of
 *  tens of KiB, and each call into wasm costs. */
const BATCH = 512 << 10;

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

/** The blob of a job to read natively: { chunks (streamed, chunksOf), digest (a promise of its
 *  sha256 in hex from WebCrypto, when it is small enough to be read whole a second time — read
 *  and hashed by the browser while the stream is inflated here — else null: the core hashes
 *  it) }. */
function nativeSource(blob) {
  const subtle = globalThis.crypto?.subtle;
  let digest = null;
  if (subtle && blob.size <= WHOLE_MAX) {
    digest = blob.arrayBuffer().then((b) => subtle.digest('SHA-256', b)).then(hex);
    digest.catch(() => {});
  }
  return { chunks: chunksOf(blob), digest };
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The browser's gzip inflater between a blob's chunks and the core. `first` is the blob's first
 * chunk, `chunks` the rest (chunksOf); `blobChunk(bytes)` sees every chunk of the
 * blob, in order, before it is inflated (the caller hashes or counts it: the bytes may not be
 * transferred, the inflater still reads them); `take(bytes)` gets the decompressed stream in
 * batches of at most BATCH bytes (a buffer from `buffer()`, or a chunk of the browser's own when
 * it is big: `take` may keep or transfer it) and resolves with false to stop inflating (the
 * core stopped decoding at a limit or error: the blob is still read to its end, for its digest).
 * Resolves with true once the blob was read and inflated to its end (or stopped by `take`),
 * false if the browser refused the stream: a corrupt or truncated member, or a second member
 * (Chromium's DecompressionStream stops after the first: whatwg/compression#42), which the core
 * decides alone, from the first byte.
 */
async function inflateNatively(first, chunks, blobChunk, take, buffer) {
  const ds = new DecompressionStream('gzip');
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  let stopped = false; // by take(): not the browser's failure
  let batch = buffer();
  let fill = 0;
  const emit = async (bytes) => {
    if (!(await take(bytes))) {
      stopped = true;
      reader.cancel().catch(() => {});
    }
  };
  // Decompressed pieces, gathered into batches, while the blob is written in below.
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || stopped) break;
      if (!fill && value.length >= BATCH / 4) {
        await emit(value);
        continue;
      }
      for (let at = 0; at < value.length && !stopped;) {
        const n = Math.min(value.length - at, BATCH - fill);
        batch.set(value.subarray(at, at + n), fill);
        fill += n;
        at += n;
        if (fill === BATCH) {
          const full = batch;
          [batch, fill] = [buffer(), 0];
          await emit(full);
        }
      }
    }
    if (fill && !stopped) await emit(batch.subarray(0, fill));
  })();
  let refused = false;
  pump.catch(() => { refused = !stopped; });
  try {
    for (let value = first; value; value = await chunks.next()) {
      blobChunk(value);
      if (stopped || refused) {
        if (refused) break;
        continue; // read on for the blob's digest
      }
      try {
        await writer.ready;
        writer.write(value).catch(() => {});
      } catch {
        if (!stopped) refused = true;
      }
    }
    if (!stopped && !refused) await writer.close().catch(() => { refused = !stopped; });
    await pump;
  } catch {
    refused = !stopped;
  } finally {
    if (refused) {
      writer.abort().catch(() => {});
      reader.cancel().catch(() => {});
    }
  }
  return !refused;
}

/** The first chunk of `chunks`, if the browser may inflate the blob it starts (the core says
 *  so: gzip, with a whole header it accepts), else null. */
async function inflatableStart(core, chunks) {
  const first = await chunks.next();
  return first && core.gzip_inflatable(first.subarray(0, 256 << 10)) ? first : null;
}

/**
 * Part 'all' or 'digests' of a gzip layer inflated by the browser (inflateNatively): the core
 * (a LayerFeed taking the decompressed stream) hashes and walks what it gives; the blob is
 * hashed by WebCrypto when small, else by the core. Resolves with the result's bytes, or null
 * when the browser did not take the blob (not gzip, or it refused the stream): the caller reads
 * it again in the core, from its first byte.
 */
async function feedNative(r, part) {
  const { core, blob, jobJson, limits, progress } = r;
  const { chunks, digest } = nativeSource(blob);
  let feed = null;
  try {
    const first = await inflatableStart(core, chunks);
    if (!first) return null;
    feed = new core.LayerFeed(jobJson, limits, part, 'gzip');
    let done = 0;
    const reused = new Uint8Array(BATCH); // the core copies each batch in: one buffer serves all
    const ok = await inflateNatively(first, chunks, (bytes) => {
      done += bytes.length;
      progress(done);
      if (!digest) feed.push_blob(bytes);
    }, async (bytes) => feed.push(bytes), () => reused);
    if (!ok) {
      feed.free();
      r.inflated = 'restarted';
      return null;
    }
    if (digest) feed.blob_read(blob.size, await digest);
    const out = feed.finish();
    feed = null;
    return out;
  } catch (e) {
    feed?.free();
    throw e;
  } finally {
    chunks.cancel();
  }
}

/** Streams a layer job's blob into a new core.LayerFeed for part `part`, inflated by the
 *  browser where it can (feedNative) and by the core otherwise; resolves with the result's
 *  bytes. Records how it was inflated in `r.inflated`. `r.progress(done)` after each chunk. A
 *  stream that breaks rejects. */
async function feedLayer(r, part) {
  if (r.native) {
    const out = await feedNative(r, part);
    if (out) {
      r.inflated = 'native';
      return out;
    }
  }
  return feedCore(r, part);
}

/** Streams `r.blob` (a layer job's bytes) into a new core.LayerFeed, which decompresses it
 *  itself; resolves with the result's bytes. */
async function feedCore({ core, blob, jobJson, limits, progress }, part) {
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
 * Part 'relay': decompresses and walks the layer (core.LayerFeed, which inflates it: with the
 * browser's inflater on the same thread as the walk, the pair measured slower; docs/page.md) and
 * passes on over `port` to
 * the partner ('digests', hashRelayed) the decompressed bytes after every piece of
 * core.relay_chunk() blob bytes, which it hashes. The blob is hashed by whichever of the two is
 * less busy: its hasher (core.RelayHashes) moves as bytes — to the partner when it is about to
 * be idle (then the blob chunks follow it, their buffers transferred), back when it falls
 * behind (the chunks read meanwhile wait here) — and ends with the partner. Every message
 * carries `read`, the blob bytes it is from (the partner's progress). If one piece decompresses
 * to too much, the core stops relaying and the partner is told to read the layer itself.
 * Resolves with the result's bytes.
 */
async function relayLayer({ core, blob, jobJson, limits, progress }, port) {
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
 * too, with the browser's inflater where it can). Resolves with [result, ...extra].
 */
async function hashRelayed(r, port) {
  const { core, progress } = r;
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
  return [feedLayer(r, 'digests')];
}
