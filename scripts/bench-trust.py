#!/usr/bin/env python3
"""Signature verification speed: an OCI archive of the sample image with N cosign signatures
(ECDSA P-256, made by openssl: 64 referrer manifests of up to 16 simple-signing layers each),
inspected by `porthole inspect --key` and without a key; the difference is what verifying
costs. The baseline verifies the same signatures in one process with Python's `cryptography`
(OpenSSL underneath).

  python3 scripts/bench-trust.py [N] [RUNS]     (after `make cli fixture-bin`; N ≤ 1024)
"""
import base64, hashlib, io, json, os, subprocess, sys, tarfile, tempfile, time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
PORTHOLE = os.path.join(TARGET, "release/porthole")
FIXTURE = os.path.join(TARGET, "release/porthole-fixture")


def digest(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    tmp = tempfile.mkdtemp(prefix="porthole-bench-trust-")
    base = os.path.join(tmp, "base.tar")
    subprocess.run([FIXTURE, "oci", base], check=True)
    key_file, pub_file = os.path.join(tmp, "k.pem"), os.path.join(tmp, "k.pub")
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key_file], check=True)
    subprocess.run(["openssl", "pkey", "-in", key_file, "-pubout", "-out", pub_file], check=True)
    members = {}
    with tarfile.open(base) as t:
        for m in t.getmembers():
            if m.isfile():
                members[m.name] = t.extractfile(m).read()
    index = json.loads(members["index.json"])
    image = index["manifests"][0]
    target = image["digest"]
    # Payloads signed by openssl, one process for all (a script of `dgst -sign` calls).
    payloads = [json.dumps({"critical": {"identity": {"docker-reference": "example.com/bench"},
                                         "image": {"docker-manifest-digest": target},
                                         "type": "cosign container image signature"},
                            "optional": {"n": i}}).encode() for i in range(n)]
    sigs = []
    for i, p in enumerate(payloads):
        f = os.path.join(tmp, f"p{i}")
        open(f, "wb").write(p)
        sigs.append(subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_file, f], check=True, capture_output=True).stdout)
    config = json.dumps({"architecture": "", "os": "", "rootfs": {"type": "layers", "diff_ids": []}, "config": {}}).encode()
    members[f"blobs/sha256/{hashlib.sha256(config).hexdigest()}"] = config
    for start in range(0, n, 16):
        layers = []
        for i in range(start, min(n, start + 16)):
            members[f"blobs/sha256/{hashlib.sha256(payloads[i]).hexdigest()}"] = payloads[i]
            layers.append({"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "size": len(payloads[i]),
                           "digest": digest(payloads[i]),
                           "annotations": {"dev.cosignproject.cosign/signature": base64.b64encode(sigs[i]).decode()}})
        m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "artifactType": "application/vnd.dev.cosign.artifact.sig.v1+json",
                        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config), "digest": digest(config)},
                        "layers": layers,
                        "subject": {"mediaType": image["mediaType"], "digest": target, "size": image["size"]}}).encode()
        members[f"blobs/sha256/{hashlib.sha256(m).hexdigest()}"] = m
        index["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest(m), "size": len(m)})
    members["index.json"] = json.dumps(index).encode()
    archive = os.path.join(tmp, "signed.tar")
    with tarfile.open(archive, "w") as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))

    def timed(args):
        best = None
        for _ in range(runs):
            t0 = time.perf_counter()
            out = subprocess.run([PORTHOLE, "inspect", archive, "--json", *args], capture_output=True)
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        return best, json.loads(out.stdout)

    without, r0 = timed([])
    with_key, r1 = timed(["--key", pub_file])
    verified = sum(s["verified"] for s in r1["images"][0]["signatures"])
    assert len(r0["images"][0]["signatures"]) == n, "every signature found"
    assert verified == n, f"{verified} of {n} verified"
    pub = serialization.load_pem_public_key(open(pub_file, "rb").read())
    best = None
    for _ in range(runs):
        t0 = time.perf_counter()
        for p, s in zip(payloads, sigs):
            pub.verify(s, p, ec.ECDSA(hashes.SHA256()))
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    extra = max(with_key - without, 0)
    print(f"{n} cosign signatures (P-256) in {len(members)} archive members, best of {runs}:")
    print(f"  porthole inspect, no key:   {without * 1000:8.1f} ms (found, not checked)")
    print(f"  porthole inspect --key:     {with_key * 1000:8.1f} ms ({verified} verified)")
    print(f"  verifying costs porthole:   {extra * 1000:8.1f} ms = {extra / n * 1e6:6.1f} µs per signature")
    print(f"  Python cryptography verify: {best * 1000:8.1f} ms = {best / n * 1e6:6.1f} µs per signature (OpenSSL)")
    print(f"  ratio porthole / OpenSSL per signature: {extra / best:.2f}")


if __name__ == "__main__":
    main()
