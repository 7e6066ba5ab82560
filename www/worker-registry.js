// A registry image, fetched by the coordinator worker: the core (RegistryFetch) says which GET
// to send next (ping, token, manifests, config, layers), this file sends it with fetch() and
// streams each answer's body into the core as it arrives, so no blob is ever held whole.
// Credentials arrive with the request, live in the core's fetch object until it finishes, and
// are never posted back. The core also says what the page shows meanwhile: the layers, once
// the manifest is read, and the config and layer bytes received of the total they declare.

import { BYTES_EVERY_MS, progressTo } from './worker-progress.js';

/** Fetches `m.reference` ({ reference, username, password, platform, limits }) from its
 *  registry with the wasm `core`, telling the page through `post`. Resolves with { session,
 *  received (body bytes), requests (what was asked and answered, for the page's technical
 *  details) }. */
export async function fetchImage(core, m, post) {
  const f = new core.RegistryFetch(m.reference, m.username, m.password, m.platform, progressTo(post, true), m.limits);
  const log = [];
  let received = 0;
  let lastBytes = 0;
  let r;
  while ((r = f.next_request()) !== undefined) {
    const req = JSON.parse(r);
    const url = new URL(req.url);
    post({ type: 'request', purpose: req.purpose, layer: req.layer ?? null, host: url.host });
    if (req.purpose === 'layer') post({ type: 'layer', image: 0, layer: req.layer });
    let resp;
    try {
      resp = await fetch(req.url, {
        method: 'GET', headers: req.headers, redirect: 'follow', cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
      });
    } catch (e) {
      log.push(`GET ${req.url} (${req.purpose}): ${String(e)}`);
      await transportFailure(f, url, e, log);
      continue; // next_request() now returns undefined: the failure is recorded
    }
    // A browser hides headers the registry does not expose: say so where it matters.
    const hidden = resp.status === 401 && !resp.headers.has('www-authenticate')
      ? ' (no WWW-Authenticate header is readable: the registry does not list it in Access-Control-Expose-Headers)' : '';
    log.push(`GET ${req.url} (${req.purpose}): ${resp.status}${resp.redirected ? ` from ${new URL(resp.url).origin}` : ''}${hidden}`);
    if (f.head(resp.status, JSON.stringify([...resp.headers.entries()]))) {
      const reader = resp.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          f.body(value);
          received += value.length;
          const now = performance.now();
          if (now - lastBytes >= BYTES_EVERY_MS) {
            lastBytes = now;
            const [done, total] = f.blob_progress();
            post({ type: 'bytes', done, total, received });
          }
        }
      } catch (e) {
        // The connection broke mid-body: what arrived so far is reported, the rest is missing.
        log.push(`GET ${req.url} (${req.purpose}): the answer broke off after ${received} bytes in all: ${String(e)}`);
        f.transport_error(String(e));
        continue;
      }
    } else {
      resp.body?.cancel().catch(() => {}); // not wanted: free the connection
    }
    f.end(); // once the manifest is read, the core tells the page its layers ('planned')
  }
  const [done, total] = f.blob_progress();
  post({ type: 'bytes', done, total, received });
  const session = f.finish(); // the fetch state, credentials included, is dropped here
  f.free();
  return { session, received, requests: log };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * fetch() failed without an answer ("Failed to fetch"): the browser says no more, so find out
 * why. An https page may not read plain http (mixed content; loopback is exempt). Otherwise a
 * no-cors GET of the same URL tells a registry that answers but does not allow this page
 * (CORS: the opaque answer arrives) from one that cannot be reached at all.
 */
export async function transportFailure(f, url, e, log) {
  if (self.location.protocol === 'https:' && url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    f.transport_error(`mixed content: this page was loaded over https, so the browser does not let it read ${url.origin} over plain http; serve the registry over https, or use the porthole CLI`);
    return;
  }
  try {
    await fetch(url.href, { mode: 'no-cors', credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
    log.push(`GET ${url.href} (no-cors probe): an answer arrived, unreadable to the page`);
    f.cors_blocked(self.location.origin);
  } catch {
    log.push(`GET ${url.href} (no-cors probe): no answer either`);
    const csp = url.protocol === 'http:' && !LOOPBACK.has(url.hostname)
      ? '; a site that sends porthole\'s Content-Security-Policy header allows plain-http registries only on localhost and 127.0.0.1'
      : '';
    f.transport_error(`${String(e)} (the registry is not reachable: check the host name and port, and that it is running${csp})`);
  }
}
