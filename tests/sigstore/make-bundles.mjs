#!/usr/bin/env node
// Sigstore bundle test material for porthole's verifier, made offline.
//
//   node tests/sigstore/make-bundles.mjs OUTDIR ARTIFACT_FILE
//
// ARTIFACT_FILE holds the signed bytes (an OCI image manifest: its sha256 is
// the image's manifest digest). Bundles are made by @sigstore/sign's bundle
// builders, FulcioSigner, RekorWitness and TSAWitness talking (through nock,
// no network) to @sigstore/mock's Fulcio, Rekor and TSA handlers, which are
// backed by the CA, CT log and Rekor log of ./mock-services.mjs and by
// @sigstore/mock's own timestamp authority. Every bundle is then checked by
// @sigstore/verify against the trusted_root.json written here; the verdicts
// go to verdicts.json. Fresh keys every run; file names and verdicts are
// stable.
//
// Two kinds of log entries:
//   * Rekor v1 (hashedrekord/dsse 0.0.1, intoto 0.0.2): a SET (inclusion
//     promise) whose integratedTime is the trusted signing time, and an
//     inclusion proof with an ECDSA-signed checkpoint;
//   * Rekor v2, what cosign 3 writes for keyless signing (keyless-v2-*):
//     hashedrekord/dsse 0.0.2 from the rekor-tiles-like log of
//     mock-services.mjs (MockRekorV2): no SET, no integratedTime, an inclusion
//     proof with an Ed25519-signed checkpoint. The trusted time is then an
//     RFC 3161 timestamp over the signature, in
//     verificationMaterial.timestampVerificationData.rfc3161Timestamps.
// keyless-v1-and-tsa.json has both a v1 entry and a timestamp (two trusted
// times). trusted_root.json lists both logs (v2: PKIX_ED25519 key, log ID =
// signed-note key ID) and the TSA (signing certificate first, then its root).
//
// verdicts.json: { "<file>[#variant]": { ok, error, code, policy, expectOk[, note] } }
//   ok/error/code: what @sigstore/verify said (error message, VerificationError code);
//   policy: the identity policy used (SAN is a regular expression, null for key bundles);
//   expectOk: what a strict verifier (sigstore-go / cosign) must say; differs from ok
//   only where `note` explains why.

import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import {
  EMAIL,
  FULCIO_URL,
  ISSUER,
  MockRekorV2,
  REKOR_URL,
  b64,
  commandLine,
  dayBefore,
  derFromPEM,
  ecKeyPair,
  flipLastByte,
  identityPolicy,
  mockSigstore,
  sha256,
  sigstoreVerifier,
  sigstoreVerifyVersion,
  spkiDer,
  trustedRoot,
  verifyBundle,
  writeJSON,
} from './mock-services.mjs';

const require = createRequire(import.meta.url);
const sign = require('@sigstore/sign');
const sgBundle = require('@sigstore/bundle');
const sgMock = require('@sigstore/mock');
const specs = require('@sigstore/protobuf-specs');
// nock is @sigstore/mock's own dependency: resolve it from there.
const nock = createRequire(require.resolve('@sigstore/mock'))('nock');

const [outDir, artifactFile] = commandLine('make-bundles.mjs', 'ARTIFACT_FILE');

const FULCIO_NO_SCT_URL = 'https://fulcio-nosct.porthole.test';
const FULCIO_UNTRUSTED_URL = 'https://fulcio-untrusted.porthole.test';
// A rekor-tiles shard is named after its host, which is also its checkpoint origin.
const REKOR_V2_URL = 'https://log2026-1.rekor.porthole.test';
const TSA_URL = 'https://tsa.porthole.test';
const TSA_UNTRUSTED_URL = 'https://tsa-untrusted.porthole.test';
const URI_IDENTITY = 'https://github.com/porthole/porthole/.github/workflows/release.yml@refs/heads/main';
const PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';
const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

const startedAt = Date.now();
const now = new Date();
const dayAgo = dayBefore(now);

// --- services ---------------------------------------------------------------

