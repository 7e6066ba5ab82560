#!/usr/bin/env python3
"""Validates porthole's SBOMs with the formats' own published tooling, from PyPI:
CycloneDX JSON against the CycloneDX 1.6 JSON schema shipped in `cyclonedx-python-lib`
(the CycloneDX project's library), SPDX 2.3 JSON with `spdx-tools` (the SPDX project's
parser and validator).

Usage: check_sbom.py PORTHOLE IMAGE[=VULN_DB]...   — runs `PORTHOLE sbom IMAGE --format …` for each
image and both formats, validates, checks the packages match `inspect --json`, and ends
with `N passed, M failed`.
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import cyclonedx
    import jsonschema
    import referencing
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
except ImportError as e:  # pragma: no cover
    sys.exit(f"check_sbom.py needs cyclonedx-python-lib, spdx-tools and jsonschema (scripts/setup.sh --tests): {e}")

RES = os.path.join(os.path.dirname(cyclonedx.__file__), "schema", "_res")


def cyclonedx_validator():
    resources = []
    for name in ("bom-1.6.SNAPSHOT.schema.json", "spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json",
                 "cryptography-defs.SNAPSHOT.schema.json"):
        path = os.path.join(RES, name)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            doc = json.load(f)
        res = referencing.Resource.from_contents(doc, default_specification=referencing.jsonschema.DRAFT7)
        # The bom schema refers to its siblings relative to its own $id.
        for n in (name, name.replace(".SNAPSHOT", "")):
            resources.append((n, res))
            resources.append(("http://cyclonedx.org/schema/" + n, res))
        if "$id" in doc:
            resources.append((doc["$id"], res))
    registry = referencing.Registry().with_resources(resources)
    with open(os.path.join(RES, "bom-1.6.SNAPSHOT.schema.json")) as f:
        schema = json.load(f)
    return jsonschema.Draft7Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker())


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    porthole, images = argv[1], argv[2:]
    passed = failed = 0

    def result(name, problems):
        nonlocal passed, failed
        if problems:
            failed += 1
            print(f"FAIL: {name}")
            for p in problems[:10]:
                print(f"  {p}")
        else:
            passed += 1
            print(f"PASS: {name}")

    cdx = cyclonedx_validator()
    for arg in images:
        # IMAGE=DB: with a vulnerability database, whose matches CycloneDX lists too.
        image, _, db = arg.partition("=")
        extra = ["--vuln-db", db] if db else []
        report = json.loads(run([porthole, "inspect", image, "--json", *extra]).stdout)
        want = sorted(p["purl"] for p in report["images"][0]["packages"])
        base = os.path.basename(image) + (" with a vulnerability database" if db else "")
        out = run([porthole, "sbom", image, "--format", "cyclonedx-json", *extra])
        doc = json.loads(out.stdout)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in cdx.iter_errors(doc)]
        result(f"{base}: CycloneDX 1.6 JSON validates against the CycloneDX schema", errors)
        got = sorted(c["purl"] for c in doc.get("components", []))
        result(f"{base}: CycloneDX lists the report's {len(want)} packages", [] if got == want else [f"{len(got)} != {len(want)}"])
        if db:
            ids = sorted({v["id"] for v in report["images"][0]["vulnerabilities"]})
            got = sorted(v["id"] for v in doc.get("vulnerabilities", []))
            result(f"{base}: CycloneDX lists the report's {len(ids)} advisories", [] if got == ids and ids else [f"{got} != {ids}"])
        out = run([porthole, "sbom", image, "--format", "spdx-json", *extra])
        with tempfile.NamedTemporaryFile("w", suffix=".spdx.json", delete=False) as f:
            f.write(out.stdout)
        try:
            document = parse_file(f.name)
            messages = [m.validation_message for m in validate_full_spdx_document(document)]
        except Exception as e:  # the parser raises on structural errors
            messages = [f"spdx-tools could not parse it: {e}"]
        finally:
            os.unlink(f.name)
        result(f"{base}: SPDX 2.3 JSON passes spdx-tools validation", messages)
        doc = json.loads(out.stdout)
        got = sorted(r["referenceLocator"] for p in doc["packages"] for r in p.get("externalRefs", []))
        result(f"{base}: SPDX lists the report's {len(want)} packages", [] if got == want else [f"{len(got)} != {len(want)}"])
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
