// A layer worker of the pool (see layer-core.js): loads the wasm core (www/pkg) next to this
// file, like worker.js, then serves layer jobs from the coordinator worker that started it.
import init, * as core from './pkg/porthole.js';
import { serveLayer } from './layer-core.js';

serveLayer(core, init());
