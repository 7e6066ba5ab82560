// Offline stand-ins for the Sigstore services, written for porthole's test
// material (see make-bundles.mjs):
//
//   * a tiny DER writer and an X.509 certificate authority shaped like Fulcio
//     (root + intermediate, ECDSA P-384 / SHA-384, leaf certificates with an
//     empty subject, a critical SAN, the Fulcio issuer extensions and an
//     embedded SCT from a CT log of our own);
//   * a Rekor v1 log that keeps a real RFC 6962 Merkle tree, canonicalizes
//     entries the way Rekor does, signs a SET for each entry and a checkpoint
//     (signed note) for each inclusion proof;
//   * a Rekor v2 log (rekor-tiles): the same kind of tree, hashedrekord and
//     dsse 0.0.2 entries, no SET and no integrated time, checkpoints signed
//     with Ed25519.
//
// The objects plug into @sigstore/mock's fulcioHandler() and rekorHandler(),
// which only need `issueCertificate()`/`rootCertificate` and `log()`;
// MockRekorV2.logV2() takes and returns the JSON of POST /api/v2/log/entries.
//
// The last section holds what make-bundles.mjs and make-cosign-keyless.mjs
// both need around these services: the porthole.test instance itself (URLs,
// identity, the services, its trusted_root.json) and the recording of
// @sigstore/verify's verdicts.

import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const specs = require('@sigstore/protobuf-specs');
const { HashAlgorithm } = specs;
const rekorV2Types = require('@sigstore/protobuf-specs/rekor/v2');
const sgBundle = require('@sigstore/bundle');
const sgVerify = require('@sigstore/verify');

// ---------------------------------------------------------------------------
// Bytes and text
// ---------------------------------------------------------------------------

// Sigstore's JSON (bundles, trusted roots) spells bytes as padded standard
// base64 and times as RFC 3339 on whole seconds.
export const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const rfc3339 = (date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

// Several parts hash as their concatenation (the logs' leaf and node hashes).
export const sha256 = (...parts) => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

// Go's pem.Encode layout (Rekor's canonical PEM, cosign's certificate
// annotations): 64-column base64 lines, a newline after the END line.
export function pemBlock(label, derBytes) {
  const lines = b64(derBytes).match(/.{1,64}/g).join('\n');
  return `-----BEGIN ${label}-----\n${lines}\n-----END ${label}-----\n`;
}

// The DER of a single PEM block, whatever its label and line layout.
export const derFromPEM = (pem) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

// The generators' lies that still parse: a base64 signature, hash or
// timestamp with its last byte flipped.
export function flipLastByte(b64text) {
  const bytes = Buffer.from(b64text, 'base64');
  bytes[bytes.length - 1] ^= 0x01;
  return b64(bytes);
}

// ---------------------------------------------------------------------------
// DER
// ---------------------------------------------------------------------------

function derLength(n) {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag, ...parts) {
  const body = Buffer.concat(parts.map((p) => Buffer.from(p)));
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

export const der = {
  seq: (...items) => tlv(0x30, ...items),
  set: (...items) => tlv(0x31, ...items), // only ever used with one element
  bool: (v) => tlv(0x01, [v ? 0xff : 0x00]),
  // Unsigned integer from a number, a bigint or big-endian magnitude bytes.
  int(value) {
    let bytes;
    if (Buffer.isBuffer(value)) {
      bytes = value;
    } else {
      let hex = BigInt(value).toString(16);
      if (hex.length % 2) hex = '0' + hex;
      bytes = Buffer.from(hex, 'hex');
    }
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    bytes = bytes.subarray(i);
    if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return tlv(0x02, bytes);
  },
  oid(dotted) {
    const arcs = dotted.split('.').map((a) => BigInt(a));
    const values = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
    const out = [];
    for (const v of values) {
      const chunk = [Number(v & 0x7fn)];
      for (let r = v >> 7n; r > 0n; r >>= 7n) chunk.unshift(Number(r & 0x7fn) | 0x80);
      out.push(...chunk);
    }
    return tlv(0x06, out);
  },
  octets: (b) => tlv(0x04, b),
  bits: (b, unused = 0) => tlv(0x03, [unused], b),
  utf8: (s) => tlv(0x0c, Buffer.from(s, 'utf8')),
  printable: (s) => tlv(0x13, Buffer.from(s, 'ascii')),
  time(date) {
    const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
    const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
    const year = date.getUTCFullYear();
    return year >= 1950 && year < 2050
      ? tlv(0x17, Buffer.from(digits.slice(2) + 'Z')) // UTCTime
      : tlv(0x18, Buffer.from(digits + 'Z')); // GeneralizedTime
  },
  explicit: (n, ...content) => tlv(0xa0 | n, ...content),
};

const OID = {
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  organization: '2.5.4.10',
  commonName: '2.5.4.3',
  subjectKeyId: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyId: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  sctList: '1.3.6.1.4.1.11129.2.4.2',
  fulcioIssuerV1: '1.3.6.1.4.1.57264.1.1',
  fulcioIssuerV2: '1.3.6.1.4.1.57264.1.8',
};

function name({ organization, commonName }) {
  const rdns = [];
  if (organization) rdns.push(der.set(der.seq(der.oid(OID.organization), der.printable(organization))));
  if (commonName) rdns.push(der.set(der.seq(der.oid(OID.commonName), der.printable(commonName))));
  return der.seq(...rdns);
}

function extension(oid, critical, valueDer) {
  return der.seq(der.oid(oid), ...(critical ? [der.bool(true)] : []), der.octets(valueDer));
}

export function spkiDer(publicKey) {
  return publicKey.export({ format: 'der', type: 'spki' });
}

// RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value.
function keyIdentifier(publicKey) {
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([0x04]),
    Buffer.from(jwk.x, 'base64url'),
    Buffer.from(jwk.y, 'base64url'),
  ]);
  return crypto.createHash('sha1').update(point).digest();
}

