// "Compare two images": two opened files, read again in a worker of their own with every file
// hashed, compared by the core as `porthole diff --json` compares them (docs/diff.md). Shown:
// the verdict and counts first, then the config, layers and package changes as tables, the
// differing paths as a tree (directories open on demand), and for a changed text file a line
// diff of both versions, 64 KiB at a time. Everything from an image is text.
import { el, empty, factList, int, saveBlob, size } from './dom.js';
import { CompareWorker } from '../worker-client.js';

const PIECE = 64 << 10; // bytes of each version diffed at a time
const DIR_ROWS = 500; // entries shown per directory before "more"

/** The panel. `files()` lists the opened files that were read: [{ id, name, file }];
 *  `options()` gives { limits, vulndb } as an inspection would use them. */
export class ComparePanel {
  constructor(root, files, options) {
    this.root = root;
    this.files = files;
    this.options = options;
    this.worker = null;
    this.run = 0;
    root.querySelector('#compare-run').addEventListener('click', () => this.compare());
    root.querySelector('#compare-close').addEventListener('click', () => this.close());
  }

  /** Shows the panel with the files to choose from (A: the one shown, B: the next). */
  show(currentId) {
    const list = this.files();
    const a = this.root.querySelector('#compare-a');
    const b = this.root.querySelector('#compare-b');
    const ia = Math.max(0, list.findIndex((f) => f.id === currentId));
    const ib = ia + 1 < list.length ? ia + 1 : Math.max(0, ia - 1);
    const options = (chosen) => list.map((f, i) => el('option', { value: String(f.id), selected: i === chosen, text: f.name }));
    a.replaceChildren(...options(ia));
    b.replaceChildren(...options(ib));
    this.root.hidden = false;
    this.root.scrollIntoView({ block: 'start' });
    a.focus();
  }

  close() {
    this.run++;
    this.worker?.close();
    this.worker = null;
    this.root.hidden = true;
    this.root.querySelector('#compare-result').replaceChildren();
    this.root.querySelector('#compare-status').textContent = '';
    delete document.body.dataset.compare;
  }

  async compare() {
    const list = this.files();
    const pick = (id) => list.find((f) => String(f.id) === this.root.querySelector(id).value);
    const a = pick('#compare-a');
    const b = pick('#compare-b');
    const status = this.root.querySelector('#compare-status');
    const result = this.root.querySelector('#compare-result');
    if (!a || !b) return;
    const run = ++this.run;
    this.worker?.close();
    const names = [a.name, b.name];
    this.worker = new CompareWorker((side, done, total) => {
      if (run === this.run) status.textContent = `Reading ${side ? 'B' : 'A'} (${names[side]}), every file hashed: ${Math.floor((100 * done) / (total || 1))} %`;
    });
    document.body.dataset.compare = 'working';
    result.replaceChildren();
    status.textContent = 'Starting…';
    const semantic = this.root.querySelector('#compare-semantic').checked;
    try {
      const { text, ms } = await this.worker.compare(a.file, b.file, { ...this.options(), semantic });
      if (run !== this.run) return;
      const diff = JSON.parse(text);
      this.text = text;
      status.textContent = `Compared in ${(ms / 1000).toFixed(1)} s.`;
      this.diff = diff;
      result.replaceChildren(...this.render(diff));
      document.body.dataset.compare = 'done';
    } catch (e) {
      if (run !== this.run) return;
      status.textContent = `The images could not be compared: ${e.message}`;
      document.body.dataset.compare = 'error';
    }
  }

