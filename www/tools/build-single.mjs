#!/usr/bin/env node
// `make single`: writes the whole page as ONE self-contained HTML file that works when opened
// straight from disk (file://, no server): the CSS inline, the page's modules joined into one
// inline module script, the worker started from a blob: URL, and the wasm and the sample image
// inlined as base64. The same blob: script is also each layer worker of the pool: the
// coordinator starts it again (without the wasm) under the worker name `porthole-layer` and
// posts it the module it compiled. On file:// Chromium blocks module imports and fetch(), but
// an inline module, a blob: worker that compiles inlined wasm bytes, a compiled module posted
// to a nested worker (initSync) and FileReaderSync on a dropped File all work.
//
// Plain Node, no dependencies, no bundler: the page's modules only use
// `import { a, b as c } from './x.js';` lines and `export function|class|const|let` — this
// script fails loudly on anything else rather than guessing.
//
//   node www/tools/build-single.mjs [OUT]      (default $CARGO_TARGET_DIR/single/porthole.html,
//                                               target/single/porthole.html without it)
//
// This directory (www/tools) is not needed on a web server.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const www = path.resolve(import.meta.dirname, '..');
const targetDir = path.resolve(www, '..', process.env.CARGO_TARGET_DIR || 'target');
const out = path.resolve(process.argv[2] || path.join(targetDir, 'single/porthole.html'));
const read = (rel) => fs.readFileSync(path.join(www, rel), 'utf8');
const fail = (msg) => { console.error(`build-single: ${msg}`); process.exit(1); };

for (const need of ['pkg/porthole.js', 'pkg/porthole_bg.wasm', 'sample/sample.tar', 'sample/vulndb.json', 'sample/cosign.pub', 'sigstore/trusted_root.json']) {
  if (!fs.existsSync(path.join(www, need))) fail(`www/${need} is missing: run make web first`);
}

// ---- The page's modules, each wrapped in a function scope (so their top-level names cannot
// collide), in dependency order; imports become reads from the modules already evaluated.
const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*'(\.{1,2}\/[^']+)';\s*$/;
const EXPORT = /^export\s+(?:async\s+)?(?:function\*?|class|const|let)\s+([A-Za-z_$][\w$]*)/;

function bundle(entry) {
  const order = [];
  const seen = new Set();
  const parsed = new Map();
  const visit = (rel, stack) => {
    if (stack.includes(rel)) fail(`import cycle: ${[...stack, rel].join(' → ')}`);
    if (seen.has(rel)) return;
    const lines = read(rel).split('\n');
    const imports = [];
    const exports = [];
    const body = lines.map((line, n) => {
      const im = line.match(IMPORT);
      if (im) {
        const dep = path.posix.normalize(path.posix.join(path.posix.dirname(rel), im[2]));
        const names = im[1].split(',').map((s) => s.trim()).filter(Boolean)
          .map((s) => s.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, '$1: $2'));
        imports.push({ dep, names });
        return '';
      }
      if (/^\s*(import|export)\b(?!\.)/.test(line) && !EXPORT.test(line)) {
        fail(`${rel}:${n + 1}: unsupported module syntax: ${line.trim()}`);
      }
      const ex = line.match(EXPORT);
      if (ex) {
        exports.push(ex[1]);
        return line.replace(/^export\s+/, '');
      }
      return line;
    });
    for (const { dep } of imports) visit(dep, [...stack, rel]);
    seen.add(rel);
    parsed.set(rel, { imports, exports, body });
    order.push(rel);
  };
  visit(entry, []);
  return ['const portholeModules = {};', ...order.map((rel) => {
    const m = parsed.get(rel);
    return [
      `// ---- ${rel}`,
      `portholeModules[${JSON.stringify(rel)}] = (() => {`,
      ...m.imports.map((i) => `const { ${i.names.join(', ')} } = portholeModules[${JSON.stringify(i.dep)}];`),
      ...m.body,
      `return { ${m.exports.join(', ')} };`,
      '})();',
    ].join('\n');
  })].join('\n');
}

// ---- The worker: wasm-bindgen's --target web glue made a classic script (its exports become
// plain declarations), worker-core.js bundled with its imports (as the page's modules are;
// layer-core.js among them), and a start that instantiates the
// inlined wasm bytes and serves as the coordinator, or, started by it under the name
// `porthole-layer` (from its own blob: URL, without the wasm), as a layer worker of its pool,
// instantiating the module the coordinator compiled and posted to it.
function workerSource() {
  let glue = read('pkg/porthole.js');
  glue = glue.replace(/^export \{[^}]*\};?\s*$/m, '');
  glue = glue.replace(/^export (class|function|const|let) /gm, '$1 ');
  glue = glue.replace(/import\.meta\.url/g, 'self.location.href'); // only in the unused async init
  if (/^\s*(import|export)\b/m.test(glue) || /import\.meta/.test(glue)) fail('www/pkg/porthole.js has module syntax this script does not know');
  if (!/function initSync\(/.test(glue)) fail('www/pkg/porthole.js has no initSync (wasm-bindgen --target web expected)');
  // From file:// every origin is opaque, and a worker may not start a worker from the page's
  // blob: URL (another origin to it): the coordinator makes its own blob: URL of the same
  // script, from this function's source text, without the wasm: it compiles the inlined wasm
  // once and posts the compiled module to each layer worker, which instantiates it.
  return [
    'function portholeWorkerMain() {',
    glue,
    bundle('worker-core.js'),
    "const { serve } = portholeModules['worker-core.js'];",
    // worker-core.js imports layer-core.js (its stand-in layer worker): bundled once, above.
    "const { serveLayer } = portholeModules['layer-core.js'];",
    'const portholeCore = { Session, RegistryFetch, LayerFeed, RelayHashes, relay_chunk, gzip_inflatable, layer_jobs, warm_up_layer, limits_json, version, memory_bytes, vuln_db_open, vuln_db_load_index, vuln_db_export, vuln_db_import, trust_set };',
    "if (self.name === 'porthole-layer') {",
    '  serveLayer(portholeCore, (module) => { initSync({ module }); });',
    '} else {',
    '  // Started from a blob: URL by the single-file page: the wasm arrives inlined, as base64.',
    '  const portholeReady = Promise.resolve()',
    '    .then(() => WebAssembly.compile(Uint8Array.from(atob(PORTHOLE_WASM_B64), (c) => c.charCodeAt(0))))',
    '    .then((module) => { initSync({ module }); return module; });',
    '  let layerUrl = null;',
    '  const startLayerWorker = () => {',
    '    layerUrl ||= URL.createObjectURL(new Blob([portholeWorkerMain.toString(), \'\\nportholeWorkerMain();\\n\'], { type: \'text/javascript\' }));',
    "    return new Worker(layerUrl, { name: 'porthole-layer' });",
    '  };',
    '  serve(portholeCore, portholeReady, startLayerWorker);',
    '}',
    '}',
    'portholeWorkerMain();',
  ].join('\n');
}