function randomSerial() {
  const b = crypto.randomBytes(20);
  b[0] &= 0x7f;
  return b;
}

function signatureAlgorithm(privateKey) {
  const curve = privateKey.asymmetricKeyDetails.namedCurve;
  return curve === 'secp384r1'
    ? { oid: OID.ecdsaSha384, hash: 'sha384' }
    : { oid: OID.ecdsaSha256, hash: 'sha256' };
}

function tbsCertificate({ serial, sigAlgOid, issuer, notBefore, notAfter, subject, publicKey, extensions }) {
  return der.seq(
    der.explicit(0, der.int(2)),
    der.int(serial),
    der.seq(der.oid(sigAlgOid)),
    issuer,
    der.seq(der.time(notBefore), der.time(notAfter)),
    subject,
    spkiDer(publicKey),
    der.explicit(3, der.seq(...extensions)),
  );
}

function signCertificate(tbs, sigAlg, signingKey) {
  const signature = crypto.sign(sigAlg.hash, tbs, signingKey); // DER ECDSA-Sig-Value
  return der.seq(tbs, der.seq(der.oid(sigAlg.oid)), der.bits(signature));
}

// KeyUsage BIT STRING: digitalSignature = bit 0, keyCertSign = 5, cRLSign = 6.
const KU_DIGITAL_SIGNATURE = der.bits([0x80], 7);
const KU_CERT_SIGN_CRL_SIGN = der.bits([0x06], 1);

export function ecKeyPair(curve) {
  return crypto.generateKeyPairSync('ec', { namedCurve: curve });
}

