// The keys and roots the user gives — PEM public keys (cosign.pub), PEM root certificates
// (Notation), sigstore's trusted_root.json — dropped, chosen or pasted, and the identity a
// keyless signature must come from. They are kept in this tab's memory only and handed to
// each inspection's worker, which decides what each file is (wasm trust_set) and checks the
// signatures; images already open are checked again when they change.
//
// Automation hooks (docs/page.md): input[type=file][data-input=trust] takes key and root
// files; body[data-trust] is none | set | error.
import { $ } from './views/dom.js';

/** Whether a dropped file is a key or root rather than an image or a database. */
export const isTrustFile = (file) => /\.(pub|pem|crt|cer)$|trusted_root.*\.json$/i.test(file.name);

/** The name the shipped trusted root goes by in reports and notes. */
const SHIPPED_ROOT = 'trusted_root.json (Sigstore public good, shipped with the page)';

export class TrustMaterial {
  /** `onChange()` is called each time the material changes. */
  constructor(onChange) {
    this.onChange = onChange;
    this.files = []; // [{ name, text }] the user gave
    this.shippedRoot = null; // { name, text }: sigstore/trusted_root.json beside the page
    this.config = null;
    this.version = 0; // increases with every change: an image checked with an older one is checked again
    this.show();
  }

  /** Loads the Sigstore public-good trusted root the site ships (`sigstore/trusted_root.json`,
   *  refreshed with scripts/sigstore-trusted-root.mjs), used unless the user gives one. */
  async loadShipped(embedded) {
    try {
      const text = embedded ? embedded.trustedRoot() : await (async () => {
        const res = await fetch(new URL('./sigstore/trusted_root.json', import.meta.url));
        return res.ok ? res.text() : null;
      })();
      if (text) {
        this.shippedRoot = { name: SHIPPED_ROOT, text };
        this.changed();
      }
    } catch { /* a site without it: keyless signatures need the user's root */ }
  }

  /** What an inspection's worker gets: { files, identity, issuer }, or undefined when nothing
   *  was given; `extra` files (the sample's demo key) count for that one image only. */
  forWorker(extra = []) {
    if (!extra.length) return this.config ?? undefined;
    const base = this.config ?? { files: [], identity: '', issuer: '' };
    return { ...base, files: base.files.concat(extra) };
  }

  async addFiles(files, label) {
    for (const f of files) this.files.push({ name: f.name, text: await f.text() });
    this.changed(label);
  }

  addText(name, text) {
    this.files.push({ name, text });
    this.changed();
  }

  clear() {
    this.files = [];
    this.changed();
  }

  changed(label) {
    const identity = $('trust-identity').value.trim();
    const issuer = $('trust-issuer').value.trim();
    // The shipped root comes first: a trusted root the user gives replaces it (the last wins).
    const files = (this.shippedRoot ? [this.shippedRoot] : []).concat(this.files);
    this.config = files.length || identity || issuer ? { files, identity, issuer } : null;
    this.version++;
    this.show(label);
    this.onChange();
  }

  /** What the worker took (`taken` = the core's answer) or why not. */
  report(taken, error) {
    if (error) {
      document.body.dataset.trust = 'error';
      $('trust-status').textContent = error;
      return;
    }
    if (!taken) return;
    const keys = taken.keys.map((k) => `${k.name} (${k.kind}, ${k.fingerprint.slice(0, 23)}…)`);
    const parts = [
      keys.length ? `keys: ${keys.join(', ')}` : '',
      taken.roots ? `${taken.roots} root certificate${taken.roots === 1 ? '' : 's'}` : '',
      taken.trusted_root ? `trusted root ${taken.trusted_root.name} (${taken.trusted_root.logs} logs, ${taken.trusted_root.authorities} authorities)` : '',
    ].filter(Boolean);
    $('trust-status').textContent = parts.length ? parts.join('; ') : 'None given.';
  }

  show(label) {
    document.body.dataset.trust = this.files.length ? 'set' : 'none';
    $('trust-status').textContent = this.files.length
      ? `${this.files.map((f) => f.name).join(', ')}${label ? ` (${label})` : ''}`
      : 'None given.';
    $('trust-clear').hidden = !this.files.length;
  }
}
