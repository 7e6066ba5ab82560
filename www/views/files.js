// Files: a virtualized tree of the merged filesystem. Directories are listed by the worker when
// they are opened (never the whole tree at once), and only the rows in view exist in the DOM
// (a fixed pool of row elements is moved and refilled while scrolling), so a directory with
// 100k entries scrolls as smoothly as one with ten. Clicking a file shows its metadata and a
// preview read from the tarball on demand. A registry image's file contents are not kept (its
// blobs streamed through once), so its files show metadata and the core's explanation.
import { el, $, int, size, bytes, modeString, octal, time, saveBlob } from './dom.js';

const ROW_H = 26; // px; must match .tree .row height in style.css
const OVERSCAN = 8;
const SEARCH_LIMIT = 5000;
const PREVIEW_BYTES = 64 * 1024;
const DOWNLOAD_CHUNK = 64 * 1024 * 1024; // each read walks the layer again; bounded wasm memory
const AUTO_EXPAND_ROWS = 300; // with a layer filter, open directories until this many rows
const SEEK_LINE_BYTES = 1 << 20; // openPath(…, { line }) reads ahead this far to find the line

const READABLE = new Set(['file', 'hardlink']);

export class FilesView {
  constructor() {
    this.tree = $('tree');
    this.spacer = this.tree.querySelector('.tree-spacer');
    this.details = $('file-details');
    this.searchBox = $('files-search');
    this.layerSelect = $('files-layer');
    this.deletedBox = $('files-deleted');
    this.status = $('files-status');
    this.pool = [];
    this.rows = [];
    this.expanded = new Set();
    this.active = -1;
    this.generation = 0;
    this.client = null;

    this.tree.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(this.tree);
    this.tree.addEventListener('click', (e) => this.click(e));
    this.tree.addEventListener('keydown', (e) => this.key(e));
    this.deletedBox.addEventListener('change', () => this.reload());
    this.layerSelect.addEventListener('change', () => this.reload());
    let timer = 0;
    this.searchBox.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.reload(), 200);
    });
  }

  /** Shows image `image` of an inspected file (`img` is its slim report entry);
   *  `opts.registry`: fetched from a registry, so file contents cannot be read back. */
  show(client, image, img, opts = {}) {
    this.client = client;
    this.image = image;
    this.registry = Boolean(opts.registry);
    this.selectedPath = null;
    this.searchBox.value = '';
    this.deletedBox.checked = false;
    this.layerSelect.replaceChildren(
      el('option', { value: '-1', text: 'any layer' }),
      ...img.layers.map((l) => el('option', { value: String(l.index), text: `layer ${l.index}` })));
    this.layerSelect.value = '-1';
    this.details.replaceChildren(el('p', { class: 'muted', text: 'Select a file to see its metadata and a preview of its contents.' }));
    this.expanded.clear();
    this.reload();
  }

  /** Opens the view filtered to the paths layer `layer` added, changed or deleted. */
  showLayer(layer) {
    this.searchBox.value = '';
    this.layerSelect.value = String(layer);
    this.reload();
  }

  /**
   * Opens the tree at `path` (its directories expanded, "show deleted files" on if the file was
   * deleted), selects it and shows the version from layer `layer` (the one a secret was found
   * in, even if a later layer replaced it), its preview scrolled to line `line`.
   */
  async openPath(path, { layer, line } = {}) {
    if (!this.client) return;
    const client = this.client;
    let version = null;
    try {
      const versions = await client.versions(this.image, path);
      version = versions.find((n) => n.layer === layer && n.version != null) ?? versions[versions.length - 1] ?? null;
    } catch (e) {
      this.status.textContent = `Could not find ${path}: ${e.message}`;
      return;
    }
    if (client !== this.client) return;
    this.searchBox.value = '';
    this.layerSelect.value = '-1';
    // Only a deleted path needs "show deleted files" (a replaced one is listed as its newer self).
    if (version && !version.visible && version.overwritten_in == null) this.deletedBox.checked = true;
    const parts = path.split('/').filter(Boolean);
    for (let k = 1; k < parts.length; k++) this.expanded.add(`/${parts.slice(0, k).join('/')}`);
    await this.reload();
    if (client !== this.client) return;
    const i = this.rows.findIndex((r) => r.node.path === path);
    if (i < 0) {
      this.status.textContent = `${path} is not in the merged filesystem.`;
      return;
    }
    this.active = i;
    this.tree.scrollTop = Math.max(0, i * ROW_H - this.tree.clientHeight / 3);
    this.select(i, { version, line });
    this.tree.focus({ preventScroll: true });
  }

  filter() {
    return { showDeleted: this.deletedBox.checked, changedIn: Number(this.layerSelect.value) };
  }

  /** Lists the root again (a filter or search changed), reopening the directories that were open. */
  async reload() {
    if (!this.client) return;
    const gen = ++this.generation;
    const query = this.searchBox.value.trim();
    this.tree.setAttribute('aria-busy', 'true');
    try {
      if (query) {
        const res = await this.client.search(this.image, query, this.filter(), SEARCH_LIMIT);
        if (gen !== this.generation) return;
        this.setRows(res.nodes.map((node) => ({ node, depth: 0, flat: true })));
        this.status.textContent = res.total > res.nodes.length
          ? `${int(res.total)} paths match; showing the first ${int(res.nodes.length)}`
          : `${int(res.total)} ${res.total === 1 ? 'path matches' : 'paths match'}`;
        return;
      }
      const nodes = await this.client.list(this.image, '/', this.filter());
      if (gen !== this.generation) return;
      this.setRows(nodes.map((node) => ({ node, depth: 0 })));
      this.status.textContent = '';
      // Reopen what was open, outermost first (a path only reappears once its parent is open).
      const open = [...this.expanded].sort((a, b) => a.split('/').length - b.split('/').length);
      this.expanded.clear();
      for (const path of open) {
        const i = this.rows.findIndex((r) => r.node.path === path);
        if (i >= 0) await this.expand(i, gen);
        if (gen !== this.generation) return;
      }
      if (this.filter().changedIn >= 0) await this.autoExpand(gen);
      if (!this.rows.length) this.status.textContent = 'No paths match this filter.';
    } catch (e) {
      if (gen === this.generation) this.status.textContent = `Could not list the files: ${e.message}`;
    } finally {
      if (gen === this.generation) this.tree.removeAttribute('aria-busy');
    }
  }

  /** With a layer filter the tree is mostly directories leading to a few changes: open them. */
  async autoExpand(gen) {
    for (let i = 0; i < this.rows.length && this.rows.length < AUTO_EXPAND_ROWS; i++) {
      const r = this.rows[i];
      if (r.node.has_children && !r.expanded) await this.expand(i, gen);
      if (gen !== this.generation) return;
    }
  }

  setRows(rows) {
    this.rows = rows;
    this.active = rows.length ? 0 : -1;
    this.tree.scrollTop = 0;
    this.render();
  }

  async expand(i, gen = this.generation) {
    const row = this.rows[i];
    if (!row || row.flat || row.expanded || row.loading || !row.node.has_children) return;
    row.loading = true;
    this.render();
    try {
      const nodes = await this.client.list(this.image, row.node.path, this.filter());
      if (gen !== this.generation) return;
      const at = this.rows.indexOf(row); // earlier expansions may have moved it
      if (at < 0) return;
      row.expanded = true;
      this.expanded.add(row.node.path);
      const children = nodes.map((node) => ({ node, depth: row.depth + 1 }));
      // splice() with 100k arguments would overflow the stack: rebuild the array instead.
      this.rows = this.rows.slice(0, at + 1).concat(children, this.rows.slice(at + 1));
    } catch (e) {
      this.status.textContent = `Could not list ${row.node.path}: ${e.message}`;
    } finally {
      row.loading = false;
      this.render();
    }
  }

  collapse(i) {
    const row = this.rows[i];
    if (!row || !row.expanded) return;
    let end = i + 1;
    while (end < this.rows.length && this.rows[end].depth > row.depth) end++;
    for (const r of this.rows.slice(i + 1, end)) this.expanded.delete(r.node.path);
    this.rows = this.rows.slice(0, i + 1).concat(this.rows.slice(end));
    row.expanded = false;
    this.expanded.delete(row.node.path);
    if (this.active > i) this.active = i;
    this.render();
  }

  toggle(i) {
    if (this.rows[i]?.expanded) this.collapse(i);
    else this.expand(i);
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Draws the rows in view (plus a few) from the pool; the spacer gives the full height. */
  render() {
    const total = this.rows.length;
    this.spacer.style.height = `${total * ROW_H}px`;
    const first = Math.max(0, Math.floor(this.tree.scrollTop / ROW_H) - OVERSCAN);
    const last = Math.min(total, Math.ceil((this.tree.scrollTop + this.tree.clientHeight) / ROW_H) + OVERSCAN);
    while (this.pool.length < last - first) this.pool.push(this.newRow());
    for (let k = 0; k < this.pool.length; k++) {
      const i = first + k;
      const r = this.pool[k];
      if (i < last) this.fill(r, this.rows[i], i);
      else r.el.hidden = true;
    }
    if (this.active >= 0 && this.active < total) this.tree.setAttribute('aria-activedescendant', `tree-row-${this.active}`);
    else this.tree.removeAttribute('aria-activedescendant');
  }

  newRow() {
    const r = {
      el: el('div', { class: 'row', role: 'treeitem' }),
      toggle: el('span', { class: 'toggle', 'aria-hidden': 'true' }),
      name: el('span', { class: 'name' }),
      note: el('span', { class: 'note' }),
      mode: el('span', { class: 'c-mode mono' }),
      owner: el('span', { class: 'c-owner mono' }),
      size: el('span', { class: 'c-size' }),
      layer: el('span', { class: 'c-layer' }),
    };
    r.cell = el('span', { class: 'c-name' }, r.toggle, r.name, r.note);
    r.el.append(r.cell, r.mode, r.owner, r.size, r.layer);
    this.tree.append(r.el);
    return r;
  }

  fill(r, row, i) {
    const n = row.node;
    const e = r.el;
    e.hidden = false;
    e.id = `tree-row-${i}`;
    e.dataset.index = i;
    e.dataset.path = n.path;
    e.style.transform = `translateY(${i * ROW_H}px)`;
    e.setAttribute('aria-level', row.depth + 1);
    e.setAttribute('aria-selected', i === this.active ? 'true' : 'false');
    if (n.has_children && !row.flat) e.setAttribute('aria-expanded', row.expanded ? 'true' : 'false');
    else e.removeAttribute('aria-expanded');
    e.className = `row type-${n.type}${n.visible ? '' : ' deleted'}${i === this.active ? ' active' : ''}${n.path === this.selectedPath ? ' selected' : ''}`;
    r.cell.style.paddingLeft = `${row.depth * 1.1 + 0.3}em`;
    r.toggle.textContent = row.loading ? '…' : n.has_children && !row.flat ? (row.expanded ? '▾' : '▸') : '';
    r.name.textContent = row.flat ? n.path : n.name;
    r.note.textContent = nodeNote(n);
    r.mode.textContent = n.version == null ? '' : modeString(n.mode, n.type);
    r.owner.textContent = n.version == null ? '' : `${n.uid}:${n.gid}`;
    r.size.textContent = n.type === 'file' ? size(n.size) : '';
    r.size.title = n.type === 'file' ? bytes(n.size) : '';
    r.layer.textContent = n.layer ?? '';
  }

  rowIndex(target) {
    const rowEl = target.closest('.row');
    return rowEl ? Number(rowEl.dataset.index) : -1;
  }

  click(e) {
    const i = this.rowIndex(e.target);
    if (i < 0) return;
    this.active = i;
    if (e.target.closest('.toggle') || this.rows[i].node.type === 'dir') this.toggle(i);
    this.select(i);
    this.tree.focus({ preventScroll: true });
  }

  key(e) {
    const n = this.rows.length;
    if (!n) return;
    const page = Math.max(1, Math.floor(this.tree.clientHeight / ROW_H) - 1);
    const row = this.rows[this.active];
    let next = this.active;
    switch (e.key) {
      case 'ArrowDown': next = Math.min(n - 1, this.active + 1); break;
      case 'ArrowUp': next = Math.max(0, this.active - 1); break;
      case 'PageDown': next = Math.min(n - 1, this.active + page); break;
      case 'PageUp': next = Math.max(0, this.active - page); break;
      case 'Home': next = 0; break;
      case 'End': next = n - 1; break;
      case 'ArrowRight':
        if (row?.node.has_children && !row.expanded) this.expand(this.active);
        else if (row?.expanded) next = this.active + 1;
        break;
      case 'ArrowLeft':
        if (row?.expanded) this.collapse(this.active);
        else if (row && row.depth > 0) {
          next = this.active;
          while (next > 0 && this.rows[next].depth >= row.depth) next--;
        }
        break;
      case 'Enter':
      case ' ':
        if (row?.node.has_children && !row.flat) this.toggle(this.active);
        this.select(this.active);
        break;
      default:
        return;
    }
    e.preventDefault();
    this.active = next;
    this.scrollTo(next);
    this.render();
  }

  scrollTo(i) {
    const top = i * ROW_H;
    if (top < this.tree.scrollTop) this.tree.scrollTop = top;
    else if (top + ROW_H > this.tree.scrollTop + this.tree.clientHeight) this.tree.scrollTop = top + ROW_H - this.tree.clientHeight;
  }

  /** Shows the metadata of row `i` and, for a file, a preview read from the tarball.
   *  `version`: a node of the same path to show instead (an earlier layer's); `line`: scroll
   *  the preview to that line and mark it. */
  select(i, { version = null, line = null } = {}) {
    const n = version ?? this.rows[i]?.node;
    if (!n) return;
    this.selectedPath = n.path;
    this.render();
    const token = (this.selectToken = {});
    const facts = [
      ['Path', el('code', { text: n.path })],
      ['Type', n.version == null ? 'directory (implied: no layer lists it, only its contents)' : n.type],
    ];
    if (n.version != null) {
      if (n.type === 'file') facts.push(['Size', bytes(n.size)]);
      facts.push(
        ['Mode', `${modeString(n.mode, n.type)} (${octal(n.mode)})`],
        ['Owner', `uid ${n.uid}, gid ${n.gid}`],
        ['Modified', time(n.mtime)],
        ['From layer', n.layer],
      );
    }
    if (n.link_target != null) facts.push([n.type === 'hardlink' ? 'Hard link to' : 'Points to', el('code', { text: n.link_target })]);
    if (n.deleted_in != null) facts.push(['Deleted', `in layer ${n.deleted_in} — its bytes still ship in layer ${n.layer}`]);
    if (n.overwritten_in != null) facts.push(['Replaced', `in layer ${n.overwritten_in}`]);
    if (n.versions > 1) facts.push(['Versions', `${n.versions} layers hold this path; this is the one from layer ${n.layer}`]);
    const dl = el('dl', { class: 'facts' });
    for (const [k, v] of facts) dl.append(el('dt', { text: k }), el('dd', null, v));
    const parts = [el('h3', { class: 'wrap', text: n.name || '/' }), dl];
    if (READABLE.has(n.type) && n.version != null) {
      const preview = new Preview(this.client, this.image, n, () => token === this.selectToken, { registry: this.registry, line });
      parts.push(preview.controls, preview.box);
      preview.more();
    }
    this.details.replaceChildren(...parts);
  }
}

