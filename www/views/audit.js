// "Audit": what an anonymous user — and the account given — can do to the registry, as
// `porthole audit` says it (the core's AuditRun, in a worker of its own). Each check with its
// outcome and severity; findings first, each with the requests and answers as evidence and the
// fix in words. Everything shown is text.
import { el } from './dom.js';
import { BrowseWorker } from '../worker-client.js';

const ORDER = { high: 0, medium: 1, low: 2, info: 3 };

/** Runs an audit and shows it in `root`. */
export async function runAudit(root, target, { username, password, isPublic, writeProbes }) {
  const worker = new BrowseWorker();
  root.hidden = false;
  root.replaceChildren(el('p', { id: 'audit-status', class: 'muted', text: `Auditing ${target}…` }));
  try {
    const audit = await worker.audit(target, { username, password, public: isPublic, writeProbes });
    show(root, audit);
  } catch (e) {
    const m = e.message.trim();
    root.replaceChildren(el('p', { id: 'audit-status', class: 'bad-text', role: 'alert', text: `The registry could not be audited: ${m}${/[.!?]$/.test(m) ? '' : '.'}` }));
  } finally {
    worker.close(); // the credentials go with it
  }
}

function show(root, audit) {
  const s = audit.summary;
  const findings = audit.checks.filter((c) => c.outcome === 'finding').sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  const rest = audit.checks.filter((c) => c.outcome !== 'finding');
  const check = (c) => el('details', { class: `audit-check ${c.outcome}`, dataset: { check: c.id, outcome: c.outcome, severity: c.severity }, open: c.outcome === 'finding' && c.severity !== 'info' },
    el('summary', null,
      el('span', { class: `audit-mark ${c.outcome === 'finding' ? c.severity : c.outcome}`, text: c.outcome === 'finding' ? c.severity : c.outcome === 'pass' ? 'pass' : 'not run' }),
      ' ', el('strong', { text: c.title })),
    el('p', { text: c.summary }),
    c.evidence.length ? el('ul', { class: 'audit-evidence' }, ...c.evidence.map((e) => el('li', null, el('code', { text: e.request }), el('br'), el('code', { class: 'muted', text: e.answer })))) : null,
    c.fix ? el('p', { class: 'audit-fix' }, el('strong', { text: 'Fix: ' }), c.fix) : null);
  root.replaceChildren(
    el('p', { id: 'audit-status', dataset: { high: s.high, medium: s.medium, low: s.low, info: s.info }, text: `Audit of ${audit.registry}${audit.account != null ? ` (anonymously and as ${audit.account || 'the token given'})` : ' (anonymously)'}: ${s.high} high, ${s.medium} medium, ${s.low} low, ${s.info} info.` }),
    audit.repositories.length ? el('p', { class: 'muted small', text: `Repositories probed: ${audit.repositories.join(', ')}` }) : null,
    ...findings.map(check), ...rest.map(check));
}
