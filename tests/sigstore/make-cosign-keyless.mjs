#!/usr/bin/env node
// Test material for cosign's CLASSIC keyless image signatures, made offline.
//
//   node tests/sigstore/make-cosign-keyless.mjs OUTDIR PAYLOAD_FILE
//
// PAYLOAD_FILE holds the simple-signing payload (the bytes of the layer of
// media type application/vnd.dev.cosign.simplesigning.v1+json in the
// sha256-<hex>.sig image). Everything is signed over exactly those bytes.
//
// A classic signature layer carries four annotations (cosign
// pkg/oci/static/signature.go, pkg/oci/internal/signature/layer.go):
//
//   dev.cosignproject.cosign/signature  base64 ECDSA (ASN.1 DER) signature over
//                                       the payload (SHA-256), by the leaf key
//   dev.sigstore.cosign/certificate     the Fulcio leaf certificate, PEM
//   dev.sigstore.cosign/chain           intermediate(s) then root, PEM
//   dev.sigstore.cosign/bundle          the "Rekor bundle" (pkg/cosign/bundle/rekor.go):
//       {"SignedEntryTimestamp":"<b64>","Payload":{"body":"<b64 canonicalized
//        hashedrekord 0.0.1 entry>","integratedTime":N,"logIndex":N,"logID":"<hex>"}}
//
// The SET is the log's ECDSA signature over the RFC 8785 canonical JSON of
// {body, integratedTime, logID, logIndex} (the Payload object). The
// hashedrekord body holds data.hash = {algorithm: sha256, value: hex
// sha256(payload)}, signature.content = the base64 signature and
// signature.publicKey.content = base64 of the leaf certificate PEM.
//
// Written to OUTDIR:
//   trusted_root.json   the mock Fulcio CA, Rekor log and CT log (as make-bundles.mjs);
//   <case>.json         {"signature", "certificate", "chain", "bundle"}: the four
//                       annotation values (a field is left out when the case has no
//                       such annotation; "bundle" is the annotation's JSON text);
//   verdicts.json       {"<case>": {"ok", "error"}}: what @sigstore/verify says about
//                       the same material converted to a Sigstore bundle v0.1.
//
// Cases (identity signer@porthole.test, issuer https://issuer.porthole.test):
//   good            everything, all consistent                        -> accept
//   good-no-chain   no chain annotation (chain from trusted_root.json) -> accept
//   no-bundle       no Rekor bundle: no verified integrated time      -> reject offline
//   bad-set         bundle's SET is that of another log entry         -> reject
//   body-other      bundle's Payload.body is the entry of another signature
//                   (same key, same payload, other ECDSA signature); SET re-signed
//                   by the log key so that the SET itself verifies   -> reject
//   time-outside    logged (SET valid) an hour before the leaf's notBefore -> reject
//   untrusted-ca    leaf + chain from a CA that is not in the trusted root -> reject
//   tampered        signature annotation with its last byte flipped   -> reject
//   no-sct          leaf certificate without an embedded SCT          -> reject
//
// Keys are fresh every run; case names, identities and verdicts are stable.

import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';

import {
  EMAIL,
  ISSUER,
  b64,
  commandLine,
  dayBefore,
  derFromPEM,
  ecKeyPair,
  flipLastByte,
  identityPolicy,
  issuerExtensions,
  mockSigstore,
  pemBlock,
  sha256,
  sigstoreVerifier,
  sigstoreVerifyVersion,
  spkiDer,
  trustedRoot,
  verifyBundle,
  writeJSON,
} from './mock-services.mjs';

const require = createRequire(import.meta.url);
const sgBundle = require('@sigstore/bundle');

const [outDir, payloadFile] = commandLine('make-cosign-keyless.mjs', 'PAYLOAD_FILE');

const startedAt = Date.now();
const now = new Date();

// What cryptoutils.MarshalCertificateToPEM gives (Go's pem.EncodeToMemory).
const certPEM = (der) => pemBlock('CERTIFICATE', der);

// --- services ---------------------------------------------------------------

