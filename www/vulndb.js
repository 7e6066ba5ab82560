// The page's vulnerability database: OSV files the user chooses or drops, or the database the
// host placed beside the page (vulndb/index.json). They are read in a worker into an index
// (worker-client.js indexVulnDb); each image opened afterwards is matched against it in its
// own worker, and images already open are matched again. The files stay Blobs in this tab;
// nothing is sent anywhere.
//
// Automation hooks (docs/page.md): body[data-vulndb] is none | loading | ready | error;
// input[type=file][data-input=vulndb] takes database files (several at once).
import { $, int, size } from './views/dom.js';
import { indexVulnDb } from './worker-client.js';

/** Whether a dropped file is a database (zip or JSON) rather than an image. */
export const isDatabaseFile = (file) => /\.(zip|json)$/i.test(file.name);

export class VulnDatabase {
  /** `onReady()` is called each time a database becomes ready. */
  constructor(onReady) {
    this.onReady = onReady;
    this.state = 'none';
    this.db = null; // { files, names, index }
    this.stats = null;
    this.label = '';
    this.generation = 0;
    this.show();
  }

  /** What an inspection's worker needs: { files, names, index }, or undefined (not ready). */
  forWorker() {
    return this.state === 'ready' ? this.db : undefined;
  }

  /** The database in words: "2,661 advisories (PyPI 2,661) from all.zip, newest 2024-10-10". */
  text() {
    const s = this.stats;
    if (!s) return 'none';
    const ecos = Object.entries(s.ecosystems).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([e, n]) => `${e} ${int(n)}`).join(', ');
    const newest = s.newest_modified ? `, newest ${s.newest_modified.slice(0, 10)}` : '';
    const skipped = s.skipped ? `; ${int(s.skipped)} could not be read` : '';
    return `${int(s.records)} advisories (${ecos || 'no packages'}) from ${this.label}${newest}${skipped}`;
  }

  /** Reads `files` (Files, or Blobs named by `names`) as the database, replacing any other;
   *  `saved`: the index `porthole db index` wrote for them, if the host provides one. */
  async load(files, names = files.map((f) => f.name), label = names.join(', '), saved = undefined) {
    const generation = ++this.generation;
    this.state = 'loading';
    this.label = label;
    const bar = $('vulndb-progress');
    const total = files.reduce((n, f) => n + f.size, 0);
    const before = files.map((_, i) => files.slice(0, i).reduce((n, f) => n + f.size, 0));
    this.show(`Reading ${label} (${size(total)})…`);
    bar.hidden = false;
    bar.value = 0;
    try {
      const { stats, index } = await indexVulnDb(files, names, (done, _total, file) => {
        if (generation === this.generation) bar.value = (before[file] + done) / (total || 1);
      }, saved);
      if (generation !== this.generation) return;
      if (!stats.records) throw new Error(stats.errors[0]?.message ?? 'no OSV record could be read from these files');
      this.db = { files, names, index };
      this.stats = stats;
      this.state = 'ready';
      this.show();
      this.onReady();
    } catch (e) {
      if (generation !== this.generation) return;
      this.state = 'error';
      this.db = null;
      this.stats = null;
      this.show(`${label} could not be read: ${e.message}`);
    } finally {
      if (generation === this.generation) bar.hidden = true;
    }
  }

  /** The database the host placed beside the page: vulndb/index.json lists its files (paths
   *  relative to it, this origin only) and, optionally, the index `porthole db index` wrote
   *  (`{"files": [...], "index": "porthole-index.bin"}`). No vulndb/index.json (404) or a page
   *  opened from disk: nothing. */
  async loadHosted() {
    if (location.protocol === 'file:' || globalThis.portholeEmbedded) return;
    let list;
    try {
      const base = new URL('./vulndb/', import.meta.url);
      const res = await fetch(new URL('index.json', base), { credentials: 'same-origin' });
      if (!res.ok) return;
      const doc = await res.json();
      const paths = Array.isArray(doc) ? doc : doc.files;
      list = paths.map((p) => new URL(String(p), base)).filter((u) => u.origin === location.origin);
      if (!list.length || this.state !== 'none') return;
      const generation = this.generation;
      this.state = 'loading';
      this.show('Fetching the database this site provides…');
      const blobs = await Promise.all(list.map(async (u) => {
        const r = await fetch(u, { credentials: 'same-origin' });
        if (!r.ok) throw new Error(`${u.pathname} answered ${r.status}`);
        return r.blob();
      }));
      const names = list.map((u) => decodeURIComponent(u.pathname.slice(base.pathname.length)));
      // The index `porthole db index` wrote, if the host listed it: no record is read here.
      let saved;
      const indexUrl = doc.index && new URL(String(doc.index), base);
      if (indexUrl && indexUrl.origin === location.origin) {
        const r = await fetch(indexUrl, { credentials: 'same-origin' });
        if (r.ok) saved = new Uint8Array(await r.arrayBuffer());
      }
      // The user chose a database while these were downloading: theirs stays.
      if (generation !== this.generation) return;
      await this.load(blobs, names, 'this site', saved);
    } catch (e) {
      if (!list) return; // no usable index: as if none
      this.state = 'error';
      this.show(`The database this site provides could not be read: ${e.message}`);
    }
  }

  show(text) {
    document.body.dataset.vulndb = this.state;
    $('vulndb-status').textContent = text ?? (this.state === 'ready' ? `${this.text()}.` : 'None loaded.');
  }
}
