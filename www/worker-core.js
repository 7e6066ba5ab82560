// The coordinator worker's logic, one worker per opened file. It runs the wasm core, which
// reads the File by slices (FileReaderSync, only allowed in a worker), owns the full report and
// the merged file tree, and answers the page's questions one at a time. The page only receives
// a slim report (no per-file list) and asks for directories as they are opened, so an image
// with 100k files never crosses to the main thread whole.
//
// This file has no imports so that `make single` can inline it into a blob: worker; worker.js
// (the module worker) and the single-file build each call serve() with the loaded core.

const BYTES_EVERY_MS = 100; // the core reports every MiB; the page needs ~10 updates a second

/** `core` is the wasm-bindgen module ({ Session, version, memory_bytes }); `ready` settles when
 *  its wasm is instantiated. */
export function serve(core, ready) {
  let session = null;
  let reportText = null;
  ready.catch(() => {}); // reported to the page on the first message, not as an unhandled rejection

  const post = (msg, transfer) => self.postMessage(msg, transfer || []);

  function open(file) {
    const t0 = performance.now();
    let lastBytes = 0;
    const progress = (event, a, b, detail) => {
      if (event === 'bytes') {
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
    session = core.Session.open(file, progress);
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
      size: file.size,
      memory: core.memory_bytes(),
      version: core.version(),
    });
  }

  // Requests after the inspection: { id, op, ...args } → { id, ok, value | error }.
  const ops = {
    list: (m) => JSON.parse(session.list_dir(m.image, m.path, m.showDeleted, m.changedIn)),
    search: (m) => JSON.parse(session.search(m.image, m.query, m.showDeleted, m.changedIn, m.limit)),
    read: (m) => session.read_file(m.image, m.version, m.offset, m.len),
    report: () => new Blob([reportText], { type: 'application/json' }),
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