const { ctLog, ca, caNoSCT, untrustedCA, rekor } = mockSigstore({ now });

const chainPEM = (authority) => authority.chainDer.map(certPEM).join(''); // intermediate, root

// A Fulcio leaf for an e-mail identity, as Fulcio issues it for an OIDC token
// with iss = ISSUER and a verified e-mail claim (ephemeral P-256 key, as cosign).
async function issueLeaf(authority) {
  const keyPair = ecKeyPair('P-256');
  const der = Buffer.from(
    await authority.issueCertificate({
      publicKey: spkiDer(keyPair.publicKey),
      subjectAltName: EMAIL,
      extensions: issuerExtensions(ISSUER),
    }),
  );
  return { keyPair, der, pem: certPEM(der) };
}

// ECDSA P-256 / SHA-256 over the payload bytes, ASN.1 DER, base64 (std, padded).
const signPayload = (leaf, payload) => b64(crypto.sign('sha256', payload, leaf.keyPair.privateKey));

// Upload a hashedrekord 0.0.1 entry the way cosign does (pkg/cosign/tlog.go
// rekorEntry): data.hash = sha256(payload), signature.content = the signature,
// signature.publicKey.content = the leaf certificate PEM. Returns the log
// entry (body, integratedTime, logID, logIndex, verification).
async function logSignature(leaf, payload, b64sig) {
  const response = await rekor.log({
    kind: 'hashedrekord',
    apiVersion: '0.0.1',
    spec: {
      data: { hash: { algorithm: 'sha256', value: sha256(payload).toString('hex') } },
      signature: { content: b64sig, publicKey: { content: b64(leaf.pem) } },
    },
  });
  return Object.values(response)[0];
}

// cosign's bundle.RekorBundle, marshalled as Go's encoding/json does it
// (field order of the structs, []byte as padded std base64, compact).
function rekorBundle(entry, { set = entry.verification.signedEntryTimestamp, body = entry.body } = {}) {
  return JSON.stringify({
    SignedEntryTimestamp: set,
    Payload: { body, integratedTime: entry.integratedTime, logIndex: entry.logIndex, logID: entry.logID },
  });
}

// What the log signs for a SET: canonical JSON of the bundle's Payload.
const signSET = (payload) => b64(rekor.signedEntryTimestamp(payload));

// --- cases ------------------------------------------------------------------

const payload = fs.readFileSync(payloadFile);
const cases = {};

// good, and the material the edited cases start from.
const leaf = await issueLeaf(ca);
const signature = signPayload(leaf, payload);
const entry = await logSignature(leaf, payload, signature);
const good = { signature, certificate: leaf.pem, chain: chainPEM(ca), bundle: rekorBundle(entry) };
cases.good = good;

{
  const { chain, ...rest } = good;
  cases['good-no-chain'] = rest;
}
{
  const { bundle, ...rest } = good;
  cases['no-bundle'] = rest;
}

// Another signature by the same key over the same payload (ECDSA signatures
// are randomized, so the bytes differ), logged as its own entry.
let otherSignature;
do otherSignature = signPayload(leaf, payload);
while (otherSignature === signature);
const otherEntry = await logSignature(leaf, payload, otherSignature);

cases['bad-set'] = { ...good, bundle: rekorBundle(entry, { set: otherEntry.verification.signedEntryTimestamp }) };
cases['body-other'] = {
  ...good,
  bundle: rekorBundle(entry, {
    body: otherEntry.body,
    set: signSET({ ...entry, body: otherEntry.body }),
  }),
};

