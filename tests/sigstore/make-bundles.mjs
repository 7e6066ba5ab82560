#!/usr/bin/env node
// Sigstore bundle test material for porthole's verifier, made offline.
//
//   node tests/sigstore/make-bundles.mjs OUTDIR ARTIFACT_FILE
//
// ARTIFACT_FILE holds the signed bytes (an OCI image manifest: its sha256 is
// the image's manifest digest). Bundles are made by @sigstore/sign's bundle
// builders, FulcioSigner and RekorWitness talking (through nock, no network)
// to @sigstore/mock's Fulcio and Rekor handlers, which are backed by the CA,
// CT log and Rekor log of ./mock-services.mjs. Every bundle is then checked by
// @sigstore/verify against the trusted_root.json written here; the verdicts
// go to verdicts.json. Fresh keys every run; file names and verdicts are
// stable.
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

import { MockCTLog, MockFulcioCA, MockRekor, ecKeyPair, spkiDer } from './mock-services.mjs';

const require = createRequire(import.meta.url);
const sign = require('@sigstore/sign');
const sgBundle = require('@sigstore/bundle');
const sgMock = require('@sigstore/mock');
const sgVerify = require('@sigstore/verify');
const specs = require('@sigstore/protobuf-specs');
// nock is @sigstore/mock's own dependency: resolve it from there.
const nock = createRequire(require.resolve('@sigstore/mock'))('nock');

const [outDir, artifactFile] = process.argv.slice(2);
if (!outDir || !artifactFile) {
  console.error('usage: node tests/sigstore/make-bundles.mjs OUTDIR ARTIFACT_FILE');
  process.exit(2);
}

const FULCIO_URL = 'https://fulcio.porthole.test';
const FULCIO_NO_SCT_URL = 'https://fulcio-nosct.porthole.test';
const FULCIO_UNTRUSTED_URL = 'https://fulcio-untrusted.porthole.test';
const REKOR_URL = 'https://rekor.porthole.test';
const CTLOG_URL = 'https://ctfe.porthole.test/2026';
const ISSUER = 'https://issuer.porthole.test';
const EMAIL = 'signer@porthole.test';
const URI_IDENTITY = 'https://github.com/porthole/porthole/.github/workflows/release.yml@refs/heads/main';
const PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';
const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

const startedAt = Date.now();
const now = new Date();
const dayAgo = new Date(Math.floor(now.getTime() / 1000) * 1000 - 24 * 3600 * 1000);
const rfc3339 = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const b64 = (buf) => Buffer.from(buf).toString('base64');
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

// --- services ---------------------------------------------------------------

const ctLog = new MockCTLog({ keyPair: ecKeyPair('P-256'), baseURL: CTLOG_URL });
const ca = new MockFulcioCA({ organization: 'porthole.test', now, ctLog });
const caNoSCT = Object.create(ca, { ctLog: { value: null } }); // same chain, no SCT
const untrustedCA = new MockFulcioCA({ organization: 'untrusted.porthole.test', now, ctLog });
const rekor = new MockRekor({ keyPair: ecKeyPair('P-256'), baseURL: REKOR_URL });

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
      certificate: cert ? Buffer.from(cert.replace(/-----[^-]+-----|\s/g, ''), 'base64') : undefined,
      keyHint: signature.key.$case === 'publicKey' ? signature.key.hint : undefined,
      certificateChain: false,
    });
  }
}

const rekorWitness = new sign.RekorWitness({ rekorBaseURL: REKOR_URL }); // dsse 0.0.1 for envelopes
const rekorIntotoWitness = new sign.RekorWitness({ rekorBaseURL: REKOR_URL, entryType: 'intoto' });

