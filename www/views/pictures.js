// Pictures of where the bytes go, drawn by hand as SVG (no library: a squarified treemap and
// bars are a hundred lines, and a library would be the page's largest file): per layer, a bar
// of the bytes it added, changed and wasted; and a treemap of the merged filesystem by size,
// one directory at a time as the worker lists it, wasted bytes hatched. Every shape carries the
// numbers it stands for (data-size, data-wasted, …: the report's), a title, and a text
// equivalent beside it; both save as SVG or PNG. Names from the image are only ever text.
import { el, int, saveBlob, size } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const MAX_SHAPES = 300; // children drawn per directory; the rest are one "smaller" shape

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

/** The hatch that marks wasted bytes (one per picture: ids must be unique in the page). */
function hatch(id) {
  return svg('defs', {}, svg('pattern', { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
    svg('rect', { width: 6, height: 6, class: 'pic-wasted-bg' }),
    svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'pic-wasted-line' })));
}

/** A shape reachable by keyboard: Enter or Space does what a click does. */
function actionable(node, label, action) {
  node.setAttribute('tabindex', '0');
  node.setAttribute('role', 'button');
  node.setAttribute('aria-label', label);
  node.addEventListener('click', action);
  node.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); action(); }
  });
  return node;
}

/** "Save SVG" and "Save PNG" for the picture in `figure` (its svg), named `name`. */
function exportButtons(figure, name) {
  return el('div', { class: 'pic-export' },
    el('button', { type: 'button', class: 'button small', dataset: { action: 'save-svg' }, onclick: () => saveBlob(svgBlob(figure.querySelector('svg')), `${name}.svg`) }, 'Save SVG'),
    el('button', { type: 'button', class: 'button small', dataset: { action: 'save-png' }, onclick: () => savePng(figure.querySelector('svg'), `${name}.png`) }, 'Save PNG'));
}

/** The SVG as a standalone file: the page's colours (CSS variables) written into it. */
function standalone(node) {
  const copy = node.cloneNode(true);
  const live = node.querySelectorAll('*');
  copy.querySelectorAll('*').forEach((c, i) => {
    const s = getComputedStyle(live[i]);
    for (const p of ['fill', 'stroke', 'stroke-width', 'font-size', 'font-family', 'opacity']) {
      const v = s.getPropertyValue(p);
      if (v) c.setAttribute(p, v);
    }
    c.removeAttribute('class');
    c.removeAttribute('tabindex');
  });
  copy.setAttribute('xmlns', SVG);
  const bg = getComputedStyle(document.body).backgroundColor;
  copy.insertBefore(svg('rect', { width: '100%', height: '100%', fill: bg }), copy.firstChild);
  return copy;
}

function svgBlob(node) {
  return new Blob([new XMLSerializer().serializeToString(standalone(node))], { type: 'image/svg+xml' });
}

/** Draws the SVG's rectangles and texts onto a canvas (no image decoding of the SVG: the
 *  page's policy allows no blob: images), then saves it as PNG. */
function savePng(node, name) {
  const w = Number(node.getAttribute('width'));
  const h = Number(node.getAttribute('height'));
  const scale = 2;
  const canvas = document.createElement('canvas');
  canvas.width = w * scale;
  canvas.height = h * scale;
  const g = canvas.getContext('2d');
  g.scale(scale, scale);
  g.fillStyle = getComputedStyle(document.body).backgroundColor;
  g.fillRect(0, 0, w, h);
  for (const n of node.querySelectorAll('rect, text')) {
    if (n.closest('defs')) continue;
    const s = getComputedStyle(n);
    let x = Number(n.getAttribute('x') || 0);
    let y = Number(n.getAttribute('y') || 0);
    const t = n.parentNode.getAttribute?.('transform')?.match(/translate\(([-\d.]+)[ ,]+([-\d.]+)\)/);
    if (t) { x += Number(t[1]); y += Number(t[2]); }
    if (n.tagName === 'rect') {
      const fill = s.fill.startsWith('url(') ? getComputedStyle(document.documentElement).getPropertyValue('--bad').trim() : s.fill;
      if (fill && fill !== 'none') { g.fillStyle = fill; g.fillRect(x, y, Number(n.getAttribute('width')), Number(n.getAttribute('height'))); }
      if (s.stroke && s.stroke !== 'none') { g.strokeStyle = s.stroke; g.lineWidth = parseFloat(s.strokeWidth) || 1; g.strokeRect(x, y, Number(n.getAttribute('width')), Number(n.getAttribute('height'))); }
    } else {
      g.fillStyle = s.fill;
      g.font = `${s.fontSize} ${s.fontFamily}`;
      g.fillText(n.textContent, x, y);
    }
  }
  canvas.toBlob((b) => b && saveBlob(b, name), 'image/png');
}