{
  // An hour before the leaf's notBefore (leaf certificates live 10 minutes),
  // inside the validity of the CA and of the log key: only the certificate
  // validity check at the integrated time can reject it.
  const early = await issueLeaf(ca);
  const sig = signPayload(early, payload);
  rekor.integratedTimeOverride = Math.floor(Date.now() / 1000) - 3600;
  const e = await logSignature(early, payload, sig);
  rekor.integratedTimeOverride = null;
  cases['time-outside'] = { signature: sig, certificate: early.pem, chain: chainPEM(ca), bundle: rekorBundle(e) };
}
{
  const stranger = await issueLeaf(untrustedCA);
  const sig = signPayload(stranger, payload);
  const e = await logSignature(stranger, payload, sig);
  cases['untrusted-ca'] = {
    signature: sig,
    certificate: stranger.pem,
    chain: chainPEM(untrustedCA),
    bundle: rekorBundle(e),
  };
}
cases.tampered = { ...good, signature: flipLastByte(good.signature) };
{
  const bare = await issueLeaf(caNoSCT);
  const sig = signPayload(bare, payload);
  const e = await logSignature(bare, payload, sig);
  cases['no-sct'] = { signature: sig, certificate: bare.pem, chain: chainPEM(ca), bundle: rekorBundle(e) };
}

// --- trusted root -------------------------------------------------------------

const root = trustedRoot({ since: dayBefore(now), ca, ctLog, tlogs: [rekor] });

fs.mkdirSync(outDir, { recursive: true });
writeJSON(outDir, 'trusted_root.json', root);
for (const [name, material] of Object.entries(cases)) writeJSON(outDir, `${name}.json`, material);

// --- verdicts of @sigstore/verify -------------------------------------------
//
// The annotations become a v0.1 Sigstore bundle: messageSignature (digest =
// sha256(payload), the signature), x509CertificateChain = [leaf] (the chain
// annotation is dropped: @sigstore/verify, like cosign given a trusted root,
// builds the chain from trusted_root.json), and the Rekor bundle as the one
// tlog entry with only an inclusion promise (classic signatures carry no
// inclusion proof). Where this is not faithful to cosign:
//   * @sigstore/verify does not compare the hashedrekord body's publicKey with
//     the certificate (cosign's comparePublicKey does); it compares the body's
//     signature and digest only.
//   * no-bundle: cosign would look the entry up in Rekor online (or fail with
//     "offline verification failed" under --offline); a v0.1 bundle without a
//     tlog entry has no timestamp, so @sigstore/verify rejects it for that.
//   * cosign runs its bundle checks (signature / key / hash of the body, then
//     the SET) before the certificate checks; @sigstore/verify checks the
//     certificate (at the integrated time) first, so the first error differs.
//   * cosign also checks the payload's docker-manifest-digest against the
//     image; @sigstore/verify treats the payload as opaque bytes.

const policy = identityPolicy(EMAIL);
const verifier = sigstoreVerifier(root);

function toSigstoreBundle(material) {
  const leafDer = derFromPEM(material.certificate);
  const tlogEntries = [];
  if (material.bundle) {
    const rb = JSON.parse(material.bundle);
    tlogEntries.push({
      logIndex: String(rb.Payload.logIndex),
      logId: { keyId: b64(Buffer.from(rb.Payload.logID, 'hex')) },
      kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
      integratedTime: String(rb.Payload.integratedTime),
      inclusionPromise: { signedEntryTimestamp: rb.SignedEntryTimestamp },
      canonicalizedBody: rb.Payload.body,
    });
  }
  return {
    mediaType: sgBundle.BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial: {
      x509CertificateChain: { certificates: [{ rawBytes: b64(leafDer) }] },
      tlogEntries,
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: b64(sha256(payload)) },
      signature: material.signature,
    },
  };
}

const verdicts = {};
for (const [name, material] of Object.entries(cases)) {
  const { ok, error, code } = verifyBundle(verifier, toSigstoreBundle(material), payload, policy);
  verdicts[name] = { ok, error: code ? `${code}: ${error}` : error };
}
writeJSON(outDir, 'verdicts.json', verdicts);

const accepted = Object.entries(verdicts).filter(([, v]) => v.ok).map(([k]) => k);
console.log(
  `cosign keyless test material: ${Object.keys(cases).length} cases + trusted_root.json, verdicts.json in ${outDir}; ` +
    `@sigstore/verify ${sigstoreVerifyVersion} accepts ${accepted.join(', ') || 'none'} ` +
    `(payload sha256:${sha256(payload).toString('hex')}, ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`,
);