  render(d) {
    const s = d.summary;
    const verdict = d.trouble.length
      ? { kind: 'mismatch', text: `Trouble: ${d.trouble[0]}${d.trouble.length > 1 ? ` (and ${d.trouble.length - 1} more)` : ''}` }
      : d.equal
        ? { kind: 'verified', text: d.mode === 'semantic' ? 'Equal: the same build (timestamps, history and layer boundaries left out)' : 'Equal: the same image, however it was packaged' }
        : { kind: 'incomplete', text: 'Different' };
    const out = [
      el('p', { class: `verdict ${verdict.kind}`, dataset: { compareVerdict: d.trouble.length ? 'trouble' : d.equal ? 'equal' : 'different' } },
        el('span', { class: 'verdict-text', text: verdict.text })),
      el('div', { class: 'report-head' },
        factList([
          ['A', `${d.a.input}${d.a.name ? ` (${d.a.name})` : ''}`],
          ['B', `${d.b.input}${d.b.name ? ` (${d.b.name})` : ''}`],
          ['Config', `${int(s.config)} changed`, 'config'],
          ['Layers', `${int(s.layers_shared)} shared, ${int(s.layers_added)} added, ${int(s.layers_removed)} removed${d.layers.counted ? '' : ' (not counted)'}`, 'layers'],
          ['Files', `${int(s.files_added)} added, ${int(s.files_removed)} removed, ${int(s.files_changed)} changed`, 'files'],
          ['Packages', `${int(s.packages_added)} added, ${int(s.packages_removed)} removed, ${int(s.packages_upgraded)} upgraded, ${int(s.packages_downgraded)} downgraded, ${int(s.packages_changed)} changed`, 'packages'],
          ['Secrets', `${int(s.secrets_new)} new, ${int(s.secrets_gone)} gone`, 'secrets'],
          ['Vulnerabilities', d.vulnerabilities ? `${int(s.vulnerabilities_introduced)} introduced, ${int(s.vulnerabilities_fixed)} fixed` : 'no database loaded', 'vulnerabilities'],
        ]),
        el('button', {
          type: 'button', class: 'button', dataset: { action: 'download-diff' },
          onclick: () => saveBlob(new Blob([`${this.text}\n`], { type: 'application/json' }), 'porthole-diff.json'),
        }, 'Download diff JSON')),
    ];
    if (d.config.length) {
      out.push(el('h3', { text: 'Config' }), table(['Field', 'A', 'B'], d.config.map((c) => [
        c.key != null ? `${c.field} ${c.key}` : c.field, c.a ?? '—', `${c.b ?? '—'}${c.counted ? '' : ' (not counted)'}`,
      ]), 'compare-config'));
    }
    const layers = [...d.layers.removed.map((l) => ['removed', l]), ...d.layers.added.map((l) => ['added', l])];
    if (layers.length) {
      out.push(el('h3', { text: 'Layers' }), table(['', 'diff_id', 'Size', 'Created by'], layers.map(([what, l]) => [
        what, l.diff_id ?? '—', size(l.size), l.created_by ?? '',
      ]), 'compare-layers'));
    }
    if (d.packages.length) {
      out.push(el('h3', { text: 'Packages' }), table(['Change', 'Type', 'Name', 'A', 'B', 'Listed in'], d.packages.map((p) => [
        p.change, p.type, p.name, p.a ?? '—', p.b ?? '—', p.path,
      ]), 'compare-packages'));
    }
    out.push(el('h3', { text: 'Files' }));
    if (d.files.length) {
      this.lines = el('div', { class: 'compare-lines', 'aria-live': 'polite' });
      out.push(el('p', { class: 'muted', text: 'Only the paths that differ. + added in B, − removed from B, ~ changed. Choose a changed file to see its lines.' }),
        this.tree(d.files), this.lines);
    } else {
      out.push(empty('No file differs.'));
    }
    for (const [title, list] of [['New secrets', d.secrets.new], ['Secrets gone', d.secrets.gone]]) {
      if (list.length) {
        out.push(el('h3', { text: title }), table(['Severity', 'Rule', 'Where', 'Match'], list.map((f) => [
          f.severity, f.rule, f.path ?? f.key ?? f.location, f.match_redacted,
        ])));
      }
    }
    if (d.vulnerabilities) {
      for (const [title, list] of [['Vulnerabilities introduced', d.vulnerabilities.introduced], ['Vulnerabilities fixed', d.vulnerabilities.fixed]]) {
        if (list.length) {
          out.push(el('h3', { text: title }), table(['Severity', 'Advisory', 'Package', 'Version'], list.map((v) => [
            v.severity.rating, v.id, v.package.name, v.package.version,
          ])));
        }
      }
    }
    if (d.not_compared.length) out.push(el('p', { class: 'muted', text: `Not compared: ${d.not_compared.join('; ')}.` }));
    return out;
  }

  /** The differing paths as a tree of directories, each opened on demand. */
  tree(files) {
    const root = { dirs: new Map(), leaves: [], count: 0 };
    for (const f of files) {
      const parts = f.path.split('/').filter(Boolean);
      let node = root;
      node.count++;
      for (const p of parts.slice(0, -1)) {
        if (!node.dirs.has(p)) node.dirs.set(p, { dirs: new Map(), leaves: [], count: 0 });
        node = node.dirs.get(p);
        node.count++;
      }
      node.leaves.push(f);
    }
    const box = el('div', { class: 'compare-tree', role: 'group', 'aria-label': 'Paths that differ' });
    this.fill(box, root);
    return box;
  }

