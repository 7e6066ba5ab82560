// "Browse a registry": its repositories (the catalog), then a repository's tags with what the
// registry says about each — the digest at once, the size, creation time and platforms as rows
// come into view (at most 6 requests for them under way). Long lists render a few hundred
// rows at a time. The core does the talking (BrowseWorker); everything shown is text.
import { el, size } from './dom.js';
import { BrowseWorker } from '../worker-client.js';

const CHUNK = 300; // rows rendered at a time
const PARALLEL = 6; // descriptions under way at once
const BATCH = 8; // tags per description

/** The browser of one registry. `open(reference, creds)` inspects a tag as "From a registry"
 *  does. Credentials live in this object (the page's memory) and in its worker, until reset. */
export class RegistryBrowser {
  constructor(root, open) {
    this.root = root;
    this.open = open;
    this.worker = null;
    this.observer = null;
    this.moreObservers = [];
    this.fromCatalog = false;
    this.view = 0; // which listing is shown: answers for an older one are dropped
  }

  /** Ends the worker (and with it the credentials and token) and clears the panel. */
  reset() {
    this.view++;
    this.worker?.close();
    this.worker = null;
    this.observer?.disconnect();
    for (const o of this.moreObservers.splice(0)) o.disconnect();
    this.creds = null;
    this.fromCatalog = false;
    this.root.replaceChildren();
    this.root.hidden = true;
  }

  /** Lists `target` (host[:port] or host[:port]/repo) with the credentials given. */
  async browse(target, username, password) {
    this.reset();
    this.worker = new BrowseWorker();
    this.creds = { username, password };
    this.root.hidden = false;
    await this.list(target.trim().replace(/\/+$/, ''));
  }

  status(text, cls = 'muted') {
    this.root.replaceChildren(el('p', { id: 'browse-status', class: cls, text }));
  }

  async list(target) {
    this.observer?.disconnect();
    const view = ++this.view;
    this.status(`Listing ${target}…`);
    const worker = this.worker;
    let listed;
    try {
      listed = await worker.list(target, this.creds.username, this.creds.password);
    } catch (e) {
      if (view !== this.view) return; // another listing (or a reset) meanwhile
      const m = e.message.trim();
      this.status(`${m.charAt(0).toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`, 'bad-text');
      this.root.firstChild.setAttribute('role', 'alert');
      return;
    }
    if (view !== this.view) return;
    for (const o of this.moreObservers.splice(0)) o.disconnect();
    // The registry with its scheme (a plain-http one off loopback needs it named again).
    if (listed.repository == null) this.repositories(listed.registry, listed.names);
    else this.tags(listed.registry, listed.repository, listed.names);
  }