const { ctLog, ca, caNoSCT, untrustedCA, rekor } = mockSigstore({ now });
const rekorV2 = new MockRekorV2({ baseURL: REKOR_V2_URL });
// @sigstore/mock's TSA wants an EC key (it goes through WebCrypto ECDSA); its
// root and signing ("int") certificates share that key and are ECDSA-SHA384.
const tsa = await sgMock.initializeTSA(ecKeyPair('P-256'));
const untrustedTSA = await sgMock.initializeTSA(ecKeyPair('P-256'));
// The mock TSA (asn1js) writes genTime's fraction as DER wants it, without
// trailing zeros (".24Z"; none at all on a whole second), but @sigstore/core
// only parses exactly three digits and rejects the rest as "invalid time".
// Left alone, one timestamp in ten would make a good bundle fail at random, so
// the TSA clocks skip the milliseconds that end in 0 (keyless-v2-timestamp-
// short-fraction.json keeps one such time on purpose).
function setTSAClock(authority, { offsetMs = 0, fixedMs = null } = {}) {
  authority.getCurrentTime = () => {
    const t = Date.now() + offsetMs;
    if (fixedMs !== null) return new Date(Math.floor(t / 1000) * 1000 + fixedMs);
    return new Date(t % 10 === 0 ? t + 1 : t);
  };
}
setTSAClock(tsa);
setTSAClock(untrustedTSA);

nock.disableNetConnect();
function serve(baseURL, handler) {
  nock(baseURL)
    .persist()
    .post(handler.path)
    .reply(async (_uri, body) => {
      const request = typeof body === 'string' ? body : JSON.stringify(body);
      const { statusCode, response, contentType } = await handler.fn(request);
      return [statusCode, response, { 'Content-Type': contentType || 'text/plain' }];
    });
}
serve(FULCIO_URL, sgMock.fulcioHandler(ca));
serve(FULCIO_NO_SCT_URL, sgMock.fulcioHandler(caNoSCT));
serve(FULCIO_UNTRUSTED_URL, sgMock.fulcioHandler(untrustedCA));
serve(REKOR_URL, sgMock.rekorHandler(rekor));
serve(REKOR_V2_URL, {
  path: '/api/v2/log/entries',
  fn: async (body) => ({
    statusCode: 201,
    response: JSON.stringify(await rekorV2.logV2(body)),
    contentType: 'application/json',
  }),
});
serve(TSA_URL, sgMock.tsaHandler(tsa)); // POST /api/v1/timestamp
serve(TSA_UNTRUSTED_URL, sgMock.tsaHandler(untrustedTSA));

// --- signers ----------------------------------------------------------------

