// The coordinator worker's logic, one worker per opened file. It runs the wasm core, which
// reads the File by slices (FileReaderSync, only allowed in a worker), owns the full report and
// the merged file tree, and answers the page's questions one at a time. The page only receives
// a slim report (no per-file list) and asks for directories as they are opened, so an image
// with 100k files never crosses to the main thread whole.
//
// A registry image is fetched here too: the core says which GET to send next (ping, token,
// manifests, config, layers), this worker sends it with fetch() and streams each answer's body
// into the core as it arrives, so no blob is ever held whole. Credentials arrive with the
// request, live in the core's fetch object until it finishes, and are never posted back.
//
// This file has no imports so that `make single` can inline it into a blob: worker; worker.js
// (the module worker) and the single-file build each call serve() with the loaded core.

const BYTES_EVERY_MS = 100; // the core reports every MiB; the page needs ~10 updates a second

/** `core` is the wasm-bindgen module ({ Session, RegistryFetch, version, memory_bytes });
 *  `ready` settles when its wasm is instantiated. */
export function serve(core, ready) {
  let session = null;
  let reportText = null;
  ready.catch(() => {}); // reported to the page on the first message, not as an unhandled rejection

  const post = (msg, transfer) => self.postMessage(msg, transfer || []);

  /** Progress from the core: `(event, a, b, detail)`. `bytes` events are passed on unless
   *  `ownBytes` (a registry fetch counts the bytes it receives itself). */
  function progressTo(ownBytes) {
    let lastBytes = 0;
    return (event, a, b, detail) => {
      if (event === 'bytes') {
        if (ownBytes) return;
        const now = performance.now();
        if (now - lastBytes >= BYTES_EVERY_MS || a === b) {
          lastBytes = now;
          post({ type: 'bytes', done: a, total: b });
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
    // The CLI prints the report followed by a newline; keep the export byte-identical.
    reportText = session.report_json() + '\n';
    const report = JSON.parse(reportText);
    // The per-file list can be huge: the page gets counts and asks for directories instead.
    const fileRecords = report.images.map((img) => img.files.length);
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
      ...extra,
    });
  }

  function open(file) {
    const t0 = performance.now();
    finished(core.Session.open(file, progressTo(false)), t0, file.size);
  }

  /** Fetches `m.reference` from its registry: { reference, username, password, platform }. */
  async function fetchImage(m) {
    const t0 = performance.now();
    const f = new core.RegistryFetch(m.reference, m.username, m.password, m.platform, progressTo(true));
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
    report: () => new Blob([reportText], { type: 'application/json' }),
    // The SBOM of one image as `porthole sbom --format FORMAT` prints it; the core has no
    // clock, so the page gives the creation time (seconds since the epoch).
    sbom: (m) => `${session.sbom(m.image, m.format, m.created)}\n`,
    memory: () => core.memory_bytes(),
  };

  self.onmessage = async ({ data: m }) => {
    try {
      await ready;
    } catch (e) {
      post({ type: 'failed', message: 'The inspection engine (WebAssembly) could not be started.', detail: String(e) });
      return;
    }
    if (m.op === 'open') {
      try {
        open(m.file);
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
      if (!session) throw new Error('no file has been inspected');
      const value = ops[m.op](m);
      post({ id: m.id, ok: true, value }, value instanceof Uint8Array ? [value.buffer] : []);
    } catch (e) {
      post({ id: m.id, ok: false, error: errorText(e) });
    }
  };
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
