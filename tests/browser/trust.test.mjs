// Signatures in real Chromium: the sample ships signed, with its public key beside it, so
// "Try a sample image" shows a verified signer, its provenance and its SBOM next to porthole's
// package list; keys are chosen, pasted and forgotten, and images already open are checked
// again each time; a wrong key is a signature that does not verify; the export equals
// `porthole inspect --key …` on the same files; nothing leaves the origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import * as H from './lib/harness.mjs';
import * as R from './lib/registry.mjs';

const tmp = H.tmpDir('trust');
let server;
let browser;
let otherKey; // a P-256 public key that signed nothing here (made by openssl)

before(async () => {
  server = await H.startServer();
  browser = await H.launch(tmp);
  const priv = path.join(tmp, 'other.key');
  execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', priv]);
  otherKey = execFileSync('openssl', ['pkey', '-in', priv, '-pubout']).toString();
});

let registry;
after(async () => {
  await browser?.ctx.close();
  await server?.close();
  registry?.stop();
});

async function openPage() {
  const page = await H.newPage(browser.ctx);
  await page.goto(server.base);
  return page;
}

const summary = (page) => page.textContent('#trust-summary');
async function summaryBecomes(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.querySelector('#trust-summary')?.textContent ?? ''), re.source);
  return summary(page);
}