async function messageBundle(signer, data, { v02 = false } = {}) {
  const Builder = v02 ? sign.MessageSignatureBundleBuilder : MessageBundleBuilderV03;
  const bundle = await new Builder({ signer, witnesses: [rekorWitness] }).create({ data });
  return sgBundle.bundleToJSON(bundle);
}
async function dsseBundle(signer, payload, { witness = rekorWitness } = {}) {
  const builder = new sign.DSSEBundleBuilder({ signer, witnesses: [witness] });
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
const flipLastByte = (b64text) => {
  const bytes = Buffer.from(b64text, 'base64');
  bytes[bytes.length - 1] ^= 0x01;
  return bytes.toString('base64');
};
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

// --- trusted root and key -----------------------------------------------------

const trustedRoot = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [
    {
      baseUrl: REKOR_URL,
      hashAlgorithm: 'SHA2_256',
      publicKey: {
        rawBytes: b64(rekor.publicKeyDer),
        keyDetails: 'PKIX_ECDSA_P256_SHA_256',
        validFor: { start: rfc3339(dayAgo) },
      },
      logId: { keyId: b64(rekor.logID) },
    },
  ],
  certificateAuthorities: [
    {
      subject: { organization: 'porthole.test', commonName: 'sigstore' },
      uri: FULCIO_URL,
      certChain: { certificates: ca.chainDer.map((d) => ({ rawBytes: b64(d) })) },
      validFor: { start: rfc3339(ca.validFrom) },
    },
  ],
  ctlogs: [
    {
      baseUrl: CTLOG_URL,
      hashAlgorithm: 'SHA2_256',
      publicKey: {
        rawBytes: b64(ctLog.publicKeyDer),
        keyDetails: 'PKIX_ECDSA_P256_SHA_256',
        validFor: { start: rfc3339(dayAgo) },
      },
      logId: { keyId: b64(ctLog.logID) },
    },
  ],
  timestampAuthorities: [],
};

fs.mkdirSync(outDir, { recursive: true });
const write = (name, text) => fs.writeFileSync(path.join(outDir, name), text);
write('trusted_root.json', JSON.stringify(trustedRoot, null, 2) + '\n');
write('key.pub', signingKey.publicKey.export({ format: 'pem', type: 'spki' }).toString());
for (const [name, bundle] of Object.entries(files)) write(name, JSON.stringify(bundle, null, 2) + '\n');

// --- verdicts of @sigstore/verify -------------------------------------------

const exact = (s) => `^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
const emailPolicy = { subjectAlternativeName: exact(EMAIL), extensions: { issuer: ISSUER } };
const verifier = new sgVerify.Verifier(
  sgVerify.toTrustMaterial(specs.TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(path.join(outDir, 'trusted_root.json'), 'utf8'))), {
    [signingKeyHint]: {
      rawBytes: signingKeyDer,
      keyDetails: specs.PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
      validFor: { start: dayAgo },
    },
  }),
);

// Where a strict verifier (sigstore-go, cosign) must disagree with @sigstore/verify.
const strictDisagrees = {
  'proof-roothash-mismatch.json':
    '@sigstore/verify checks the proof against the checkpoint root only; sigstore-go/rekor also require inclusionProof.rootHash == checkpoint root hash',
  'keyless-dsse-other-subject.json':
    '@sigstore/verify does not look inside the in-toto statement; cosign requires a subject digest equal to the image manifest digest',
};

function verdict(file, policy) {
  const result = { ok: false, error: null, code: null };
  try {
    const bundle = sgBundle.bundleFromJSON(JSON.parse(fs.readFileSync(path.join(outDir, file), 'utf8')));
    const entity = sgVerify.toSignedEntity(bundle, bundle.content.$case === 'messageSignature' ? artifact : undefined);
    verifier.verify(entity, policy);
    result.ok = true;
  } catch (err) {
    result.error = err.cause?.message ? `${err.message}: ${err.cause.message}` : String(err.message ?? err);
    result.code = err.code ?? err.name ?? null;
  }
  result.policy = policy ?? null;
  result.expectOk = strictDisagrees[file] ? false : result.ok;
  if (strictDisagrees[file]) result.note = strictDisagrees[file];
  return result;
}

const verdicts = {};
for (const file of Object.keys(files).sort()) {
  const policy = file.startsWith('key-')
    ? undefined
    : file === 'keyless-uri-san.json'
      ? { subjectAlternativeName: exact(URI_IDENTITY), extensions: { issuer: ISSUER } }
      : emailPolicy;
  verdicts[file] = verdict(file, policy);
}
verdicts['keyless-message.json#wrong-identity'] = verdict('keyless-message.json', {
  subjectAlternativeName: exact('someone@else.test'),
  extensions: { issuer: ISSUER },
});
write('verdicts.json', JSON.stringify(verdicts, null, 2) + '\n');

nock.cleanAll();
nock.enableNetConnect();
const accepted = Object.values(verdicts).filter((v) => v.ok).length;
const version = (pkg) => require(`${pkg}/package.json`).version;
console.log(
  `sigstore test material: ${Object.keys(files).length} bundles + trusted_root.json, key.pub, verdicts.json in ${outDir}; ` +
    `@sigstore/verify ${version('@sigstore/verify')} accepts ${accepted}/${Object.keys(verdicts).length} ` +
    `(artifact sha256:${artifactDigest}, ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`,
);
