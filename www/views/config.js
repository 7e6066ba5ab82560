// Config & History: how the image runs (from its config) and the command behind each layer.
import { el, factList } from './dom.js';

const argv = (xs) => (xs.length ? el('code', { text: JSON.stringify(xs) }) : null);

export function renderConfig(root, img) {
  const c = img.config;
  const labels = Object.entries(c.labels);
  root.replaceChildren(
    el('h3', { text: 'Config' }),
    factList([
      ['User', c.user ?? '(not set: root)', 'user'],
      ['Working directory', c.working_dir, 'working-dir'],
      ['Entrypoint', argv(c.entrypoint), 'entrypoint'],
      ['Command', argv(c.cmd), 'cmd'],
      ['Exposed ports', c.exposed_ports.join(', '), 'ports'],
      ['Environment', c.env.length ? el('ul', { class: 'plain mono' }, c.env.map((e) => el('li', { text: e }))) : null, 'env'],
    ]),
    el('h3', { text: 'Labels' }),
    labels.length
      ? el('table', { class: 'kv' }, el('tbody', null, labels.map(([k, v]) => el('tr', null, el('th', { class: 'mono', text: k }), el('td', { class: 'mono wrap', text: v })))))
      : el('p', { class: 'empty', text: 'No labels.' }),
    el('h3', { text: 'History' }),
    el('ol', { class: 'history', start: 0 }, img.layers.map((l) => el('li', null,
      el('span', { class: 'muted', text: `layer ${l.index}: ` }),
      l.created_by ? el('code', { class: 'created', text: l.created_by }) : el('span', { class: 'muted', text: '(no history entry)' })))),
  );
}