test('the sample is signed: a verified signer, its provenance and SBOM, the CLI\'s report', async () => {
  const page = await openPage();
  await page.click('#sample');
  const { state } = await H.waitSettled(page);
  assert.equal(state, 'done');
  const want = H.sampleCli();
  const img = want.json.images[0];
  assert.equal(img.trust.verdict, 'verified', 'the CLI verifies the sample with its key');
  assert.equal(await summary(page), img.trust.summary);
  assert.match(img.trust.summary, /^signed by key cosign\.pub \(SHA256:[0-9a-f]{64}\) — verified$/);
  assert.equal(await page.getAttribute('#trust-panel', 'data-verdict'), 'verified');
  // The demo key vouches for the sample only: it is not among the user's keys, and said so.
  assert.equal(await page.getAttribute('body', 'data-trust'), 'none');
  assert.match(await page.textContent('#trust-note'), /sample's demo key .* vouches for the sample only/);
  const got = await H.download(page, '[data-action="download-json"]');
  assert.equal(got.bytes.toString(), want.text, 'byte-identical with --key sample/cosign.pub');

  await page.click('#tab-attestations');
  assert.equal(await page.textContent('#tab-attestations'), 'Attestations (2)');
  const prov = await H.facts(page, '#view-attestations section[data-predicate="https://slsa.dev/provenance/v1"]');
  assert.equal(prov.builder, 'https://example.com/ci/sample-builder');
  assert.equal(prov.source, 'https://example.com/sample.git#main');
  assert.equal(prov.commit, '9f2c1e4b7a0d3c5e8f1a2b3c4d5e6f708192a3b4');
  assert.equal(prov['build-args'], 'build-arg:PYYAML_VERSION=5.3.1, source=docker/dockerfile:1');
  assert.match(prov.signature, /^verified, key cosign\.pub/);
  // The attested SBOM against porthole's list: PyYAML in both, requests only attested.
  const sbom = '#view-attestations section[data-predicate="https://spdx.dev/Document"]';
  assert.equal(await page.textContent(`${sbom} tr[data-where="both"] td:first-child`), 'PyYAML');
  assert.equal(await page.textContent(`${sbom} tr[data-where="attestation-only"] td:first-child`), 'requests');
  await H.shot(page, 'sample-attestations');
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('no key, a wrong key pasted, the right one chosen, keys forgotten: the open image is checked again each time', async () => {
  const page = await openPage();
  await page.setInputFiles('#file-input', path.join(H.www, 'sample/sample.tar'));
  await H.waitSettled(page);
  assert.equal(await summaryBecomes(page, /not verified/), 'signed — not verified (no key or root given)');
  assert.equal(await page.getAttribute('body', 'data-trust'), 'none');
  assert.equal(await page.locator('#trust-note').count(), 0, 'no demo key for a file the user opened');
  // A key that signed nothing here.
  await page.click('#trust summary');
  await page.fill('#trust-paste', otherKey);
  await page.click('#trust-paste-add');
  const bad = await summaryBecomes(page, /^signature does not verify/);
  assert.match(bad, /the key given \(pasted 1\) does not verify it/);
  assert.equal(await page.getAttribute('#trust-panel', 'data-verdict'), 'invalid');
  assert.equal(await page.getAttribute('body', 'data-trust'), 'set');
  // The sample's own key, chosen as a file: verified.
  await page.click('#trust-clear');
  await page.setInputFiles('input[data-input=trust]', path.join(H.www, 'sample/cosign.pub'));
  assert.match(await summaryBecomes(page, /verified$/), /^signed by key cosign\.pub/);
  assert.match(await page.textContent('#trust-status'), /cosign\.pub \(ECDSA P-256, SHA256:/);
  // Forgotten: not verified again.
  await page.click('#trust-clear');
  assert.equal(await summaryBecomes(page, /not verified/), 'signed — not verified (no key or root given)');
  // Something that is no key: said so.
  const junk = path.join(tmp, 'junk.pem');
  fs.writeFileSync(junk, 'not a key');
  await page.setInputFiles('input[data-input=trust]', junk);
  await page.waitForFunction(() => document.body.dataset.trust === 'error');
  assert.match(await page.textContent('#trust-status'), /junk\.pem: not a PEM public key, PEM certificates or sigstore's trusted_root\.json/);
  assert.deepEqual(await page.problems(), []);
  await page.close();
});

test('an image opened with a key from the start, and the request log stays on the origin', async () => {
  const page = await openPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.setInputFiles('input[data-input=trust]', path.join(H.www, 'sample/cosign.pub'));
  await page.setInputFiles('#file-input', path.join(H.www, 'sample/sample.tar'));
  await H.waitSettled(page);
  assert.match(await summaryBecomes(page, /verified$/), /^signed by key cosign\.pub .* — verified$/);
  const want = H.cliWith(path.join(H.www, 'sample/sample.tar'), ['--key', 'sample/cosign.pub'], H.www);
  const got = await H.download(page, '[data-action="download-json"]');
  assert.equal(got.bytes.toString(), want.text);
  assert.deepEqual(H.foreignRequests(requests, [server.base]), []);
  await page.close();
});

const sha256 = (b) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

/** Uploads a blob through the distribution API (POST, then PUT with its digest). */
async function uploadBlob(origin, repo, bytes) {
  const start = await fetch(`${origin}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202);
  const loc = new URL(start.headers.get('location'), origin);
  loc.searchParams.set('digest', sha256(bytes));
  const put = await fetch(loc, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(put.status, 201, await put.text());
}

test('a registry image signed as cosign signs it: found by its .sig tag, verified in the page as by the CLI, GET only', async () => {
  R.need('docker-registry', 'skopeo');
  registry = await R.startRegistry(path.join(tmp, 'registry'));
  // The image alone, pushed by skopeo; then its signature, as cosign pushes it.
  registry.push(`${path.join(H.www, 'sample/sample.tar')}:latest`, 'signed/sample:1');
  const ref = `${registry.host}/signed/sample:1`;
  const unsigned = H.cliWith(ref, []);
  const digest = unsigned.json.images[0].manifest_digest;
  assert.equal(unsigned.json.images[0].trust.verdict, 'unsigned');
  const payload = Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': `${registry.host}/signed/sample` }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' }, optional: null }));
  const payloadFile = path.join(tmp, 'payload.json');
  fs.writeFileSync(payloadFile, payload);
  const sig = execFileSync('openssl', ['dgst', '-sha256', '-sign', path.join(H.root, 'scripts/sample-signing-key.pem'), payloadFile]).toString('base64');
  const config = Buffer.from(JSON.stringify({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [sha256(payload)] }, config: {} }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: sha256(config) },
    layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', size: payload.length, digest: sha256(payload), annotations: { 'dev.cosignproject.cosign/signature': sig } }],
  }));
  await uploadBlob(registry.origin, 'signed/sample', config);
  await uploadBlob(registry.origin, 'signed/sample', payload);
  const tag = `${digest.replace(':', '-')}.sig`;
  const put = await fetch(`${registry.origin}/v2/signed/sample/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(put.status, 201, await put.text());

  const page = await openPage();
  await page.setInputFiles('input[data-input=trust]', path.join(H.www, 'sample/cosign.pub'));
  await page.waitForFunction(() => document.body.dataset.trust === 'set');
  await page.fill('input[name=image-ref]', ref);
  await page.click('[data-action="fetch"]');
  const { state } = await H.waitSettled(page, 120000);
  assert.equal(state, 'done');
  assert.match(await summaryBecomes(page, /verified$/), /^signed by key cosign\.pub \(SHA256:[0-9a-f]{64}\) — verified$/);
  const want = H.cliWith(ref, ['--key', path.join(H.www, 'sample/cosign.pub')]);
  assert.equal(want.json.images[0].signatures[0].found, `tag ${tag}`);
  const got = await H.download(page, '[data-action="download-json"]');
  assert.deepEqual(JSON.parse(got.bytes.toString()).images[0].signatures, want.json.images[0].signatures);
  assert.deepEqual(JSON.parse(got.bytes.toString()).images[0].trust, want.json.images[0].trust);
  // The page only read the registry, its lookups included.
  const methods = registry.browserMethods();
  assert.ok(methods.length > 0, 'the registry logged the browser\'s requests');
  assert.deepEqual(methods.filter((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m)), []);
  await page.close();
});