  /** The catalog of `registry` (scheme://host[:port]): a filterable list; a click lists that
   *  repository's tags. */
  repositories(registry, names) {
    const host = registry.replace(/^https?:\/\//, '');
    this.fromCatalog = true;
    const list = el('ul', { id: 'browse-repos', class: 'browse-list' });
    const controls = this.controls(false, () => render());
    const shown = { n: CHUNK };
    const more = el('button', { type: 'button', class: 'button small', id: 'browse-more', onclick: () => { shown.n += CHUNK; render(); } });
    const render = () => {
      const q = controls.filter.value.trim().toLowerCase();
      let rows = names.filter((n) => n.toLowerCase().includes(q));
      if (controls.sort.value === 'name-desc') rows = [...rows].reverse();
      list.replaceChildren(...rows.slice(0, shown.n).map((n) => el('li', null,
        el('button', { type: 'button', class: 'link', dataset: { repo: n }, text: n, onclick: () => this.list(`${registry}/${n}`) }))));
      more.hidden = rows.length <= shown.n;
      more.textContent = `Show ${Math.min(CHUNK, rows.length - shown.n)} more of ${rows.length - shown.n}`;
      count.textContent = `${rows.length === names.length ? '' : `${rows.length} of `}${names.length} repositor${names.length === 1 ? 'y' : 'ies'} in ${host}`;
    };
    const count = el('p', { id: 'browse-status', class: 'muted' });
    this.root.replaceChildren(count, controls.node, list, more);
    this.autoMore(more);
    render();
  }

  /** A repository's tags: digests at once, the rest as rows come into view. */
  tags(registry, repo, names) {
    const host = registry.replace(/^https?:\/\//, '');
    const target = `${registry}/${repo}`;
    const shownName = `${host}/${repo}`;
    const infos = new Map(names.map((t) => [t, { tag: t }]));
    const rows = new Map();
    const queue = [];
    let running = 0;
    const controls = this.controls(true, () => render());
    const body = el('tbody');
    const table = el('table', { id: 'browse-tags', class: 'data' },
      el('thead', null, el('tr', null, ...['Tag', 'Digest', 'Size', 'Created', 'Platforms', 'Labels', ''].map((h) => el('th', { text: h })))), body);
    const shown = { n: CHUNK };
    const more = el('button', { type: 'button', class: 'button small', id: 'browse-more', onclick: () => { shown.n += CHUNK; render(); } });
    const count = el('p', { id: 'browse-status', class: 'muted' });
    const back = this.fromCatalog
      ? el('button', { type: 'button', class: 'link', id: 'browse-back', text: `← all repositories of ${host}`, onclick: () => this.list(registry) })
      : null;
    const worker = this.worker;
    const view = this.view;
    const current = () => view === this.view;
    const observer = new IntersectionObserver((seen) => {
      for (const s of seen) if (s.isIntersecting) want(s.target.dataset.tag);
    });
    this.observer?.disconnect();
    this.observer = observer;

    const want = (tag) => {
      const info = infos.get(tag);
      if (!info || info.asked || !current()) return;
      info.asked = true;
      queue.push(tag);
      pump();
    };
    const pump = () => {
      // A listing left behind asks for nothing more.
      while (current() && running < PARALLEL && queue.length) {
        const batch = queue.splice(0, BATCH);
        running++;
        worker.describe(target, batch, true).then((r) => {
          for (const t of r.tags) infos.set(t.tag, { ...t, asked: true, described: true });
        }, (e) => {
          for (const t of batch) infos.set(t, { tag: t, asked: true, described: true, error: e.message });
        }).finally(() => {
          running--;
          if (!current()) return;
          for (const t of batch) fill(t);
          if (controls.sort.value === 'date') render();
          pump();
        });
      }
    };
    const fill = (tag) => {
      const row = rows.get(tag);
      const t = infos.get(tag);
      if (!row || !t) return;
      const cells = row.children;
      cells[1].replaceChildren(t.digest ? el('code', { text: t.digest }) : t.error ? el('span', { class: 'bad-text', text: t.error }) : '…');
      cells[2].textContent = t.size != null ? size(t.size) : t.described ? '—' : '';
      if (t.size != null) cells[2].title = `${t.size} bytes (config and layers, compressed)`;
      cells[3].textContent = t.created ?? (t.described ? '—' : '');
      cells[4].textContent = t.platforms?.length ? t.platforms.join(', ') : (t.described ? '—' : '');
      const labels = Object.entries(t.labels ?? {}).map(([k, v]) => `${k}=${v}`);
      cells[5].textContent = labels.length ? labels.join('\n') : (t.described ? '—' : '');
      row.dataset.described = String(!!t.described);
    };
    const render = () => {
      const q = controls.filter.value.trim().toLowerCase();
      let list = names.filter((n) => n.toLowerCase().includes(q));
      const sort = controls.sort.value;
      if (sort === 'name-desc') list = [...list].reverse();
      if (sort === 'date') {
        for (const n of list) want(n); // every date is needed to sort by it
        const at = (n) => infos.get(n)?.created ?? '';
        list = [...list].sort((a, b) => (at(b) > at(a) ? 1 : at(b) < at(a) ? -1 : 0));
      }
      observer.disconnect();
      body.replaceChildren(...list.slice(0, shown.n).map((n) => {
        let row = rows.get(n);
        if (!row) {
          // Loopback and https need no scheme (the references' rule); plain http elsewhere does.
          const reference = `${/^https:|^http:\/\/(localhost|127\.0\.0\.1)[:/]/.test(registry) ? shownName : target}:${n}`;
          row = el('tr', { dataset: { tag: n } },
            el('td', null, el('code', { text: n })), el('td'), el('td', { class: 'num' }), el('td'), el('td'), el('td', { class: 'labels' }),
            el('td', null, el('button', { type: 'button', class: 'button small', dataset: { action: 'inspect-tag' }, text: 'Inspect', onclick: () => this.open(reference, this.creds) })));
          rows.set(n, row);
          fill(n);
        }
        observer.observe(row);
        return row;
      }));
      more.hidden = list.length <= shown.n;
      more.textContent = `Show ${Math.min(CHUNK, list.length - shown.n)} more of ${list.length - shown.n}`;
      const known = [...infos.values()].filter((t) => t.described).length;
      count.textContent = `${list.length === names.length ? '' : `${list.length} of `}${names.length} tag${names.length === 1 ? '' : 's'} in ${shownName}${sort === 'date' && known < names.length ? ` — dates of ${known} known so far` : ''}`;
    };
    this.root.replaceChildren(...[back, count, controls.node, table, more].filter(Boolean));
    this.autoMore(more);
    render();
  }

  /** The filter and sort controls. */
  controls(dates, changed) {
    const filter = el('input', { type: 'search', id: 'browse-filter', placeholder: 'Filter', 'aria-label': 'Filter by name', spellcheck: 'false', oninput: changed });
    const sort = el('select', { id: 'browse-sort', 'aria-label': 'Sort', onchange: changed },
      el('option', { value: 'name', text: 'Name, A–Z' }),
      el('option', { value: 'name-desc', text: 'Name, Z–A' }),
      dates ? el('option', { value: 'date', text: 'Newest first' }) : null);
    return { node: el('div', { class: 'browse-controls' }, filter, sort), filter, sort };
  }

  /** Shows the next rows when the "more" button scrolls into view. */
  autoMore(button) {
    const o = new IntersectionObserver((seen) => {
      if (seen.some((s) => s.isIntersecting) && !button.hidden) button.click();
    });
    o.observe(button);
    this.moreObservers.push(o);
  }
}
