// A layer worker of the pool (see layer-core.js): imports the wasm-bindgen glue (www/pkg) next
// to this file and instantiates the wasm from the module its coordinator compiled (worker.js),
// then serves layer jobs from it.
import init, * as core from './pkg/porthole.js';
import { serveLayer } from './layer-core.js';

serveLayer(core, (module) => init({ module_or_path: module }));