/** Per layer, a bar of the bytes it added (new paths) and changed (over a lower layer's), and
 *  below it the bytes of it the image hides. `onLayer(index)` filters the Files view. */
export function layerBars(img, onLayer) {
  const layers = img.layers;
  const max = Math.max(1, ...layers.map((l) => Math.max((l.bytes_added ?? 0) + (l.bytes_modified ?? 0), l.bytes_wasted ?? 0)));
  const width = 640;
  const label = 70;
  const barW = width - label - 120;
  const rowH = 30;
  const pic = svg('svg', { width, height: layers.length * rowH + 8, viewBox: `0 0 ${width} ${layers.length * rowH + 8}`, class: 'pic', role: 'group', 'aria-label': 'Bytes per layer' }, hatch('pic-hatch-layers'));
  layers.forEach((l, i) => {
    const [a, m, w] = [l.bytes_added ?? 0, l.bytes_modified ?? 0, l.bytes_wasted ?? 0];
    const scale = (n) => (n / max) * barW;
    const words = `Layer ${l.index}: ${size(a)} added, ${size(m)} changed, ${size(w)} wasted${l.created_by ? ` — ${l.created_by}` : ''}`;
    const row = actionable(svg('g', {
      transform: `translate(0 ${i * rowH + 4})`, class: 'pic-row',
      dataset: { layer: l.index, added: a, modified: m, wasted: w },
    }, svg('title', { text: words }),
    svg('rect', { x: 0, y: 0, width, height: rowH - 4, class: 'pic-hit' }),
    svg('text', { x: 4, y: 15, class: 'pic-label', text: `Layer ${l.index}` }),
    svg('rect', { x: label, y: 3, width: scale(a), height: 12, class: 'pic-added' }),
    svg('rect', { x: label + scale(a), y: 3, width: scale(m), height: 12, class: 'pic-modified' }),
    svg('rect', { x: label, y: 17, width: scale(w), height: 6, class: 'pic-wasted', fill: 'url(#pic-hatch-layers)' }),
    svg('text', { x: label + barW + 8, y: 15, class: 'pic-label', text: size(a + m) })), `${words}. Show the files this layer changed.`, () => onLayer(l.index));
    pic.append(row);
  });
  const figure = el('figure', { class: 'picture', dataset: { picture: 'layers' } },
    el('figcaption', {}, 'Where each layer\'s bytes go: ',
      el('span', { class: 'key added', text: 'added' }), ', ', el('span', { class: 'key modified', text: 'changed' }), ', and below, ',
      el('span', { class: 'key wasted', text: 'wasted' }), ' (shipped but hidden by a later layer). Choose a layer to see its files; the numbers are in each layer below.'),
    pic);
  figure.append(exportButtons(figure, 'layers'));
  return figure;
}

/** Lays `items` (with `value` > 0) out in the rectangle, squarified (Bruls, Huizing, van Wijk):
 *  rows along the shorter side, each kept while it makes the worst aspect ratio no worse. */
