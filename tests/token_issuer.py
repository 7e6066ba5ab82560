#!/usr/bin/env python3
"""A small Docker/OCI registry token service for tests (the `auth: token:` flow).

    python3 tests/token_issuer.py --port P --dir D --user alice --password pw

Writes D/root.pem (a self-signed EC P-256 certificate: the registry's `rootcertbundle`)
before listening, then prints `ready PORT` on stdout (`--port 0` picks a free port).

GET /token?service=S&scope=repository:NAME:pull[,push] answers
{"token": JWT, "access_token": JWT, "expires_in": 300}: an ES256 JWT whose header carries
the certificate in `x5c`, with claims iss (--issuer), sub, aud (= service), exp/nbf/iat, jti
and access. Correct Basic credentials get the actions asked for (pull, push); anonymous
requests get pull on repositories named public/… and nothing otherwise; wrong credentials
get 401. `scope=registry:catalog:*` (listing the repositories) is granted to the full account only. `--guest USER:PASSWORD` adds a second valid account that gets only what anonymous
requests get (credentials accepted, but no access to private repositories). The token endpoint sends CORS headers and answers OPTIONS with 204.

Every request is appended to D/requests.log as a JSON line:
{"method", "path" (with the query), "auth": "anonymous" | "basic:USER" | "bad-credentials" |
"other", "service", "scope" (the scope parameters, decoded), "status"}. Passwords are never
logged.

Needs Debian's python3-cryptography.
"""

import argparse
import base64
import datetime
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    from cryptography.x509.oid import NameOID
except ImportError:
    sys.stderr.write(
        "token_issuer.py needs the cryptography module: apt-get install python3-cryptography\n"
    )
    sys.exit(3)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_cert(issuer: str):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def sign_es256(key, signing_input: bytes) -> bytes:
    """ES256 as JWS wants it: raw r||s, 32 bytes each (not DER)."""
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def parse_scope(scope: str):
    """`repository:NAME:pull,push` → (type, name, [actions]); None when malformed."""
    typ, sep, rest = scope.partition(":")
    name, sep2, actions = rest.rpartition(":")
    if not sep or not sep2 or not name:
        return None
    return typ, name, [a for a in actions.split(",") if a]


class Issuer:
    def __init__(self, args):
        self.args = args
        self.key, self.cert = make_cert(args.issuer)
        self.x5c = base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()
        self.log_path = os.path.join(args.dir, "requests.log")
        self.lock = threading.Lock()

    def write_root(self):
        path = os.path.join(self.args.dir, "root.pem")
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(self.cert.public_bytes(serialization.Encoding.PEM))
        os.replace(tmp, path)

    def log(self, entry):
        with self.lock, open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")

    def token(self, subject: str, service: str, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "ES256", "x5c": [self.x5c]}
        claims = {
            "iss": self.args.issuer,
            "sub": subject,
            "aud": service,
            "exp": now + self.args.expires_in,
            "nbf": now - 1,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = (
            b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        return signing_input + "." + b64url(sign_es256(self.key, signing_input.encode()))


def handler_for(issuer: Issuer):
    args = issuer.args
    # The guest account's `auth` value: it is granted what anonymous requests are.
    guest = "basic:" + args.guest.split(":", 1)[0] if args.guest else None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "porthole-token-issuer"

        def log_message(self, *a):  # quiet: the request log is the file
            pass

        def cors(self):
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Headers", "Authorization")
            self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")

        def reply(self, status, auth, body=None, headers=()):
            # Logged before answering: a client may act on the answer (and a test read the
            # log) before a line written afterwards would land.
            self.record(status, auth)
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.cors()
            for k, v in headers:
                self.send_header(k, v)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data:
                self.wfile.write(data)

        def who(self):
            """'anonymous', 'basic:USER' (correct), 'bad-credentials' or 'other'."""
            h = self.headers.get("Authorization")
            if not h:
                return "anonymous"
            scheme, _, value = h.partition(" ")
            if scheme.lower() != "basic":
                return "other"
            try:
                user, _, password = base64.b64decode(value.strip()).decode().partition(":")
            except Exception:
                return "bad-credentials"
            if user == args.user and password == args.password:
                return "basic:" + user
            if args.guest and [user, password] == args.guest.split(":", 1):
                return "basic:" + user
            return "bad-credentials"

        def record(self, status, auth):
            q = parse_qs(urlsplit(self.path).query)
            issuer.log(
                {
                    "method": self.command,
                    "path": self.path,
                    "auth": auth,
                    "service": (q.get("service") or [None])[0],
                    "scope": q.get("scope", []),
                    "status": status,
                }
            )

        def do_OPTIONS(self):
            self.reply(204, "-")

        def do_GET(self):
            url = urlsplit(self.path)
            auth = self.who()
            if url.path != "/token":
                self.reply(404, auth, {"errors": [{"code": "NOT_FOUND", "message": "only /token here"}]})
                return
            if auth in ("bad-credentials", "other"):
                self.reply(
                    401,
                    auth,
                    {"errors": [{"code": "UNAUTHORIZED", "message": "wrong credentials"}]},
                    [("WWW-Authenticate", 'Basic realm="porthole-token-issuer"')],
                )
                return
            q = parse_qs(url.query)
            service = (q.get("service") or [""])[0]
            access = []
            for scope_param in q.get("scope", []):
                # Several scopes may come space-separated in one parameter, too.
                for scope in scope_param.split(" "):
                    parsed = parse_scope(scope)
                    if parsed is None:
                        continue
                    typ, name, actions = parsed
                    # The catalog: the full account only (as Harbor lists it to admins).
                    if (typ, name) == ("registry", "catalog"):
                        if auth not in ("anonymous", guest) and "*" in actions:
                            access.append({"type": "registry", "name": "catalog", "actions": ["*"]})
                        continue
                    if typ != "repository":
                        continue
                    if auth == "anonymous" or auth == guest:
                        granted = ["pull"] if name.startswith("public/") and "pull" in actions else []
                    else:
                        granted = [a for a in actions if a in ("pull", "push")]
                    if granted:
                        access.append({"type": "repository", "name": name, "actions": granted})
            subject = auth[len("basic:"):] if auth.startswith("basic:") else ""
            jwt = issuer.token(subject, service, access)
            self.reply(
                200,
                auth,
                {
                    "token": jwt,
                    "access_token": jwt,
                    "expires_in": args.expires_in,
                    "issued_at": datetime.datetime.now(datetime.timezone.utc)
                    .replace(microsecond=0)
                    .isoformat()
                    .replace("+00:00", "Z"),
                },
            )

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)  # the body may hold a password: read, never log
            self.reply(405, "-", {"errors": [{"code": "UNSUPPORTED", "message": "use GET"}]})

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--dir", required=True, help="where root.pem and requests.log go")
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--guest", help="USER:PASSWORD of a valid account with anonymous access only")
    p.add_argument("--issuer", default="porthole-test-issuer")
    p.add_argument("--expires-in", type=int, default=300)
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    issuer = Issuer(args)
    issuer.write_root()
    server = ThreadingHTTPServer((args.host, args.port), handler_for(issuer))
    server.daemon_threads = True
    print(f"ready {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