function floorToSecond(date) {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

// ---------------------------------------------------------------------------
// CT log (RFC 6962 SCTs for precertificates)
// ---------------------------------------------------------------------------

export class MockCTLog {
  constructor({ keyPair, baseURL }) {
    this.keyPair = keyPair;
    this.baseURL = baseURL;
    this.publicKeyDer = spkiDer(keyPair.publicKey);
    this.logID = crypto.createHash('sha256').update(this.publicKeyDer).digest();
  }

  // Returns one serialized SignedCertificateTimestamp (TLS encoding).
  sct(precertTbs, issuerSpkiDer, timestampMs) {
    const ts = Buffer.alloc(8);
    ts.writeBigUInt64BE(BigInt(timestampMs));
    const tbsLen = Buffer.alloc(3);
    tbsLen.writeUIntBE(precertTbs.length, 0, 3);
    const signed = Buffer.concat([
      Buffer.from([0x00, 0x00]), // v1, certificate_timestamp
      ts,
      Buffer.from([0x00, 0x01]), // precert_entry
      crypto.createHash('sha256').update(issuerSpkiDer).digest(), // issuer_key_hash
      tbsLen,
      precertTbs,
      Buffer.from([0x00, 0x00]), // no extensions
    ]);
    const sig = crypto.sign('sha256', signed, this.keyPair.privateKey);
    const sigLen = Buffer.alloc(2);
    sigLen.writeUInt16BE(sig.length);
    return Buffer.concat([
      Buffer.from([0x00]), // v1
      this.logID,
      ts,
      Buffer.from([0x00, 0x00]), // extensions length
      Buffer.from([0x04, 0x03]), // sha256, ecdsa
      sigLen,
      sig,
    ]);
  }
}

// ---------------------------------------------------------------------------
// Fulcio-like certificate authority
// ---------------------------------------------------------------------------

export class MockFulcioCA {
  // options: { organization, now, ctLog (or null for no SCT), leafLifetimeMs }
  constructor({ organization = 'porthole.test', now = new Date(), ctLog = null, leafLifetimeMs = 10 * 60 * 1000 } = {}) {
    this.organization = organization; // the trusted root's subject of this CA
    this.ctLog = ctLog;
    this.leafLifetimeMs = leafLifetimeMs;
    this.rootKeys = ecKeyPair('P-384');
    this.intermediateKeys = ecKeyPair('P-384');
    const start = floorToSecond(new Date(now.getTime() - 24 * 3600 * 1000));
    const end = floorToSecond(new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000));
    this.validFrom = start;

    this.rootName = name({ organization, commonName: 'sigstore' });
    this.intermediateName = name({ organization, commonName: 'sigstore-intermediate' });
    const rootSki = keyIdentifier(this.rootKeys.publicKey);
    const interSki = keyIdentifier(this.intermediateKeys.publicKey);
    const rootAlg = signatureAlgorithm(this.rootKeys.privateKey);

    this.rootDer = signCertificate(
      tbsCertificate({
        serial: randomSerial(),
        sigAlgOid: rootAlg.oid,
        issuer: this.rootName,
        notBefore: start,
        notAfter: end,
        subject: this.rootName,
        publicKey: this.rootKeys.publicKey,
        extensions: [
          extension(OID.keyUsage, true, KU_CERT_SIGN_CRL_SIGN),
          extension(OID.basicConstraints, true, der.seq(der.bool(true), der.int(1))),
          extension(OID.subjectKeyId, false, der.octets(rootSki)),
          extension(OID.authorityKeyId, false, der.seq(tlv(0x80, rootSki))),
        ],
      }),
      rootAlg,
      this.rootKeys.privateKey,
    );
    this.intermediateDer = signCertificate(
      tbsCertificate({
        serial: randomSerial(),
        sigAlgOid: rootAlg.oid,
        issuer: this.rootName,
        notBefore: start,
        notAfter: end,
        subject: this.intermediateName,
        publicKey: this.intermediateKeys.publicKey,
        extensions: [
          extension(OID.keyUsage, true, KU_CERT_SIGN_CRL_SIGN),
          extension(OID.extKeyUsage, false, der.seq(der.oid(OID.codeSigning))),
          extension(OID.basicConstraints, true, der.seq(der.bool(true), der.int(0))),
          extension(OID.subjectKeyId, false, der.octets(interSki)),
          extension(OID.authorityKeyId, false, der.seq(tlv(0x80, rootSki))),
        ],
      }),
      rootAlg,
      this.rootKeys.privateKey,
    );
  }

  // @sigstore/mock's fulcioHandler turns rootCertificate into PEM with
  // Buffer.from(der.buffer), so hand out Uint8Arrays that own their memory.
  get rootCertificate() {
    return new Uint8Array(this.rootDer);
  }

  // Chain in the TrustedRoot order: intermediate first, root last.
  get chainDer() {
    return [this.intermediateDer, this.rootDer];
  }

  // Called by @sigstore/mock's fulcioHandler with the requester's public key
  // (DER SPKI), the subject claim and [{ oid, value, legacy }] extensions.
  async issueCertificate({ publicKey, subjectAltName, extensions = [] }) {
    const leafKey = crypto.createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
    const notBefore = floorToSecond(new Date());
    const notAfter = new Date(notBefore.getTime() + this.leafLifetimeMs);
    const interAlg = signatureAlgorithm(this.intermediateKeys.privateKey);
    // An identity with '@' and no scheme is an e-mail address (rfc822Name,
    // [1]); anything else is a URI ([6]), as Fulcio does for CI identities.
    const isEmail = subjectAltName.includes('@') && !/^[a-z][a-z0-9+.-]*:/i.test(subjectAltName);
    const san = der.seq(tlv(isEmail ? 0x81 : 0x86, Buffer.from(subjectAltName, 'ascii')));
    const fulcioExtensions = extensions.map((ext) =>
      // Legacy OIDs (.1.1 - .1.6) hold the raw string; newer ones a DER UTF8String.
      extension(ext.oid, false, ext.legacy ? Buffer.from(ext.value, 'utf8') : der.utf8(ext.value)),
    );
    const exts = [
      extension(OID.keyUsage, true, KU_DIGITAL_SIGNATURE),
      extension(OID.extKeyUsage, false, der.seq(der.oid(OID.codeSigning))),
      extension(OID.subjectKeyId, false, der.octets(keyIdentifier(leafKey))),
      extension(OID.authorityKeyId, false, der.seq(tlv(0x80, keyIdentifier(this.intermediateKeys.publicKey)))),
      extension(OID.subjectAltName, true, san),
      ...fulcioExtensions,
    ];
    const fields = {
      serial: randomSerial(),
      sigAlgOid: interAlg.oid,
      issuer: this.intermediateName,
      notBefore,
      notAfter,
      subject: der.seq(),
      publicKey: leafKey,
    };
    if (this.ctLog) {
      // The SCT signs the TBS without the SCT extension (what a verifier gets
      // back by deleting that extension from the final certificate).
      const precertTbs = tbsCertificate({ ...fields, extensions: exts });
      const sct = this.ctLog.sct(precertTbs, spkiDer(this.intermediateKeys.publicKey), notBefore.getTime());
      const list = Buffer.alloc(4);
      list.writeUInt16BE(sct.length + 2, 0);
      list.writeUInt16BE(sct.length, 2);
      exts.push(extension(OID.sctList, false, der.octets(Buffer.concat([list, sct]))));
    }
    const cert = signCertificate(tbsCertificate({ ...fields, extensions: exts }), interAlg, this.intermediateKeys.privateKey);
    return new Uint8Array(cert);
  }
}

