// The coordinator module worker: loads the wasm core (www/pkg, built by `make web`) next to
// this file, so the site works under any path, then hands it to worker-core.js with a way to
// start the pool's layer workers (layer-worker.js, module workers loading the same wasm).
import init, * as core from './pkg/porthole.js';
import { serve } from './worker-core.js';

serve(core, init(), () => new Worker(new URL('./layer-worker.js', import.meta.url), { type: 'module' }));
