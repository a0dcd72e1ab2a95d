//! A software authenticator for the API tests: it answers the server's
//! WebAuthn options as a browser with a platform passkey would (a
//! discoverable RS256 credential, attestation "none", CBOR written here),
//! and can be told to skip user verification or to report a count that
//! goes back. Browser tests use Chromium's virtual authenticator instead.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// One RSA key for every test's passkeys (generating one is slow); each
/// passkey still has its own credential id.
fn key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap())
}

#[derive(Clone, Debug)]
pub struct SoftPasskey {
    /// `http://localhost:PORT`: what a browser at the product reports.
    origin: String,
    rp_id: String,
    pub credential_id: Vec<u8>,
    /// The user handle the server gave at registration.
    user_handle: Vec<u8>,
    /// The signature count, raised before each assertion (0 stays 0).
    pub counter: u32,
    /// Whether the person unlocks the passkey (PIN, fingerprint).
    pub user_verified: bool,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &Value) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text.as_str().expect("a base64url member"))
        .unwrap()
}

impl SoftPasskey {
    /// A passkey for the product answering at `host` (`127.0.0.1:PORT`);
    /// `id` tells passkeys apart.
    pub fn new(host: &str, id: u8) -> Self {
        let port = host.rsplit_once(':').map(|(_, port)| port).unwrap();
        Self {
            origin: format!("http://localhost:{port}"),
            rp_id: "localhost".to_owned(),
            credential_id: vec![id; 32],
            user_handle: Vec::new(),
            counter: 0,
            user_verified: true,
        }
    }

    fn client_data(&self, kind: &str, options: &Value) -> Vec<u8> {
        json!({
            "type": kind,
            "challenge": options["publicKey"]["challenge"],
            "origin": self.origin,
            "crossOrigin": false,
        })
        .to_string()
        .into_bytes()
    }

    fn flags(&self, attested: bool) -> u8 {
        let mut flags = 0x01; // user present
        if self.user_verified {
            flags |= 0x04;
        }
        if attested {
            flags |= 0x40;
        }
        flags
    }

    fn auth_data(&self, attested: bool) -> Vec<u8> {
        let mut data = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        data.push(self.flags(attested));
        data.extend_from_slice(&self.counter.to_be_bytes());
        data
    }

    /// `navigator.credentials.create()` for the server's options, as
    /// `PublicKeyCredential.toJSON()` gives it.
    pub fn create(&mut self, options: &Value) -> Value {
        assert_eq!(options["publicKey"]["rp"]["id"], self.rp_id.as_str());
        self.user_handle = unb64(&options["publicKey"]["user"]["id"]);
        let client_data = self.client_data("webauthn.create", options);
        let mut auth_data = self.auth_data(true);
        auth_data.extend_from_slice(&[0; 16]); // AAGUID
        auth_data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        let public = key().to_public_key();
        let mut cose = Cbor::map(4);
        cose.int(1).int(3); // kty: RSA
        cose.int(3).int(-257); // alg: RS256
        cose.int(-1).bytes(&public.n().to_bytes_be());
        cose.int(-2).bytes(&public.e().to_bytes_be());
        auth_data.extend_from_slice(&cose.0);
        let mut attestation = Cbor::map(3);
        attestation.text("fmt").text("none");
        attestation.text("attStmt").map_header(0);
        attestation.text("authData").bytes(&auth_data);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&attestation.0),
                "clientDataJSON": b64(&client_data),
            },
            "clientExtensionResults": {},
        })
    }

    /// `navigator.credentials.get()` for the server's options.
    pub fn get(&mut self, options: &Value) -> Value {
        if self.counter > 0 {
            self.counter += 1;
        }
        let client_data = self.client_data("webauthn.get", options);
        let auth_data = self.auth_data(false);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature = SigningKey::<Sha256>::new(key().clone())
            .sign(&signed)
            .to_vec();
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(&signature),
                "userHandle": b64(&self.user_handle),
            },
            "clientExtensionResults": {},
        })
    }
}

/// Just enough CBOR (RFC 8949) for an attestation object and a COSE key.
struct Cbor(Vec<u8>);

impl Cbor {
    fn map(entries: u64) -> Self {
        let mut cbor = Self(Vec::new());
        cbor.map_header(entries);
        cbor
    }

    fn head(&mut self, major: u8, value: u64) -> &mut Self {
        let major = major << 5;
        match value {
            0..=23 => self.0.push(major | value as u8),
            24..=0xff => self.0.extend_from_slice(&[major | 24, value as u8]),
            0x100..=0xffff => {
                self.0.push(major | 25);
                self.0.extend_from_slice(&(value as u16).to_be_bytes());
            }
            _ => {
                self.0.push(major | 26);
                self.0.extend_from_slice(&(value as u32).to_be_bytes());
            }
        }
        self
    }

    fn map_header(&mut self, entries: u64) -> &mut Self {
        self.head(5, entries)
    }

    fn int(&mut self, value: i64) -> &mut Self {
        match value {
            0.. => self.head(0, value as u64),
            _ => self.head(1, (-1 - value) as u64),
        }
    }

    fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.head(2, bytes.len() as u64);
        self.0.extend_from_slice(bytes);
        self
    }

    fn text(&mut self, text: &str) -> &mut Self {
        self.head(3, text.len() as u64);
        self.0.extend_from_slice(text.as_bytes());
        self
    }
}
