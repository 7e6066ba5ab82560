#!/usr/bin/env node
// Which plain-http registries the page may read (`make web REGISTRIES="…"`).
//
//   node www/tools/registries.mjs [--www DIR] [ORIGIN…]
//
// The page's Content-Security-Policy allows any https origin and plain http only on localhost
// and 127.0.0.1; intranet registries are often plain http, and a policy cannot be widened at
// runtime (a header can only narrow a meta policy). This writes the ORIGINs given
// (`http://registry.intranet:5000`, `http://*.build.example`) into DIR/index.html's policy
// (DIR: www/ by default), and the same policy as a header, with frame-ancestors, into
// DIR/csp-header.txt for hosts that send it (docs/hosting.md); the single-file build takes
// them from index.html. Without ORIGINs both are back to the default. A token service or blob
// storage on another plain-http host must be listed too.
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
let dir = path.join(import.meta.dirname, '..');
if (args[0] === '--www') {
  dir = args[1];
  args.splice(0, 2);
}
const origins = args.flatMap((a) => a.split(/[\s,]+/)).filter(Boolean);

// A scheme, a host (letters, digits, dots, dashes; a leading `*.`), an optional port or `:*`.
// Nothing else may reach the policy (no quotes, semicolons or paths).
const ORIGIN = /^(https?):\/\/(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:(\d{1,5}|\*))?$/;
for (const o of origins) {
  if (!ORIGIN.test(o)) {
    console.error(`registries: ${JSON.stringify(o)} is not an origin like http://registry.intranet:5000 (lowercase, no path)`);
    process.exit(1);
  }
}

const DEFAULT_CONNECT = "'self' https: http://localhost:* http://127.0.0.1:*";
const connect = [DEFAULT_CONNECT, ...origins].join(' ');
const file = path.join(dir, 'index.html');
let html;
try {
  html = fs.readFileSync(file, 'utf8');
} catch (e) {
  console.error(`registries: cannot read ${file}: ${e.message}`);
  process.exit(1);
}
const META = /(<meta http-equiv="Content-Security-Policy" content="[^"]*connect-src )([^;"]*)(;[^"]*">)/;
if (!META.test(html)) {
  console.error(`registries: ${file} has no Content-Security-Policy with connect-src`);
  process.exit(1);
}
const updated = html.replace(META, (_, a, _old, b) => `${a}${connect}${b}`);
if (updated !== html) fs.writeFileSync(file, updated);
const policy = updated.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/)[1];
fs.writeFileSync(path.join(dir, 'csp-header.txt'), `${policy}; frame-ancestors 'none'\n`);
console.log(`registries: connect-src ${connect}`);
