// The coordinator module worker: compiles the wasm core (www/pkg, built by `make web`, next to
// this file, so the site works under any path) and instantiates it, then hands it to
// worker-core.js with a way to start the pool's layer workers (layer-worker.js, module
// workers that instantiate the module compiled here: it is compiled once, not once per worker).
import init, * as core from './pkg/porthole.js';
import { serve } from './worker-core.js';

async function load() {
  const res = await fetch(new URL('./pkg/porthole_bg.wasm', import.meta.url));
  if (!res.ok) throw new Error(`failed to fetch Wasm: ${res.status} ${res.statusText} fetching '${res.url}'`);
  // Streaming compilation needs the wasm MIME type; a server that sends another gets the slow way.
  const module = /^application\/wasm\b/i.test(res.headers.get('content-type') ?? '')
    ? await WebAssembly.compileStreaming(res)
    : await WebAssembly.compile(await res.arrayBuffer());
  await init({ module_or_path: module });
  return module;
}

serve(core, load(), () => new Worker(new URL('./layer-worker.js', import.meta.url), { type: 'module' }));
