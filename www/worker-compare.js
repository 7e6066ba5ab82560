// "Compare" in a worker of its own: the core (Comparison) inspects both files with every file
// hashed and compares them as `porthole diff --json` does; the worker keeps both, so that the
// two versions of a changed text file can be diffed on demand, 64 KiB at a time.

/** The compare operations of a worker, with the wasm `core`; `post` sends progress. */
export function compareOps(core, post) {
  let comparison = null;
  return {
    /** { a, b (Files), limits, semantic, vulndb } → { text (the JSON of docs/diff.md, as the CLI
     *  prints it), ms }. */
    'compare-open': (m) => {
      comparison?.free();
      comparison = null;
      if (m.vulndb) core.vuln_db_import(m.vulndb.files, m.vulndb.names, m.vulndb.index);
      const t0 = performance.now();
      let side = 0;
      let last = 0;
      comparison = core.Comparison.open(m.a, m.b, (event, x, y) => {
        if (event === 'side') side = x;
        if (event !== 'bytes') return;
        const now = performance.now();
        if (now - last < 100 && x !== y) return;
        last = now;
        post({ type: 'compare-progress', side, done: x, total: y });
      }, m.limits, !!m.semantic);
      return { text: comparison.diff_json(), ms: performance.now() - t0 };
    },
    /** { path, at (where the piece starts, from the last piece's `next`; none: the start),
     *  len } → { diff: { binary, unaligned, hunks }, next, done }. */
    'compare-lines': (m) => {
      if (!comparison) throw new Error('nothing has been compared');
      return JSON.parse(comparison.line_diff(m.path, m.at ? JSON.stringify(m.at) : '', m.len));
    },
  };
}
