#!/usr/bin/env python3
"""Test material for Notation signatures, made with Python's `cryptography` (Debian's
python3-cryptography): a test CA (root, intermediate), signing certificates good and bad, and
JWS envelopes in the Notary Project's format (signature-envelope-jws.md) over a target
manifest descriptor.

  python3 tests/notation_material.py OUTDIR DIGEST SIZE NOW

writes to OUTDIR:
  root.pem           the trust store (the test root)
  other-root.pem     a root nobody trusts
  chain-<case>.pem   each case's certificates, signing certificate first (for `openssl verify`)
  <case>.jws         each case's envelope
NOW (seconds since the epoch) is the verification time the certificates are made around.
"""

import base64
import datetime
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "porthole tests")])


def cert(subject_cn, key, issuer_cert, issuer_key, now, ca, path_len=None, eku=ExtendedKeyUsageOID.CODE_SIGNING,
         not_before=None, not_after=None, key_cert_sign=None):
    issuer = issuer_cert.subject if issuer_cert is not None else name(subject_cn)
    nb = not_before or now - datetime.timedelta(days=30)
    na = not_after or now + datetime.timedelta(days=30)
    b = (x509.CertificateBuilder().subject_name(name(subject_cn)).issuer_name(issuer)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(nb).not_valid_after(na)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len if ca else None), critical=True))
    sign_certs = ca if key_cert_sign is None else key_cert_sign
    b = b.add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=False, key_encipherment=False,
                                      data_encipherment=False, key_agreement=False, key_cert_sign=sign_certs,
                                      crl_sign=ca, encipher_only=False, decipher_only=False), critical=True)
    if not ca and eku is not None:
        b = b.add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
    return b.sign(issuer_key if issuer_key is not None else key, hashes.SHA256())


def pem(*certs):
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def jws(alg, key, chain, target, signing_time, expiry=None, tamper=False, crit_extra=None):
    protected = {
        "alg": alg,
        "crit": ["io.cncf.notary.signingScheme"] + (["io.cncf.notary.expiry"] if expiry else []) + (crit_extra or []),
        "cty": "application/vnd.cncf.notary.payload.v1+json",
        "io.cncf.notary.signingScheme": "notary.x509",
        "io.cncf.notary.signingTime": signing_time,
    }
    if expiry:
        protected["io.cncf.notary.expiry"] = expiry
    payload = {"targetArtifact": target}
    p64 = b64url(json.dumps(protected).encode())
    body64 = b64url(json.dumps(payload).encode())
    data = f"{p64}.{body64}".encode()
    h = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}[alg[2:]]
    if alg.startswith("PS"):
        sig = key.sign(data, padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
    elif alg.startswith("RS"):
        sig = key.sign(data, padding.PKCS1v15(), h)
    else:
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(h)))
        n = (key.curve.key_size + 7) // 8
        sig = r.to_bytes(n, "big") + s.to_bytes(n, "big")
    if tamper:
        payload["targetArtifact"]["annotations"] = {"tampered": "yes"}
        body64 = b64url(json.dumps(payload).encode())
    return json.dumps({
        "payload": body64,
        "protected": p64,
        "header": {"x5c": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in chain],
                   "io.cncf.notary.signingAgent": "porthole tests"},
        "signature": b64url(sig),
    }).encode()


