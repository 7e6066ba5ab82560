#!/usr/bin/env node
// Writes the Sigstore public-good trusted root (trusted_root.json) that the
// installed @sigstore/tuf package embeds in its seeds.json, without network
// access:
//
//   node scripts/sigstore-trusted-root.mjs OUTFILE
//
// The file is the TUF target `trusted_root.json` of the repository
// https://tuf-repo-cdn.sigstore.dev as it was when that @sigstore/tuf version
// was published; refresh it by updating the devDependency (npm registry).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const REPOSITORY = 'https://tuf-repo-cdn.sigstore.dev';
const TARGET = 'trusted_root.json';
const TRUSTED_ROOT_MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.trustedroot(\+json;version=|\.v)0\.\d+/;

const outFile = process.argv[2];
if (!outFile) {
  console.error('usage: node scripts/sigstore-trusted-root.mjs OUTFILE');
  process.exit(2);
}

const require = createRequire(import.meta.url);
const tufDir = path.dirname(require.resolve('@sigstore/tuf/package.json'));
const { version } = JSON.parse(fs.readFileSync(path.join(tufDir, 'package.json'), 'utf8'));
const seeds = JSON.parse(fs.readFileSync(path.join(tufDir, 'seeds.json'), 'utf8'));

const encoded = seeds[REPOSITORY]?.targets?.[TARGET];
if (typeof encoded !== 'string') {
  console.error(`@sigstore/tuf ${version}: seeds.json has no ${REPOSITORY} target ${TARGET}`);
  process.exit(1);
}
const text = Buffer.from(encoded, 'base64').toString('utf8');
const root = JSON.parse(text); // fail loudly on anything but JSON
if (!TRUSTED_ROOT_MEDIA_TYPE.test(root.mediaType ?? '')) {
  console.error(`@sigstore/tuf ${version}: unexpected trusted root media type ${root.mediaType}`);
  process.exit(1);
}

fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
fs.writeFileSync(outFile, text);
console.log(
  `wrote ${outFile}: ${REPOSITORY} ${TARGET} from @sigstore/tuf ${version} ` +
    `(${root.tlogs?.length ?? 0} tlogs, ${root.certificateAuthorities?.length ?? 0} CAs, ` +
    `${root.ctlogs?.length ?? 0} ctlogs, ${root.timestampAuthorities?.length ?? 0} TSAs)`,
);
