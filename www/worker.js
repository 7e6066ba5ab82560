// The coordinator module worker: loads the wasm core (www/pkg, built by `make web`) next to
// this file, so the site works under any path, then hands it to worker-core.js.
import init, * as core from './pkg/porthole.js';
import { serve } from './worker-core.js';

serve(core, init());