def main():
    out, digest, size, now = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(out, exist_ok=True)
    now = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
    signing_time = (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    target = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": size}
    rsa_key = lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_key, other_key, inter_key = rsa_key(), rsa_key(), ec.generate_private_key(ec.SECP384R1())
    root = cert("porthole test root", root_key, None, None, now, ca=True)
    other = cert("untrusted root", other_key, None, None, now, ca=True)
    inter = cert("porthole test intermediate", inter_key, root, root_key, now, ca=True, path_len=0)
    leaf_key, ec_key, p521_key = rsa_key(), ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP521R1())
    leaf = cert("porthole signer", leaf_key, inter, inter_key, now, ca=False)
    ec_leaf = cert("porthole ec signer", ec_key, inter, inter_key, now, ca=False)
    p521_leaf = cert("porthole p521 signer", p521_key, inter, inter_key, now, ca=False)
    expired = cert("expired signer", leaf_key, inter, inter_key, now, ca=False,
                   not_before=now - datetime.timedelta(days=60), not_after=now - datetime.timedelta(days=1))
    no_eku = cert("server, not signer", leaf_key, inter, inter_key, now, ca=False, eku=ExtendedKeyUsageOID.SERVER_AUTH)
    ca_leaf = cert("a CA signing", leaf_key, inter, inter_key, now, ca=True)
    untrusted = cert("untrusted signer", leaf_key, other, other_key, now, ca=False)
    not_ca_key = ec.generate_private_key(ec.SECP256R1())
    not_ca = cert("not a CA", not_ca_key, root, root_key, now, ca=False)
    under_not_ca = cert("under a non-CA", leaf_key, not_ca, not_ca_key, now, ca=False)
    inter2_key = ec.generate_private_key(ec.SECP256R1())
    inter2 = cert("second intermediate", inter2_key, inter, inter_key, now, ca=True)
    too_deep = cert("too deep", leaf_key, inter2, inter2_key, now, ca=False)

    open(os.path.join(out, "root.pem"), "wb").write(pem(root))
    open(os.path.join(out, "other-root.pem"), "wb").write(pem(other))
    later = (now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    earlier = (now - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    other_target = dict(target, digest="sha256:" + "ab" * 32)
    cases = {
        "good-ps256": (jws("PS256", leaf_key, [leaf, inter, root], target, signing_time), [leaf, inter, root]),
        "good-ps512": (jws("PS512", leaf_key, [leaf, inter], target, signing_time, expiry=later), [leaf, inter]),
        "good-es256": (jws("ES256", ec_key, [ec_leaf, inter, root], target, signing_time), [ec_leaf, inter, root]),
        "good-es512": (jws("ES512", p521_key, [p521_leaf, inter, root], target, signing_time), [p521_leaf, inter, root]),
        "expired-cert": (jws("PS256", leaf_key, [expired, inter, root], target, signing_time), [expired, inter, root]),
        "no-code-signing": (jws("PS256", leaf_key, [no_eku, inter, root], target, signing_time), [no_eku, inter, root]),
        "ca-signer": (jws("PS256", leaf_key, [ca_leaf, inter, root], target, signing_time), [ca_leaf, inter, root]),
        "untrusted": (jws("PS256", leaf_key, [untrusted, other], target, signing_time), [untrusted, other]),
        "issuer-not-ca": (jws("PS256", leaf_key, [under_not_ca, not_ca, root], target, signing_time), [under_not_ca, not_ca, root]),
        "path-too-long": (jws("PS256", leaf_key, [too_deep, inter2, inter, root], target, signing_time), [too_deep, inter2, inter, root]),
        "other-digest": (jws("PS256", leaf_key, [leaf, inter, root], other_target, signing_time), [leaf, inter, root]),
        "tampered": (jws("PS256", leaf_key, [leaf, inter, root], target, signing_time, tamper=True), [leaf, inter, root]),
        "signature-expired": (jws("PS256", leaf_key, [leaf, inter, root], target, signing_time, expiry=earlier), [leaf, inter, root]),
        "rs256": (jws("RS256", leaf_key, [leaf, inter, root], target, signing_time), [leaf, inter, root]),
        "unknown-crit": (jws("PS256", leaf_key, [leaf, inter, root], target, signing_time, crit_extra=["com.example.unknown"]), [leaf, inter, root]),
    }
    for case, (envelope, chain) in cases.items():
        open(os.path.join(out, f"{case}.jws"), "wb").write(envelope)
        open(os.path.join(out, f"chain-{case}.pem"), "wb").write(pem(*chain))


if __name__ == "__main__":
    main()