// What the page's modules look for (worker-client.js, app.js) to run without any file.
const PRELUDE = `// make single: the worker and the sample come from the data blocks below, not from files.
globalThis.portholeEmbedded = {
  text(id) { return document.getElementById(id).textContent.trim(); },
  startWorker() {
    if (!this.workerUrl) {
      this.workerUrl = URL.createObjectURL(new Blob(
        ['const PORTHOLE_WASM_B64 = "' + this.text('porthole-wasm') + '";\\n', this.text('porthole-worker')],
        { type: 'text/javascript' }));
    }
    return new Worker(this.workerUrl);
  },
  sampleFile() {
    const bytes = Uint8Array.from(atob(this.text('porthole-sample')), (c) => c.charCodeAt(0));
    return new File([bytes], 'sample.tar', { type: 'application/x-tar' });
  },
  sampleVulnDb() {
    const bytes = Uint8Array.from(atob(this.text('porthole-sample-vulndb')), (c) => c.charCodeAt(0));
    return new Blob([bytes], { type: 'application/json' });
  },
  trustedRoot() { return this.text('porthole-trusted-root'); },
  sampleKey() {
    return new File([this.text('porthole-sample-key')], 'cosign.pub', { type: 'text/plain' });
  },
};
`;

// Text inside <script> must not end the element early.
function scriptSafe(text, what) {
  if (/<\/script|<!--|<script/i.test(text)) fail(`${what} contains a sequence that would break out of <script>`);
  return text;
}

const sha256 = (text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const css = read('style.css');
const js = scriptSafe(`${PRELUDE}\n${bundle('app.js')}\n`, 'the page script');
const worker = scriptSafe(workerSource(), 'the worker script');
const b64 = (rel) => fs.readFileSync(path.join(www, rel)).toString('base64');

// The same policy as the site, except that the script and the style are inline (allowed by
// their hashes) and the worker is a blob: URL. 'self' means nothing on file://.
const csp = [
  "default-src 'none'",
  `script-src ${sha256(js)} 'wasm-unsafe-eval'`,
  `style-src ${sha256(css)}`,
  'worker-src blob:',
  // The registries index.html allows (`make web REGISTRIES=…`), without 'self' (a file has no origin).
  `connect-src ${connectSrc()}`,
  'img-src data: blob:',
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** index.html's connect-src sources but 'self'. */
function connectSrc() {
  const m = read('index.html').match(/<meta http-equiv="Content-Security-Policy" content="[^"]*connect-src ([^;"]*)/);
  if (!m) fail('index.html: no connect-src in its Content-Security-Policy');
  return m[1].split(/\s+/).filter((s) => s && s !== "'self'").join(' ');
}

let html = read('index.html');
const replaceOnce = (from, to) => {
  if (!from.test(html)) fail(`index.html: cannot find ${from}`);
  html = html.replace(from, () => to);
};
replaceOnce(/<meta http-equiv="Content-Security-Policy" content="[^"]*">/, `<meta http-equiv="Content-Security-Policy" content="${csp}">`);
replaceOnce(/<link rel="stylesheet" href="style.css">/, `<style>${css}</style>`);
replaceOnce(/<script type="module" src="app.js"><\/script>/, `<script type="module">${js}</script>`);
replaceOnce(/<\/body>/, [
  `<script type="text/plain" id="porthole-worker">${worker}</script>`,
  `<script type="application/octet-stream" id="porthole-wasm">${b64('pkg/porthole_bg.wasm')}</script>`,
  `<script type="application/octet-stream" id="porthole-sample">${b64('sample/sample.tar')}</script>`,
  `<script type="application/octet-stream" id="porthole-sample-vulndb">${b64('sample/vulndb.json')}</script>`,
  `<script type="text/plain" id="porthole-sample-key">${read('sample/cosign.pub')}</script>`,
  `<script type="application/json" id="porthole-trusted-root">${read('sigstore/trusted_root.json')}</script>`,
  '</body>',
].join('\n'));

fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, html);
console.log(`build-single: ${path.relative(process.cwd(), out)} (${fs.statSync(out).size} bytes)`);