// ---------------------------------------------------------------------------
// Rekor v1
// ---------------------------------------------------------------------------

// RFC 8785 JSON canonicalization for the values used here (strings, safe
// integers, booleans, null, arrays, objects).
export function canonicalJSON(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const leafHash = (body) => sha256(Buffer.from([0x00]), body);
const nodeHash = (left, right) => sha256(Buffer.from([0x01]), left, right);

function largestPowerOfTwoBelow(n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// RFC 6962 2.1: Merkle Tree Hash over leaf hashes.
export function merkleRoot(leaves) {
  if (leaves.length === 1) return leaves[0];
  const k = largestPowerOfTwoBelow(leaves.length);
  return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}

// RFC 6962 2.1.1: audit path for leaf m, ordered from the leaf upwards.
export function auditPath(m, leaves) {
  if (leaves.length === 1) return [];
  const k = largestPowerOfTwoBelow(leaves.length);
  return m < k
    ? [...auditPath(m, leaves.slice(0, k)), merkleRoot(leaves.slice(k))]
    : [...auditPath(m - k, leaves.slice(k)), merkleRoot(leaves.slice(0, k))];
}

// Rekor stores keys and certificates re-encoded the way Go's pem.Encode writes them.
function canonicalPEM(pem) {
  const match = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!match) throw new Error('not PEM');
  return pemBlock(match[1], Buffer.from(match[2].replace(/\s+/g, ''), 'base64'));
}
const canonicalKeyB64 = (b64pem) =>
  Buffer.from(canonicalPEM(Buffer.from(b64pem, 'base64').toString('utf8'))).toString('base64');

// What Rekor stores for a proposed entry (its Canonicalize()).
export function rekorCanonicalEntry(proposed) {
  const { kind, apiVersion, spec } = proposed;
  if (kind === 'hashedrekord' && apiVersion === '0.0.1') {
    return {
      apiVersion,
      kind,
      spec: {
        data: { hash: { algorithm: spec.data.hash.algorithm, value: spec.data.hash.value } },
        signature: {
          content: spec.signature.content,
          publicKey: { content: canonicalKeyB64(spec.signature.publicKey.content) },
        },
      },
    };
  }
  if (kind === 'dsse' && apiVersion === '0.0.1') {
    const envelopeText = spec.proposedContent.envelope;
    const envelope = JSON.parse(envelopeText);
    const verifiers = spec.proposedContent.verifiers.map(canonicalKeyB64);
    if (envelope.signatures.length !== 1 || verifiers.length !== 1) {
      throw new Error('mock Rekor: one DSSE signature and one verifier expected');
    }
    return {
      apiVersion,
      kind,
      spec: {
        envelopeHash: { algorithm: 'sha256', value: sha256(Buffer.from(envelopeText)).toString('hex') },
        payloadHash: {
          algorithm: 'sha256',
          value: sha256(Buffer.from(envelope.payload, 'base64')).toString('hex'),
        },
        signatures: [{ signature: envelope.signatures[0].sig, verifier: verifiers[0] }],
      },
    };
  }
  if (kind === 'intoto' && apiVersion === '0.0.2') {
    const { payload, ...envelope } = spec.content.envelope; // Rekor drops the payload
    return {
      apiVersion,
      kind,
      spec: { content: { envelope, hash: spec.content.hash, payloadHash: spec.content.payloadHash } },
    };
  }
  throw new Error(`mock Rekor: unsupported entry ${kind}/${apiVersion}`);
}

export class MockRekor {
  // options: { keyPair, baseURL, treeID, indexOffset, initialLeaves, trailingLeaves }
  constructor({ keyPair, baseURL, treeID = 7352417025519838913n, indexOffset = 24296150, initialLeaves = 13, trailingLeaves = 2 }) {
    this.keyPair = keyPair;
    this.baseURL = baseURL;
    this.host = new URL(baseURL).host;
    this.treeID = BigInt(treeID);
    this.indexOffset = indexOffset; // global ("virtual") index = tree index + offset, as on a sharded log
    this.trailingLeaves = trailingLeaves;
    this.publicKeyDer = spkiDer(keyPair.publicKey);
    this.logID = sha256(this.publicKeyDer);
    this.leaves = [];
    for (let i = 0; i < initialLeaves; i++) this.leaves.push(leafHash(crypto.randomBytes(64)));
    // Knobs for the next log() call.
    this.integratedTimeOverride = null; // seconds since the epoch
    this.checkpointTimestampLine = false; // older Rekor added "Timestamp: <ns>" to the note
  }

  sign(data) {
    return crypto.sign('sha256', data, this.keyPair.privateKey);
  }

  // The SET: the log's signature over the canonical JSON of these four fields
  // (cosign's Rekor bundle Payload). Public so that a test can sign a SET for
  // an entry the log never made.
  signedEntryTimestamp({ body, integratedTime, logID, logIndex }) {
    return this.sign(Buffer.from(canonicalJSON({ body, integratedTime, logID, logIndex }), 'utf8'));
  }

  checkpoint(treeSize, rootHash, timestampSeconds) {
    let note = `${this.host} - ${this.treeID}\n${treeSize}\n${rootHash.toString('base64')}\n`;
    if (this.checkpointTimestampLine) note += `Timestamp: ${BigInt(timestampSeconds) * 1000000000n}\n`;
    const signature = this.sign(Buffer.from(note, 'utf8'));
    const keyHint = this.logID.subarray(0, 4);
    return `${note}\n\u2014 ${this.host} ${Buffer.concat([keyHint, signature]).toString('base64')}\n`;
  }

  // Same response shape as POST /api/v1/log/entries.
  async log(proposedEntry) {
    const body = Buffer.from(canonicalJSON(rekorCanonicalEntry(proposedEntry)), 'utf8');
    const treeIndex = this.leaves.length;
    this.leaves.push(leafHash(body));
    for (let i = 0; i < this.trailingLeaves; i++) this.leaves.push(leafHash(crypto.randomBytes(64)));
    const treeSize = this.leaves.length;
    const rootHash = merkleRoot(this.leaves);
    const hashes = auditPath(treeIndex, this.leaves);

    const integratedTime = this.integratedTimeOverride ?? Math.floor(Date.now() / 1000);
    const logIndex = this.indexOffset + treeIndex;
    const logIDHex = this.logID.toString('hex');
    const set = this.signedEntryTimestamp({ body: body.toString('base64'), integratedTime, logID: logIDHex, logIndex });
    const uuid = this.treeID.toString(16).padStart(16, '0') + leafHash(body).toString('hex');
    return {
      [uuid]: {
        body: body.toString('base64'),
        integratedTime,
        logID: logIDHex,
        logIndex,
        verification: {
          inclusionProof: {
            checkpoint: this.checkpoint(treeSize, rootHash, integratedTime),
            hashes: hashes.map((h) => h.toString('hex')),
            logIndex: treeIndex,
            rootHash: rootHash.toString('hex'),
            treeSize,
          },
          signedEntryTimestamp: set.toString('base64'),
        },
      },
    };
  }
}

// ---------------------------------------------------------------------------
// Rekor v2 (rekor-tiles)
// ---------------------------------------------------------------------------

// Not @sigstore/mock's rekorV2Handler: its "entry" body is the request itself
// and its checkpoint is signed with ECDSA, where rekor-tiles logs a
// canonicalized Entry and signs its checkpoints with Ed25519.
export class MockRekorV2 {
  // options: { baseURL, keyPair (Ed25519; fresh if not given), initialLeaves, trailingLeaves }
  constructor({ baseURL, keyPair = crypto.generateKeyPairSync('ed25519'), initialLeaves = 13, trailingLeaves = 2 }) {
    if (keyPair.publicKey.asymmetricKeyType !== 'ed25519') throw new Error('mock Rekor v2: Ed25519 key expected');
    this.keyPair = keyPair;
    this.baseURL = baseURL;
    // rekor-tiles' checkpoint origin is the shard's host name (e.g.
    // log2025-1.rekor.sigstore.dev); each shard is its own log, so an entry's
    // log index is its index in this tree (no global offset as on Rekor v1).
    this.origin = new URL(baseURL).host;
    this.trailingLeaves = trailingLeaves;
    this.publicKeyDer = spkiDer(keyPair.publicKey);
    // C2SP signed-note key ID for Ed25519: sha256(name || "\n" || 0x01 || raw
    // public key). Its first 4 bytes are the note's key hint; Sigstore uses all
    // 32 as the log ID (trusted root logId.keyId and the entries' logId.keyId).
    const rawPublicKey = Buffer.from(keyPair.publicKey.export({ format: 'jwk' }).x, 'base64url');
    this.logID = sha256(Buffer.from(`${this.origin}\n`, 'utf8'), Buffer.from([0x01]), rawPublicKey);
    this.leaves = [];
    for (let i = 0; i < initialLeaves; i++) this.leaves.push(leafHash(crypto.randomBytes(64)));
  }

  // Signed note: origin, size, root hash; no "Timestamp:" line, no other extension lines.
  checkpoint(treeSize, rootHash) {
    const note = `${this.origin}\n${treeSize}\n${rootHash.toString('base64')}\n`;
    const signature = crypto.sign(null, Buffer.from(note, 'utf8'), this.keyPair.privateKey);
    const keyHint = this.logID.subarray(0, 4);
    return `${note}\n\u2014 ${this.origin} ${Buffer.concat([keyHint, signature]).toString('base64')}\n`;
  }

  // The v2 Entry that rekor-tiles stores for a CreateEntryRequest, as the JSON
  // object whose canonical form is the log leaf. Like the v1 mock, no
  // signature is checked: the verifier under test must do that.
  static entryFor(request) {
    const spec = rekorV2Types.CreateEntryRequest.fromJSON(request).spec;
    let entry;
    if (spec?.$case === 'hashedRekordRequestV002') {
      const { digest, signature } = spec.hashedRekordRequestV002;
      if (digest.length !== 32) throw new Error('mock Rekor v2: SHA-256 digest expected');
      entry = {
        kind: 'hashedrekord',
        apiVersion: '0.0.2',
        spec: {
          spec: {
            $case: 'hashedRekordV002',
            hashedRekordV002: { data: { algorithm: HashAlgorithm.SHA2_256, digest }, signature },
          },
        },
      };
    } else if (spec?.$case === 'dsseRequestV002') {
      const { envelope, verifiers } = spec.dsseRequestV002;
      if (envelope.signatures.length !== 1 || verifiers.length !== 1) {
        throw new Error('mock Rekor v2: one DSSE signature and one verifier expected');
      }
      entry = {
        kind: 'dsse',
        apiVersion: '0.0.2',
        spec: {
          spec: {
            $case: 'dsseV002',
            dsseV002: {
              // rekor-tiles hashes the payload bytes, not the envelope.
              payloadHash: { algorithm: HashAlgorithm.SHA2_256, digest: sha256(envelope.payload) },
              signatures: [{ content: envelope.signatures[0].sig, verifier: verifiers[0] }],
            },
          },
        },
      };
    } else {
      throw new Error('mock Rekor v2: unsupported request');
    }
    return rekorV2Types.Entry.toJSON(entry);
  }

  // POST /api/v2/log/entries: request is the CreateEntryRequest JSON (text or
  // object); returns the TransparencyLogEntry JSON (protobuf JSON mapping:
  // 64-bit integers as strings, bytes as base64). Rekor v2 gives no
  // integratedTime and no inclusionPromise: the time has to come from a TSA.
  async logV2(request) {
    const entry = MockRekorV2.entryFor(typeof request === 'string' ? JSON.parse(request) : request);
    const body = Buffer.from(canonicalJSON(entry), 'utf8');
    const index = this.leaves.length;
    this.leaves.push(leafHash(body));
    for (let i = 0; i < this.trailingLeaves; i++) this.leaves.push(leafHash(crypto.randomBytes(64)));
    const treeSize = this.leaves.length;
    const rootHash = merkleRoot(this.leaves);
    return {
      logIndex: String(index),
      logId: { keyId: this.logID.toString('base64') },
      kindVersion: { kind: entry.kind, version: entry.apiVersion },
      inclusionProof: {
        logIndex: String(index),
        rootHash: rootHash.toString('base64'),
        treeSize: String(treeSize),
        hashes: auditPath(index, this.leaves).map((h) => h.toString('base64')),
        checkpoint: { envelope: this.checkpoint(treeSize, rootHash) },
      },
      canonicalizedBody: body.toString('base64'),
    };
  }
}

// ---------------------------------------------------------------------------
// The porthole.test instance shared by the generators
// ---------------------------------------------------------------------------

// make-bundles.mjs and make-cosign-keyless.mjs sign against the same instance
// and identity, which tests/trust.rs spells out again when it asks porthole
// about their material.
export const FULCIO_URL = 'https://fulcio.porthole.test';
export const REKOR_URL = 'https://rekor.porthole.test';
export const CTLOG_URL = 'https://ctfe.porthole.test/2026';
export const ISSUER = 'https://issuer.porthole.test';
export const EMAIL = 'signer@porthole.test';

// Both generators take the output folder and one input file, and fail the
// calling test with a usage line otherwise.
export function commandLine(script, inputName) {
  const [outDir, inputFile] = process.argv.slice(2);
  if (!outDir || !inputFile) {
    console.error(`usage: node tests/sigstore/${script} OUTDIR ${inputName}`);
    process.exit(2);
  }
  return [outDir, inputFile];
}

// The logs' (and the TSA's) validity in trusted_root.json starts a day
// before the run, on a whole second: every time a run produces is inside it.
export const dayBefore = (date) => new Date(Math.floor(date.getTime() / 1000) * 1000 - 24 * 3600 * 1000);

// The services both generators use: the trusted CA, the same CA without the
// CT log (its leaves carry no SCT), a CA the trusted root does not list, and
// the Rekor v1 log. Fresh keys on every call.
export function mockSigstore({ now = new Date() } = {}) {
  const ctLog = new MockCTLog({ keyPair: ecKeyPair('P-256'), baseURL: CTLOG_URL });
  const ca = new MockFulcioCA({ organization: 'porthole.test', now, ctLog });
  return {
    ctLog,
    ca,
    caNoSCT: Object.create(ca, { ctLog: { value: null } }), // same chain, no SCT
    untrustedCA: new MockFulcioCA({ organization: 'untrusted.porthole.test', now, ctLog }),
    rekor: new MockRekor({ keyPair: ecKeyPair('P-256'), baseURL: REKOR_URL }),
  };
}

// What @sigstore/mock's fulcioHandler asks of issueCertificate() for a token
// whose iss is `issuer`; for issuing a leaf without the handler.
export function issuerExtensions(issuer) {
  return [
    { oid: OID.fulcioIssuerV1, value: issuer, legacy: true },
    { oid: OID.fulcioIssuerV2, value: issuer },
  ];
}

// The trusted root names a log key by its algorithm, which the key itself says.
function trustedKeyDetails(publicKey) {
  if (publicKey.asymmetricKeyType === 'ed25519') return 'PKIX_ED25519';
  if (publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'PKIX_ECDSA_P256_SHA_256';
  throw new Error('trusted root: only Ed25519 and P-256 log keys are written');
}

// trusted_root.json for the CA, the CT log, the given transparency logs
// (MockRekor / MockRekorV2) and timestamp authorities ({ subject, uri,
// chainDer: signing certificate first, then its root }). Keys and TSAs are
// valid from `since`, the CA from its certificates' notBefore.
export function trustedRoot({ since, ca, ctLog, tlogs, timestampAuthorities = [] }) {
  const chain = (ders) => ({ certificates: ders.map((d) => ({ rawBytes: b64(d) })) });
  const logKey = (log) => ({
    baseUrl: log.baseURL,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: b64(log.publicKeyDer),
      keyDetails: trustedKeyDetails(log.keyPair.publicKey),
      validFor: { start: rfc3339(since) },
    },
    logId: { keyId: b64(log.logID) },
  });
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: tlogs.map(logKey),
    certificateAuthorities: [
      {
        subject: { organization: ca.organization, commonName: 'sigstore' },
        uri: FULCIO_URL,
        certChain: chain(ca.chainDer),
        validFor: { start: rfc3339(ca.validFrom) },
      },
    ],
    ctlogs: [logKey(ctLog)],
    timestampAuthorities: timestampAuthorities.map(({ subject, uri, chainDer }) => ({
      subject,
      uri,
      certChain: chain(chainDer),
      validFor: { start: rfc3339(since) },
    })),
  };
}