  /** Fills `box` with `node`'s directories and files, DIR_ROWS at a time: each element is
   *  made only when it is shown (a directory may hold a million changed files). */
  fill(box, node) {
    const makers = [
      ...[...node.dirs].map(([name, sub]) => () => {
        const details = el('details', { class: 'compare-dir' }, el('summary', {}, `${name}/ `, el('span', { class: 'muted', text: `(${int(sub.count)})` })));
        details.addEventListener('toggle', () => {
          if (details.open && details.children.length === 1) {
            const inner = el('div', { class: 'compare-children' });
            this.fill(inner, sub);
            details.append(inner);
          }
        });
        return details;
      }),
      ...node.leaves.map((f) => () => this.leaf(f)),
    ];
    const show = (from) => {
      box.append(...makers.slice(from, from + DIR_ROWS).map((make) => make()));
      const left = makers.length - from - DIR_ROWS;
      if (left > 0) {
        const more = el('button', { type: 'button', class: 'button', text: `Show ${int(Math.min(left, DIR_ROWS))} more of ${int(left)}` });
        more.addEventListener('click', () => { more.remove(); show(from + DIR_ROWS); });
        box.append(more);
      }
    };
    show(0);
  }

  leaf(f) {
    const mark = { added: '+', removed: '−', changed: '~' }[f.change];
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    const detail = f.change === 'changed' ? f.what.join(', ') : (f.a ?? f.b).type;
    const text = (f.a?.type ?? 'file') === 'file' && (f.b?.type ?? 'file') === 'file';
    return el('div', { class: `compare-file ${f.change}`, dataset: { path: f.path, change: f.change } },
      el('span', { class: 'compare-mark', 'aria-hidden': 'true', text: mark }),
      text
        ? el('button', { type: 'button', class: 'link', text: name, title: `Show the lines of ${f.path} that differ`, onclick: () => this.showLines(f) })
        : el('span', { text: name }),
      el('span', { class: 'muted', text: ` ${f.change}: ${detail}` }));
  }

  /** The line diff of both versions of `f`, a piece of each at a time from `at` (the last
   *  piece's `next`: both sides move on past their last common line, so pieces stay aligned). */
  async showLines(f, at = undefined) {
    const box = this.lines;
    const run = this.run;
    box.replaceChildren(el('p', { class: 'muted', text: `Reading ${f.path}…` }));
    let r;
    try {
      r = await this.worker.lines(f.path, at, PIECE);
    } catch (e) {
      if (run === this.run) box.replaceChildren(el('p', { text: `${f.path} could not be read: ${e.message}` }));
      return;
    }
    if (run !== this.run) return;
    const from = at ?? { a_line: 0, b_line: 0 };
    const parts = [el('h4', { text: `${f.path}: lines ${int(from.a_line + 1)} to ${int(r.next.a_line)} of A, ${int(from.b_line + 1)} to ${int(r.next.b_line)} of B` })];
    if (r.diff.binary) parts.push(el('p', { text: 'Not text (it holds NUL bytes): the contents differ by their sha256 only.' }));
    else if (!r.diff.hunks.length) parts.push(el('p', { text: 'These lines are the same on both sides.' }));
    else {
      if (r.diff.unaligned) parts.push(el('p', { class: 'muted', text: 'Too unlike to align: every line of A, then every line of B.' }));
      const pre = el('pre', { class: 'line-diff', dataset: { path: f.path } });
      for (const h of r.diff.hunks) {
        pre.append(el('span', { class: 'hunk', text: `@@ −${h.a_start} +${h.b_start} @@` }));
        for (const l of h.lines) {
          pre.append(el('span', { class: l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'same', dataset: { op: l.op }, text: `${l.op} ${l.text}` }));
        }
      }
      parts.push(pre);
    }
    if (!r.done) parts.push(el('button', { type: 'button', class: 'button', dataset: { action: 'next-lines' }, text: 'Next 64 KiB', onclick: () => this.showLines(f, r.next) }));
    box.replaceChildren(...parts);
    box.scrollIntoView({ block: 'nearest' });
  }
}

function table(head, rows, id) {
  return el('table', { class: 'data', dataset: id ? { table: id } : null },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', { text: c }))))));
}