function nodeNote(n) {
  if (n.deleted_in != null) return ` deleted in layer ${n.deleted_in}`;
  if (!n.visible && n.version == null) return ' deleted';
  if (n.type === 'symlink') return ` → ${n.link_target}`;
  return '';
}

/** A file's bytes, 64 KiB at a time: as text when they decode as UTF-8, else as a hex dump. */
class Preview {
  /** `opts.registry`: the contents cannot be read (the core says why); `opts.line`: scroll to
   *  that line (1-based) once it is read, reading on up to SEEK_LINE_BYTES to reach it. */
  constructor(client, image, node, current, opts = {}) {
    this.client = client;
    this.image = image;
    this.node = node;
    this.current = current;
    this.line = opts.line;
    this.text = ''; // the text shown so far, to find `line` in
    this.offset = 0;
    this.mode = null; // 'text' | 'hex', decided by the first chunk
    this.decoder = new TextDecoder('utf-8', { fatal: true });
    this.box = el('pre', { class: 'preview', tabindex: '0', 'aria-label': 'File preview' });
    this.info = el('span', { class: 'muted' });
    this.moreButton = el('button', { type: 'button', class: 'button small', text: 'Show the next 64 KiB', hidden: true, onclick: () => this.more() });
    this.downloadButton = el('button', {
      type: 'button', class: 'button small', text: 'Download this file', dataset: { action: 'download-file' }, hidden: opts.registry, onclick: () => this.download(),
    });
    this.controls = el('div', { class: 'preview-tools' }, this.downloadButton, this.moreButton, this.info);
  }