export function squarify(items, x, y, w, h) {
  const total = items.reduce((s, it) => s + it.value, 0);
  const out = [];
  if (!total || w <= 0 || h <= 0) return out;
  const k = (w * h) / total;
  const areas = items.map((it) => ({ it, area: it.value * k }));
  let rect = { x, y, w, h };
  let row = [];
  const worst = (r, side) => {
    const s = r.reduce((a, b) => a + b.area, 0);
    const mx = Math.max(...r.map((b) => b.area));
    const mn = Math.min(...r.map((b) => b.area));
    return Math.max((side * side * mx) / (s * s), (s * s) / (side * side * mn));
  };
  const place = (r) => {
    const s = r.reduce((a, b) => a + b.area, 0);
    if (rect.w >= rect.h) { // a column on the left
      const cw = s / rect.h;
      let cy = rect.y;
      for (const b of r) { const bh = b.area / cw; out.push({ item: b.it, x: rect.x, y: cy, w: cw, h: bh }); cy += bh; }
      rect = { x: rect.x + cw, y: rect.y, w: rect.w - cw, h: rect.h };
    } else { // a row on top
      const rh = s / rect.w;
      let cx = rect.x;
      for (const b of r) { const bw = b.area / rh; out.push({ item: b.it, x: cx, y: rect.y, w: bw, h: rh }); cx += bw; }
      rect = { x: rect.x, y: rect.y + rh, w: rect.w, h: rect.h - rh };
    }
  };
  for (const b of areas) {
    const side = Math.min(rect.w, rect.h);
    if (!row.length || worst([...row, b], side) <= worst(row, side)) row.push(b);
    else { place(row); row = [b]; }
  }
  if (row.length) place(row);
  return out;
}

/** The Sizes view: a treemap of directory `path` (children from `load(path)`, the worker's
 *  sizes), with a breadcrumb to go up, a table as its text equivalent, and the export. */
export class SizesView {
  constructor(root) {
    this.root = root;
    this.load = null;
    this.path = '/';
    this.run = 0;
  }

  /** A new image: `load(path)` gives a directory's children with their sizes. Nothing is
   *  asked of the worker until the view is shown. */
  show(load) {
    this.load = load;
    this.path = '/';
    this.stale = true;
    this.root.replaceChildren();
    if (!this.root.hidden) this.open('/');
  }

  /** The view became visible: draw it (at its width) if it is not drawn yet. */
  shown() {
    if (this.stale && this.load) this.open(this.path);
  }

  async open(path) {
    this.stale = false;
    const run = ++this.run;
    this.path = path;
    let nodes;
    try {
      nodes = await this.load(path);
    } catch (e) {
      if (run === this.run) this.root.replaceChildren(el('p', { text: `The sizes could not be read: ${e.message}` }));
      return;
    }
    if (run !== this.run) return;
    this.render(path, nodes);
  }

