// "Browse a registry", in a worker of its own: the core (RegistryBrowse) says which GET or
// HEAD to send next (the catalog, a tag list, each page, a token, each tag's manifest and
// config), this file sends it with fetch() and hands the answer back. Credentials and the
// token the listing obtained stay in this worker's memory (the page's worker ends when the
// panel is closed) and are never posted back.

import { transportFailure } from './worker-registry.js';

/** Sends what `b` (a RegistryBrowse or RegistryAudit) asks until it is done, at most one
 *  request per `paceMs`; its result, or throws its error. */
async function drive(b, paceMs = 0) {
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
  let last = 0;
  try {
    let r;
    while ((r = b.next_request()) !== undefined) {
      const req = JSON.parse(r);
      const wait = last + paceMs - performance.now();
      if (req.wait == null && wait > 0) await sleep(wait);
      last = performance.now();
      if (req.wait != null) { // the registry answered 429: wait as long as it asked
        await sleep(req.wait);
        continue;
      }
      const url = new URL(req.url);
      let resp;
      try {
        // Only reads follow redirects: an audit's POST or DELETE goes where the core said, or
        // nowhere (a redirected DELETE must not land on another URL).
        const reads = req.method === 'GET' || req.method === 'HEAD';
        resp = await fetch(req.url, {
          method: req.method, headers: req.headers, redirect: reads ? 'follow' : 'manual', cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
        });
      } catch (e) {
        await transportFailure(b, url, e, []);
        continue;
      }
      if (resp.type === 'opaqueredirect') {
        b.transport_error(`the registry redirected the ${req.method}; it was not followed`);
        continue;
      }
      if (b.head(resp.status, JSON.stringify([...resp.headers.entries()]))) {
        const reader = resp.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            b.body(value);
          }
        } catch (e) {
          b.transport_error(`the answer broke off: ${String(e)}`);
          continue;
        }
      } else {
        resp.body?.cancel().catch(() => {});
      }
      b.end();
    }
    return JSON.parse(b.finish());
  } finally {
    b.free();
  }
}

/** The browse operations of a worker, with the wasm `core`. */
export function browseOps(core) {
  // What the user gave for the registry being browsed, and the token each listing obtained
  // (by target), for the descriptions of its tags.
  let creds = { username: '', password: '' };
  const tokens = new Map();
  return {
    /** { target, username, password, pageSize } → { registry, repository, names }. */
    'browse-list': async (m) => {
      creds = { username: m.username ?? '', password: m.password ?? '' };
      const b = core.RegistryBrowse.list(m.target, creds.username, creds.password, m.pageSize ?? 1000);
      const { authorization, ...listed } = await drive(b);
      if (listed.repository) tokens.set(listed.repository, authorization ?? '');
      return listed;
    },
    /** { target, repos, public, username, password, writeProbes, rate } → the audit, as
     *  `porthole audit --json` gives it. Its credentials are its own (not the browse's). */
    'browse-audit': async (m) => {
      const a = new core.RegistryAudit(m.target, JSON.stringify(m.repos ?? []), !!m.public, m.username ?? '', m.password ?? '', !!m.writeProbes);
      return drive(a, 1000 / (m.rate || 10));
    },
    /** { target (host/repo), tags, details } → { registry, repository, tags: [{ tag, digest, … }] }. */
    'browse-describe': async (m) => {
      const [, repo = ''] = m.target.replace(/^https?:\/\//, '').split(/\/(.*)/);
      const b = core.RegistryBrowse.describe(m.target, JSON.stringify(m.tags), !!m.details, creds.username, creds.password, tokens.get(repo) ?? '');
      return drive(b);
    },
  };
}