  async more() {
    this.moreButton.hidden = true;
    this.info.textContent = 'Reading…';
    let chunk;
    try {
      chunk = await this.client.read(this.image, this.node.version, this.offset, PREVIEW_BYTES);
    } catch (e) {
      if (!this.current()) return;
      this.box.hidden = true;
      // A registry image: the core's message says why and what to do instead.
      this.info.className = 'read-error';
      this.info.textContent = /registry image/.test(e.message) ? sentence(e.message) : `Could not read this file: ${e.message}`;
      return;
    }
    if (!this.current()) return;
    const start = this.offset;
    this.offset += chunk.length;
    if (this.mode == null) this.mode = looksLikeText(chunk) ? 'text' : 'hex';
    let text;
    if (this.mode === 'text') {
      try {
        text = this.decoder.decode(chunk, { stream: chunk.length === PREVIEW_BYTES });
      } catch {
        this.mode = 'hex'; // invalid UTF-8 further on: continue as hex
      }
    }
    if (this.mode === 'hex') text = hexDump(chunk, start);
    this.box.append(document.createTextNode(text));
    this.box.dataset.mode = this.mode;
    const end = chunk.length < PREVIEW_BYTES || (this.node.type === 'file' && this.offset >= this.node.size);
    if (this.line != null && this.mode === 'text') {
      this.text += text;
      if (this.markLine(end)) this.line = null;
      else if (!end && this.offset < SEEK_LINE_BYTES) {
        this.more(); // the line is further on: read on
        return;
      }
    }
    this.moreButton.hidden = end;
    this.info.textContent = end
      ? (this.offset ? `${int(this.offset)} bytes, all shown (${this.mode === 'text' ? 'text' : 'hex'})` : 'The file is empty.')
      : `first ${int(this.offset)} bytes shown (${this.mode === 'text' ? 'text' : 'hex'})`;
  }

