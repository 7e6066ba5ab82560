// Progress from a coordinator worker to the page: the core's events as messages, at most about
// ten a second.

export const BYTES_EVERY_MS = 100; // the core reports every MiB; the page needs ~10 updates a second

/** Progress from the core: `(event, a, b, detail)`, posted with `post`. `bytes` events are
 *  passed on unless `ownBytes` (a registry fetch counts the bytes it receives itself); `before`
 *  bytes were already read by the layer workers (the core counts only what it reads itself),
 *  and `floor` were shown (never go back below them, even after a worker failed). */
export function progressTo(post, ownBytes, before = 0, floor = 0) {
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