// An unsigned OIDC token: the mock Fulcio reads its claims without checking it.
function identityProvider(claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const token = `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
  return { getToken: async () => token };
}
const emailClaims = { iss: ISSUER, sub: EMAIL, email: EMAIL, email_verified: true, aud: 'sigstore' };
const uriClaims = { iss: ISSUER, sub: URI_IDENTITY, aud: 'sigstore' };
const keyless = (fulcioBaseURL, claims = emailClaims) =>
  new sign.FulcioSigner({ fulcioBaseURL, identityProvider: identityProvider(claims) });

// Public-key signer; the hint is cosign's: base64(sha256(DER SubjectPublicKeyInfo)).
const signingKey = ecKeyPair('P-256');
const signingKeyDer = spkiDer(signingKey.publicKey);
const signingKeyHint = b64(sha256(signingKeyDer));
class KeySigner {
  constructor(keyPair, hint) {
    this.keyPair = keyPair;
    this.hint = hint;
  }
  async sign(data) {
    return {
      signature: crypto.sign('sha256', data, this.keyPair.privateKey),
      key: {
        $case: 'publicKey',
        publicKey: this.keyPair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
        hint: this.hint,
      },
    };
  }
}

// @sigstore/sign's MessageSignatureBundleBuilder always emits a v0.2 bundle
// (x509CertificateChain); @sigstore/bundle can build the v0.3 form (single
// certificate), which is what this subclass asks it for.
class MessageBundleBuilderV03 extends sign.MessageSignatureBundleBuilder {
  async package(artifact, signature) {
    const cert = signature.key.$case === 'x509Certificate' ? signature.key.certificate : undefined;
    return sgBundle.toMessageSignatureBundle({
      digest: sha256(artifact.data),
      signature: signature.signature,
      certificate: cert ? derFromPEM(cert) : undefined,
      keyHint: signature.key.$case === 'publicKey' ? signature.key.hint : undefined,
      certificateChain: false,
    });
  }
}

const rekorWitness = new sign.RekorWitness({ rekorBaseURL: REKOR_URL }); // dsse 0.0.1 for envelopes
const rekorIntotoWitness = new sign.RekorWitness({ rekorBaseURL: REKOR_URL, entryType: 'intoto' });
// What cosign 3 uses for keyless signing: a Rekor v2 entry plus a timestamp.
const rekorV2Witness = new sign.RekorWitness({ rekorBaseURL: REKOR_V2_URL, majorApiVersion: 2 });
const tsaWitness = new sign.TSAWitness({ tsaBaseURL: TSA_URL });
const untrustedTSAWitness = new sign.TSAWitness({ tsaBaseURL: TSA_UNTRUSTED_URL });
const v2Witnesses = [rekorV2Witness, tsaWitness];

async function messageBundle(signer, data, { v02 = false, witnesses = [rekorWitness] } = {}) {
  const Builder = v02 ? sign.MessageSignatureBundleBuilder : MessageBundleBuilderV03;
  const bundle = await new Builder({ signer, witnesses }).create({ data });
  return sgBundle.bundleToJSON(bundle);
}
async function dsseBundle(signer, payload, { witness = rekorWitness, witnesses = [witness] } = {}) {
  const builder = new sign.DSSEBundleBuilder({ signer, witnesses });
  const bundle = await builder.create({ data: payload, type: INTOTO_PAYLOAD_TYPE });
  return sgBundle.bundleToJSON(bundle);
}

// --- material -----------------------------------------------------------------

const artifact = fs.readFileSync(artifactFile);
const artifactDigest = sha256(artifact).toString('hex');
const otherArtifact = Buffer.from('porthole test material: some other artifact\n');
const statementFor = (digestHex) =>
  Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'image', digest: { sha256: digestHex } }],
      predicateType: PREDICATE_TYPE,
      predicate: {},
    }),
  );

const files = {}; // name -> bundle JSON
const clone = (o) => structuredClone(o);
const entryOf = (bundle) => bundle.verificationMaterial.tlogEntries[0];

// Good bundles.
rekor.checkpointTimestampLine = false;
files['keyless-message.json'] = await messageBundle(keyless(FULCIO_URL), artifact);
files['keyless-message-v02.json'] = await messageBundle(keyless(FULCIO_URL), artifact, { v02: true });
{
  // v0.1: what sigstore-js 1.x wrote: x509CertificateChain, SET only.
  const b = clone(files['keyless-message-v02.json']);
  b.mediaType = sgBundle.BUNDLE_V01_MEDIA_TYPE;
  delete entryOf(b).inclusionProof;
  files['keyless-message-v01.json'] = b;
}
files['keyless-uri-san.json'] = await messageBundle(keyless(FULCIO_URL, uriClaims), artifact);
files['key-message.json'] = await messageBundle(new KeySigner(signingKey, signingKeyHint), artifact);

rekor.checkpointTimestampLine = true; // older Rekor's "Timestamp: <ns>" note line
files['keyless-dsse.json'] = await dsseBundle(keyless(FULCIO_URL), statementFor(artifactDigest));
files['keyless-dsse-intoto.json'] = await dsseBundle(keyless(FULCIO_URL), statementFor(artifactDigest), {
  witness: rekorIntotoWitness,
});
files['key-dsse.json'] = await dsseBundle(new KeySigner(signingKey, signingKeyHint), statementFor(artifactDigest));
rekor.checkpointTimestampLine = false;

// Lies signed afresh.
files['other-artifact.json'] = await messageBundle(keyless(FULCIO_URL), otherArtifact);
files['untrusted-ca.json'] = await messageBundle(keyless(FULCIO_UNTRUSTED_URL), artifact);
files['keyless-no-sct.json'] = await messageBundle(keyless(FULCIO_NO_SCT_URL), artifact);
// An hour before the leaf certificate's notBefore (leaf certificates live 10
// minutes), not in the future: only the validity check can reject it.
rekor.integratedTimeOverride = Math.floor(Date.now() / 1000) - 3600;
files['integrated-time-outside.json'] = await messageBundle(keyless(FULCIO_URL), artifact);
rekor.integratedTimeOverride = null;
files['keyless-dsse-other-subject.json'] = await dsseBundle(
  keyless(FULCIO_URL),
  statementFor(sha256(otherArtifact).toString('hex')),
);
files['key-message-other-key.json'] = await messageBundle(new KeySigner(ecKeyPair('P-256'), signingKeyHint), artifact);

// Lies edited from good bundles.
const good = files['keyless-message.json'];
const other = files['other-artifact.json'];
const edited = (mutate) => {
  const b = clone(good);
  mutate(b, entryOf(b));
  return b;
};
files['tampered-signature.json'] = edited((b) => {
  b.messageSignature.signature = flipLastByte(b.messageSignature.signature);
});
files['bad-inclusion-proof.json'] = edited((_, e) => {
  e.inclusionProof.hashes[0] = flipLastByte(e.inclusionProof.hashes[0]);
});
files['proof-roothash-mismatch.json'] = edited((_, e) => {
  e.inclusionProof.rootHash = flipLastByte(e.inclusionProof.rootHash);
});
files['bad-checkpoint.json'] = edited((_, e) => {
  e.inclusionProof.checkpoint.envelope = e.inclusionProof.checkpoint.envelope.replace(
    /^(\u2014 \S+ )(\S+)$/m,
    (_m, head, sig) => head + flipLastByte(sig),
  );
});
files['bad-set.json'] = edited((_, e) => {
  e.inclusionPromise.signedEntryTimestamp = entryOf(other).inclusionPromise.signedEntryTimestamp;
});
files['body-mismatch.json'] = edited((_, e) => {
  e.canonicalizedBody = entryOf(other).canonicalizedBody;
});
files['tlog-entry-of-other-signature.json'] = edited((b) => {
  b.verificationMaterial.tlogEntries = clone(other.verificationMaterial.tlogEntries);
});
files['integrated-time-outside-edited.json'] = edited((_, e) => {
  e.integratedTime = String(Number(e.integratedTime) - 3600); // the SET no longer matches
});

// Rekor v2 + RFC 3161 timestamps. Good ones first.
files['keyless-v2-message.json'] = await messageBundle(keyless(FULCIO_URL), artifact, { witnesses: v2Witnesses });
files['keyless-v2-dsse.json'] = await dsseBundle(keyless(FULCIO_URL), statementFor(artifactDigest), {
  witnesses: v2Witnesses,
});
files['keyless-v1-and-tsa.json'] = await messageBundle(keyless(FULCIO_URL), artifact, {
  witnesses: [rekorWitness, tsaWitness],
});

// Lies signed afresh. A v2 entry alone carries no trusted time.
files['keyless-v2-no-timestamp.json'] = await messageBundle(keyless(FULCIO_URL), artifact, {
  witnesses: [rekorV2Witness],
});
const otherV2 = await messageBundle(keyless(FULCIO_URL), otherArtifact, { witnesses: v2Witnesses });
// The TSA's clock an hour ahead: its certificate is valid then, the 10-minute
// Fulcio leaf is not, so only the validity check against the timestamp can
// reject it.
setTSAClock(tsa, { offsetMs: 3600e3 });
files['keyless-v2-timestamp-outside-validity.json'] = await messageBundle(keyless(FULCIO_URL), artifact, {
  witnesses: v2Witnesses,
});
setTSAClock(tsa);
// A genuine timestamp from a TSA that trusted_root.json does not list. Both
// @sigstore/mock TSAs have the same names and serial numbers (CN=tsa signing,
// serial 02), so a verifier cannot tell them apart without the signature.
files['keyless-v2-untrusted-tsa.json'] = await messageBundle(keyless(FULCIO_URL), artifact, {
  witnesses: [rekorV2Witness, untrustedTSAWitness],
});

// Lies edited from the good v2 message bundle.
const goodV2 = files['keyless-v2-message.json'];
const timestampsOf = (b) => b.verificationMaterial.timestampVerificationData.rfc3161Timestamps;
const editedV2 = (mutate) => {
  const b = clone(goodV2);
  mutate(b, entryOf(b));
  return b;
};
files['keyless-v2-tampered-timestamp.json'] = editedV2((b) => {
  // The last byte of the TimeStampResp is the last byte of the signer's ECDSA
  // signature (no unsigned attributes follow): still DER, wrong signature.
  timestampsOf(b)[0].signedTimestamp = flipLastByte(timestampsOf(b)[0].signedTimestamp);
});
files['keyless-v2-timestamp-of-other-signature.json'] = editedV2((b) => {
  b.verificationMaterial.timestampVerificationData.rfc3161Timestamps = clone(timestampsOf(otherV2));
});
files['keyless-v2-bad-checkpoint.json'] = editedV2((_, e) => {
  e.inclusionProof.checkpoint.envelope = e.inclusionProof.checkpoint.envelope.replace(
    /^(\u2014 \S+ )(\S+)$/m,
    (_m, head, sig) => head + flipLastByte(sig),
  );
});
files['keyless-v2-body-mismatch.json'] = editedV2((_, e) => {
  e.canonicalizedBody = entryOf(otherV2).canonicalizedBody;
});
files['keyless-v2-bad-inclusion-proof.json'] = editedV2((_, e) => {
  e.inclusionProof.hashes[0] = flipLastByte(e.inclusionProof.hashes[0]);
});
// The whole (valid, included) entry of the other signature: only the
// comparison of the 0.0.2 body with the bundle's signature and digest can
// reject it (keyless-v2-body-mismatch.json already fails at the proof).
files['keyless-v2-tlog-entry-of-other-signature.json'] = editedV2((b) => {
  b.verificationMaterial.tlogEntries = clone(otherV2.verificationMaterial.tlogEntries);
});

// Good, but @sigstore/verify cannot read its genTime: 240 ms is written ".24Z".
setTSAClock(tsa, { fixedMs: 240 });
files['keyless-v2-timestamp-short-fraction.json'] = await messageBundle(keyless(FULCIO_URL), artifact, {
  witnesses: v2Witnesses,
});
setTSAClock(tsa);

// --- trusted root and key -----------------------------------------------------

const root = trustedRoot({
  since: dayAgo,
  ca,
  ctLog,
  tlogs: [rekor, rekorV2],
  timestampAuthorities: [
    {
      subject: { organization: 'sigstore.mock', commonName: 'tsa' },
      uri: TSA_URL,
      chainDer: [tsa.intCertificate, tsa.rootCertificate], // signing certificate first
    },
  ],
});

fs.mkdirSync(outDir, { recursive: true });
writeJSON(outDir, 'trusted_root.json', root);
fs.writeFileSync(path.join(outDir, 'key.pub'), signingKey.publicKey.export({ format: 'pem', type: 'spki' }).toString());
for (const [name, bundle] of Object.entries(files)) writeJSON(outDir, name, bundle);

// --- verdicts of @sigstore/verify -------------------------------------------

// Judged as written: the files porthole's tests read, not the objects above.
const readJSON = (name) => JSON.parse(fs.readFileSync(path.join(outDir, name), 'utf8'));
const verifier = sigstoreVerifier(readJSON('trusted_root.json'), {
  [signingKeyHint]: {
    rawBytes: signingKeyDer,
    keyDetails: specs.PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
    validFor: { start: dayAgo },
  },
});

// Where a strict verifier (sigstore-go, cosign) must disagree with @sigstore/verify:
// { expectOk, note }.
const strictDisagrees = {
  'proof-roothash-mismatch.json': {
    expectOk: false,
    note: '@sigstore/verify checks the proof against the checkpoint root only; sigstore-go/rekor also require inclusionProof.rootHash == checkpoint root hash',
  },
  'keyless-dsse-other-subject.json': {
    expectOk: false,
    note: '@sigstore/verify does not look inside the in-toto statement; cosign requires a subject digest equal to the image manifest digest',
  },
  'keyless-v2-timestamp-short-fraction.json': {
    expectOk: true,
    note: 'the TSTInfo genTime is 20YYMMDDhhmmss.24Z (DER drops trailing zeros); @sigstore/core only parses three fraction digits ("invalid time"), Go\'s encoding/asn1 (sigstore-go) reads it',
  },
};

function verdict(file, policy) {
  const { ok, error, code, name } = verifyBundle(verifier, readJSON(file), artifact, policy);
  // The class name stands in for errors without a code ("invalid time" is a plain Error).
  const result = { ok, error, code: code ?? name };
  result.policy = policy ?? null;
  result.expectOk = strictDisagrees[file]?.expectOk ?? result.ok;
  if (strictDisagrees[file]) result.note = strictDisagrees[file].note;
  return result;
}

const verdicts = {};
for (const file of Object.keys(files).sort()) {
  const policy = file.startsWith('key-')
    ? undefined
    : identityPolicy(file === 'keyless-uri-san.json' ? URI_IDENTITY : EMAIL);
  verdicts[file] = verdict(file, policy);
}
verdicts['keyless-message.json#wrong-identity'] = verdict('keyless-message.json', identityPolicy('someone@else.test'));
writeJSON(outDir, 'verdicts.json', verdicts);

nock.cleanAll();
nock.enableNetConnect();
const accepted = Object.values(verdicts).filter((v) => v.ok).length;
console.log(
  `sigstore test material: ${Object.keys(files).length} bundles + trusted_root.json, key.pub, verdicts.json in ${outDir}; ` +
    `@sigstore/verify ${sigstoreVerifyVersion} accepts ${accepted}/${Object.keys(verdicts).length} ` +
    `(artifact sha256:${artifactDigest}, ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`,
);