  /** Marks line `this.line` in the text read so far and scrolls the preview to it; false while
   *  the line is not (completely) read yet. */
  markLine(end) {
    let start = 0;
    for (let k = 1; k < this.line; k++) {
      start = this.text.indexOf('\n', start) + 1;
      if (start === 0) return false;
    }
    let stop = this.text.indexOf('\n', start);
    if (stop < 0) {
      if (!end) return false;
      stop = this.text.length;
    }
    const mark = el('mark', { class: 'line-mark', dataset: { line: String(this.line) }, text: this.text.slice(start, stop) });
    this.box.replaceChildren(this.text.slice(0, start), mark, this.text.slice(stop));
    this.box.scrollTop = Math.max(0, mark.offsetTop - this.box.clientHeight / 3);
    this.box.scrollIntoView({ block: 'nearest' });
    return true;
  }

  /** Reads the whole file (in chunks) and saves it; nothing is written anywhere but the download. */
  async download() {
    const parts = [];
    let offset = 0;
    this.downloadButton.disabled = true;
    try {
      for (;;) {
        this.info.textContent = `Reading ${int(offset)} bytes…`;
        const chunk = await this.client.read(this.image, this.node.version, offset, DOWNLOAD_CHUNK);
        parts.push(chunk);
        offset += chunk.length;
        if (chunk.length < DOWNLOAD_CHUNK) break;
      }
      saveBlob(new Blob(parts, { type: 'application/octet-stream' }), this.node.name || 'file');
      this.info.textContent = `Saved ${int(offset)} bytes.`;
    } catch (e) {
      this.info.textContent = `Could not read this file: ${e.message}`;
    } finally {
      this.downloadButton.disabled = false;
    }
  }
}

const sentence = (m) => `${m.charAt(0).toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`;

function looksLikeText(bytes) {
  if (!bytes.length) return true;
  let control = 0;
  for (const b of bytes) {
    if (b === 0) return false;
    if (b < 9 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  if (control > bytes.length / 100) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function hexDump(bytes, base) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${(base + i).toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}\n`);
  }
  return lines.join('');
}
