// The coordinator worker: owns the wasm core and reads the File by slices
// (FileReaderSync inside the core), so the main thread never touches image bytes.
import init, { Session, version } from './pkg/porthole.js';

const ready = init();

self.onmessage = async (event) => {
  const { file } = event.data;
  await ready;
  let last = 0;
  const progress = (what, a, b) => {
    if (what === 'bytes') {
      const now = performance.now();
      if (now - last > 100 || a === b) {
        last = now;
        self.postMessage({ type: 'progress', done: a, total: b });
      }
    } else if (what === 'layer') {
      self.postMessage({ type: 'layer', image: a, layer: b });
    }
  };
  try {
    const session = Session.open(file, progress);
    const json = session.report_json();
    self.postMessage({ type: 'report', json, version: version() });
  } catch (e) {
    self.postMessage({ type: 'failed', message: String(e) });
  }
};
