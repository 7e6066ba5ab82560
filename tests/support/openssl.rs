//! Keys and signatures made by the real `openssl`, for the signature tests.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A key pair in a directory, made by openssl.
pub struct KeyPair {
    pub private: PathBuf,
    /// The PEM public key (what a user hands porthole).
    pub public: PathBuf,
    /// The digest openssl signs with (`-sha256`), empty for Ed25519.
    digest: &'static str,
    dir: PathBuf,
}

fn run(dir: &Path, args: &[&str]) -> Vec<u8> {
    super::need("openssl");
    let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A fresh directory for one test's keys.
pub fn key_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("porthole-keys-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl KeyPair {
    /// `kind`: `p256`, `p384`, `p384-sha384` (signs with SHA-384), `p521` (SHA-512), `rsa` or
    /// `ed25519`.
    pub fn new(dir: &Path, kind: &str) -> KeyPair {
        let private = dir.join(format!("{kind}.key"));
        let public = dir.join(format!("{kind}.pub"));
        let p = private.to_str().unwrap();
        let digest = match kind {
            "p256" => {
                run(dir, &["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", p]);
                "-sha256"
            }
            "p384" | "p384-sha384" => {
                run(dir, &["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", p]);
                if kind == "p384" { "-sha256" } else { "-sha384" }
            }
            "p521" => {
                run(dir, &["ecparam", "-name", "secp521r1", "-genkey", "-noout", "-out", p]);
                "-sha512"
            }
            "rsa" => {
                run(dir, &["genrsa", "-out", p, "2048"]);
                "-sha256"
            }
            "ed25519" => {
                run(dir, &["genpkey", "-algorithm", "ed25519", "-out", p]);
                ""
            }
            other => panic!("no key kind {other}"),
        };
        run(dir, &["pkey", "-in", p, "-pubout", "-out", public.to_str().unwrap()]);
        KeyPair {
            private,
            public,
            digest,
            dir: dir.to_path_buf(),
        }
    }

    /// openssl's signature over `data`: DER ECDSA, PKCS#1 v1.5 RSA or raw Ed25519.
    pub fn sign_raw(&self, data: &[u8]) -> Vec<u8> {
        let input = self.dir.join(format!("to-sign-{}", std::process::id()));
        std::fs::write(&input, data).unwrap();
        let (k, i) = (self.private.to_str().unwrap(), input.to_str().unwrap());
        let sig = if self.digest.is_empty() {
            run(&self.dir, &["pkeyutl", "-sign", "-inkey", k, "-rawin", "-in", i])
        } else {
            run(&self.dir, &["dgst", self.digest, "-sign", k, i])
        };
        let _ = std::fs::remove_file(input);
        sig
    }

    /// The signature, base64 (as cosign's annotation and DSSE carry it).
    pub fn sign(&self, data: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(self.sign_raw(data))
    }

    pub fn public_path(&self) -> &str {
        self.public.to_str().unwrap()
    }
}
