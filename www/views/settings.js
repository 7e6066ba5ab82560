// Settings: how many layer workers read a tarball, and the core's limits. Kept in this tab's
// memory only (nothing is stored); they apply to the files opened and images fetched after a
// change. The limits and their defaults come from the core itself (limits_json(), asked of a
// short-lived worker when the panel is first opened, so a page that never opens it loads
// nothing more); only the values the user changed are sent, as a JSON object ({"layers": 1}).
//
// Automation hooks: #settings (a <details>), input[name=workers], input[data-limit=NAME]
// (one per limit, its value the default until changed), [data-action="reset-limits"].
import { el, $, int, size } from './dom.js';
import { askCore } from '../worker-client.js';

const MAX_WORKERS = 16;

/** Below this many bytes of layers the default pool is not started: starting layer workers
 *  costs more than reading a small image in one worker. Each instantiates the module the
 *  coordinator compiled (no fetch, no compile of its own): measured on a small image, a pool
 *  of two adds ~0.15 s, of three ~0.2–0.3 s, from http and file:// alike (from file:// it was
 *  ~1 s when each worker decoded and compiled the wasm itself, hence the 32 MiB before). One
 *  worker reads ~40 MB/s, so several layers gain from ~16 MB on; a layer bigger than all the
 *  others together, split in two halves (each ~55 MB/s), gains less, from ~30 MB on: the
 *  coordinator asks for twice this many bytes then (32 MiB, as before). A number of workers
 *  set by hand (the field, or ?workers=N) is used whatever the size. */
export const AUTO_POOL_MIN_BYTES = 16 << 20;

/** The number of layer workers when nothing says otherwise: one per core, at most 4 (more
 *  rarely helps: the disk and the coordinator's assembly become the limit). */
export const defaultWorkers = () => Math.min(navigator.hardwareConcurrency || 2, 4);

/** A whole number from a form field, or null. */
function whole(text, max = Number.MAX_SAFE_INTEGER) {
  const t = String(text).trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n <= max ? n : null;
}

export class Settings {
  constructor() {
    this.panel = $('settings');
    this.workersInput = $('settings-workers');
    this.list = null; // [{ name, default, what }] once loaded
    this.inputs = new Map(); // limit name → input
    // ?workers=N (benchmarks, tests) sets the starting value; the field can change it.
    const asked = whole(new URLSearchParams(globalThis.location?.search ?? '').get('workers') ?? '');
    this.workersInput.max = String(MAX_WORKERS);
    this.workersInput.placeholder = String(defaultWorkers());
    this.workersInput.value = String(asked && asked >= 1 ? Math.min(asked, MAX_WORKERS) : defaultWorkers());
    this.explicit = Boolean(asked && asked >= 1); // chosen, not the default: no size threshold
    $('settings-workers-default').textContent = `default ${defaultWorkers()} (this device's cores, at most 4)`;
    this.workersInput.addEventListener('input', () => {
      this.explicit = true;
      this.check(this.workersInput, whole(this.workersInput.value, MAX_WORKERS) >= 1);
    });
    this.panel.addEventListener('toggle', () => { if (this.panel.open) this.load(); });
    $('settings-reset').addEventListener('click', () => this.reset());
    this.summarize();
  }

  /** Layer workers for the next tarball (1: the coordinator reads every layer itself). */
  workers() {
    const n = whole(this.workersInput.value, MAX_WORKERS);
    return n && n >= 1 ? n : defaultWorkers();
  }

  /** Who inflates gzip layers: 'native' (the browser's DecompressionStream, where it has one
   *  and takes the layer; the core otherwise) or 'wasm' (always the core: ?inflate=wasm, for
   *  benchmarks and tests). */
  inflate() {
    return new URLSearchParams(globalThis.location?.search ?? '').get('inflate') === 'wasm' ? 'wasm' : 'native';
  }

  /** The layer bytes below which no pool is started: AUTO_POOL_MIN_BYTES for the default
   *  number of workers, 0 for a number chosen by hand. */
  poolMinBytes() {
    return this.explicit ? 0 : AUTO_POOL_MIN_BYTES;
  }

  /** The limits the user changed, as JSON text (`{"layers":1}`), or undefined for none. */
  limitsJson() {
    const changed = {};
    for (const l of this.list ?? []) {
      const n = whole(this.inputs.get(l.name).value);
      if (n != null && n !== l.default) changed[l.name] = n;
    }
    return Object.keys(changed).length ? JSON.stringify(changed) : undefined;
  }

  check(input, ok) {
    if (ok || input.value.trim() === '') input.removeAttribute('aria-invalid');
    else input.setAttribute('aria-invalid', 'true');
    this.summarize();
  }

  /** What differs from the defaults, next to the panel's title. */
  summarize() {
    const changed = this.limitsJson();
    const n = changed ? Object.keys(JSON.parse(changed)).length : 0;
    const workers = this.workers();
    const parts = [workers === 1 ? 'one worker reads every layer' : `up to ${workers} layer workers`];
    if (n) parts.push(`${n} ${n === 1 ? 'limit' : 'limits'} changed`);
    $('settings-summary').textContent = parts.join(', ');
    $('settings-reset').disabled = !n;
  }

  async load() {
    if (this.list || this.loading) return;
    this.loading = true;
    const box = $('settings-limits');
    box.replaceChildren(el('p', { class: 'muted', text: 'Reading the limits from the inspection engine…' }));
    try {
      this.list = await askCore('limits');
    } catch (e) {
      box.replaceChildren(el('p', { class: 'read-error', text: `The limits could not be read: ${e.message}` }));
      return;
    } finally {
      this.loading = false;
    }
    box.replaceChildren(el('table', { class: 'limits' },
      el('thead', null, el('tr', null, ['limit', 'value', 'default', 'caps'].map((t) => el('th', { text: t })))),
      el('tbody', null, this.list.map((l) => {
        const bytes = l.name.endsWith('_bytes');
        const input = el('input', {
          type: 'number', min: '0', step: '1', inputmode: 'numeric', value: String(l.default), id: `limit-${l.name}`,
          dataset: { limit: l.name }, 'aria-describedby': `limit-${l.name}-what`,
        });
        input.addEventListener('input', () => this.check(input, whole(input.value) != null));
        this.inputs.set(l.name, input);
        return el('tr', { dataset: { limitRow: l.name } },
          el('th', null, el('label', { for: `limit-${l.name}` }, el('code', { text: l.name }))),
          el('td', null, input, el('span', { class: 'muted', text: bytes ? ' bytes' : '' })),
          el('td', { class: 'num', dataset: { default: String(l.default) }, text: bytes ? `${int(l.default)} (${size(l.default)})` : int(l.default) }),
          el('td', { id: `limit-${l.name}-what`, text: l.what }));
      }))));
    this.summarize();
  }

  reset() {
    for (const l of this.list ?? []) {
      const input = this.inputs.get(l.name);
      input.value = String(l.default);
      input.removeAttribute('aria-invalid');
    }
    this.summarize();
  }
}
