// Best practices and malware indicators (docs/practices.md): the rules of the core that apply
// to the image, each with its evidence (paths, layers, history entries) and how to fix it.
// Everything from the image is shown as text.
import { el, empty } from './dom.js';

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];

function finding(b) {
  const malware = b.id.startsWith('PH-MW-');
  return el('section', { class: `practice severity-${b.severity}${malware ? ' malware' : ''}`, dataset: { practice: b.id } },
    el('h3', null,
      el('span', { class: 'severity', text: b.severity }), ' ',
      el('code', { class: 'practice-id', text: b.id }), ' ',
      el('span', { class: 'practice-title', text: b.title })),
    el('p', { class: 'muted', text: b.rationale }),
    el('ul', { class: 'evidence' }, b.evidence.map((e) => el('li', { class: 'mono wrap', text: e }))),
    el('p', { class: 'fix' }, el('strong', { text: 'Fix: ' }), b.fix));
}

/** The best-practice findings of `img`, malware indicators first (they come first by severity). */
export function renderPractices(root, img) {
  const found = img.best_practices ?? [];
  const ignored = img.best_practices_suppressed ?? [];
  const note = ignored.length
    ? el('p', { class: 'muted', text: `${ignored.length} left out by the ignore file: ${ignored.map((s) => s.id).join(', ')}.` })
    : null;
  if (!found.length) {
    root.replaceChildren(empty('No best-practice rule applies: the user, health check, history, files and settings pass every check.'), note ?? '');
    return;
  }
  const counts = SEVERITY_ORDER.map((s) => [s, found.filter((b) => b.severity === s).length]).filter(([, n]) => n);
  const malware = found.filter((b) => b.id.startsWith('PH-MW-'));
  const sorted = [...found].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  // replaceChildren would write a null as the text "null": leave absent parts out.
  root.replaceChildren(...[
    el('p', null, `${found.length} ${found.length === 1 ? 'rule applies' : 'rules apply'} (${counts.map(([s, n]) => `${n} ${s}`).join(', ')}). `,
      el('span', { class: 'muted', text: 'Ids are dockle\'s where dockle has the check (CIS-DI-…, DKL-…), so an ignore file carries over.' })),
    malware.length
      ? el('p', { class: 'malware-warning', role: 'alert', text: `${malware.length} malware ${malware.length === 1 ? 'indicator' : 'indicators'}: this image looks built to mine or to open a way in. Do not run it.` })
      : null,
    note,
    ...sorted.map(finding),
  ].filter(Boolean));
}
