// "From a registry": what the page can say about a reference before sending anything, and the
// core's fetch errors in words. The fetch itself runs in the worker (worker-core.js).
import { el } from './dom.js';

// Docker Hub under every name a reference can give it.
const HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'hub.docker.com']);

/** The registry host a reference names, by Docker's rule (the core's, src/source/registry/
 *  reference.rs): the first component is a host when it has a '.' or ':', is `localhost`, or a
 *  scheme is given; otherwise the image is on Docker Hub (`alpine`, `bitnami/redis:7`). */
export function registryHost(reference) {
  const s = reference.trim();
  const scheme = /^https?:\/\//i.test(s);
  const name = s.replace(/^https?:\/\//i, '').split('@')[0];
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (first && (scheme || first.includes('.') || first.includes(':') || first === 'localhost')) return first.toLowerCase();
  return 'docker.io';
}

export function isDockerHub(reference) {
  return reference.trim() !== '' && HUB.has(registryHost(reference).replace(/:443$/, ''));
}

/** Why a Docker Hub image cannot be fetched here, and what works instead. */
export function hubAdvice(reference) {
  const ref = reference.trim();
  return [
    el('strong', { text: 'Docker Hub images cannot be read by a web page. ' }),
    'Docker Hub sends no CORS headers, so the browser would block every answer it gives this page; nothing was sent. Instead, run the CLI, ',
    el('code', { text: `porthole inspect ${ref}` }),
    ', or save the image and drop the tarball here: ',
    el('code', { text: `docker pull ${ref} && docker save ${ref} -o image.tar` }),
    '.',
  ];
}

/** One of the core's fetch errors as a sentence (its messages already say what to change). */
export function fetchWords(e) {
  const m = e.message.trim();
  const s = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** A file name for the report of a fetched image: "127.0.0.1_5000_team_app_1.4". */
export function fileNameFor(reference) {
  return reference.replace(/^https?:\/\//i, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120) || 'image';
}