// Every generated file is indented JSON with a final newline, to be read
// when a test fails.
export function writeJSON(dir, name, value) {
  fs.writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2) + '\n');
}

// ---------------------------------------------------------------------------
// @sigstore/verify, the reference both generators record verdicts from
// ---------------------------------------------------------------------------

export const sigstoreVerifyVersion = require('@sigstore/verify/package.json').version;

// A SAN policy is a regular expression; the generators want one identity.
const exactPattern = (s) => `^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
export const identityPolicy = (identity) => ({
  subjectAlternativeName: exactPattern(identity),
  extensions: { issuer: ISSUER },
});

// publicKeys: hint -> PublicKey, for bundles signed by a key rather than a certificate.
export function sigstoreVerifier(trustedRootJSON, publicKeys) {
  return new sgVerify.Verifier(sgVerify.toTrustMaterial(specs.TrustedRoot.fromJSON(trustedRootJSON), publicKeys));
}

// What @sigstore/verify says about a bundle (its JSON): { ok, error, code,
// name }, error being the message and its cause's, code the
// VerificationError code and name the error's class, for the errors that have
// no code. A message signature is checked over `artifact`; a DSSE envelope
// carries its payload.
export function verifyBundle(verifier, bundleJSON, artifact, policy) {
  try {
    const bundle = sgBundle.bundleFromJSON(bundleJSON);
    const data = bundle.content.$case === 'messageSignature' ? artifact : undefined;
    verifier.verify(sgVerify.toSignedEntity(bundle, data), policy);
    return { ok: true, error: null, code: null, name: null };
  } catch (err) {
    return {
      ok: false,
      error: err.cause?.message ? `${err.message}: ${err.cause.message}` : String(err.message ?? err),
      code: err.code ?? null,
      name: err.name ?? null,
    };
  }
}