  render(path, nodes) {
    const width = Math.max(320, Math.min(1100, this.root.clientWidth || 900) - 8);
    const height = Math.round(Math.min(520, Math.max(260, width * 0.5)));
    const drawn = nodes.slice(0, MAX_SHAPES);
    const rest = nodes.slice(MAX_SHAPES);
    const items = drawn.map((n) => ({ n, value: n.size + n.wasted }));
    if (rest.length) {
      const r = rest.reduce((s, n) => ({ size: s.size + n.size, wasted: s.wasted + n.wasted, files: s.files + n.files }), { size: 0, wasted: 0, files: 0 });
      items.push({ n: { name: `${int(rest.length)} smaller`, path: null, type: 'more', ...r, deleted: false }, value: r.size + r.wasted });
    }
    const pic = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'pic treemap', role: 'group', 'aria-label': `Sizes in ${path}` }, hatch('pic-hatch-sizes'));
    for (const { item, x, y, w, h } of squarify(items.filter((i) => i.value > 0), 0, 0, width, height)) {
      const n = item.n;
      const dir = n.type === 'dir' && !n.deleted && n.path;
      const words = `${n.name}${dir ? '/' : ''}: ${size(n.size)} in ${int(n.files)} files${n.wasted ? `, ${size(n.wasted)} wasted` : ''}`;
      const g = svg('g', { transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`, class: `tm-node ${n.type}${n.deleted ? ' deleted' : ''}`, dataset: { path: n.path ?? '', size: n.size, wasted: n.wasted, files: n.files } },
        svg('title', { text: words }),
        svg('rect', { x: 0, y: 0, width: Math.max(0, w - 1).toFixed(1), height: Math.max(0, h - 1).toFixed(1), class: dir ? 'tm-dir' : 'tm-file' }));
      const wastedH = (h - 1) * (n.wasted / (n.size + n.wasted || 1));
      if (n.wasted) g.append(svg('rect', { x: 0, y: (h - 1 - wastedH).toFixed(1), width: Math.max(0, w - 1).toFixed(1), height: wastedH.toFixed(1), class: 'tm-wasted', fill: 'url(#pic-hatch-sizes)' }));
      if (w > 56 && h > 18) {
        const chars = Math.floor((w - 8) / 7);
        const name = n.name.length > chars ? `${n.name.slice(0, Math.max(1, chars - 1))}…` : n.name;
        g.append(svg('text', { x: 4, y: 13, class: 'tm-label', text: `${name}${dir ? '/' : ''}` }));
        if (h > 32) g.append(svg('text', { x: 4, y: 27, class: 'tm-size', text: size(n.size + n.wasted) }));
      }
      if (dir) actionable(g, `${words}. Open.`, () => this.open(n.path));
      pic.append(g);
    }
    const parts = path.split('/').filter(Boolean);
    const crumbs = el('nav', { class: 'pic-crumbs', 'aria-label': 'Directory shown' },
      el('button', { type: 'button', class: 'link', dataset: { crumb: '/' }, onclick: () => this.open('/'), text: '/' }),
      ...parts.map((p, i) => [' ', el('button', {
        type: 'button', class: 'link', dataset: { crumb: `/${parts.slice(0, i + 1).join('/')}` },
        onclick: () => this.open(`/${parts.slice(0, i + 1).join('/')}`), text: `${p}/`,
      })]));
    const sum = nodes.reduce((s, n) => ({ size: s.size + n.size, wasted: s.wasted + n.wasted }), { size: 0, wasted: 0 });
    const figure = el('figure', { class: 'picture', dataset: { picture: 'sizes', path, size: sum.size, wasted: sum.wasted } },
      el('figcaption', {}, `${path}: ${size(sum.size)} in files`, sum.wasted ? `, and ${size(sum.wasted)} `: '', sum.wasted ? el('span', { class: 'key wasted', text: 'wasted' }) : '',
        sum.wasted ? ' (shipped, hidden by a later layer)' : '', '. Choose a directory to open it; the table below says the same in words.'),
      pic);
    figure.append(exportButtons(figure, `sizes${path === '/' ? '' : path.replace(/\//g, '_')}`));
    const table = el('table', { class: 'data sizes-table', dataset: { table: 'sizes' } },
      el('caption', { class: 'muted', text: `What ${path} holds, largest first` }),
      el('thead', {}, el('tr', {}, ...['Name', 'Size', 'Files', 'Wasted'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...nodes.slice(0, 1000).map((n) => el('tr', { dataset: { path: n.path } },
        el('td', {}, n.type === 'dir' && !n.deleted
          ? el('button', { type: 'button', class: 'link', onclick: () => this.open(n.path), text: `${n.name}/` })
          : `${n.name}${n.deleted ? ' (deleted)' : ''}`),
        el('td', { text: size(n.size) }), el('td', { text: int(n.files) }), el('td', { text: n.wasted ? size(n.wasted) : '—' })))));
    const words = el('details', { class: 'sizes-words', open: nodes.length <= 40 },
      el('summary', { text: `The same in words (${int(nodes.length)} ${nodes.length === 1 ? 'entry' : 'entries'}${nodes.length > 1000 ? ', the largest 1,000 listed' : ''})` }), table);
    this.root.replaceChildren(crumbs, figure, words);
  }
}
