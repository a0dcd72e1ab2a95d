//! Secrets at rest: AES-256-GCM under the server key, with a fresh 96-bit
//! nonce per seal and the owner (user and factor ids) as associated data, so
//! a ciphertext moved to another row does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::{CryptoRng, RngCore};

use crate::keys::ServerKey;

const NONCE_BYTES: usize = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the sealed secret does not open: wrong key, wrong owner or tampered")]
pub struct Unseal;

/// What a sealed secret is bound to.
pub fn totp_owner(user_id: i64, factor_id: i64) -> String {
    format!("totp:v1:user={user_id}:factor={factor_id}")
}

/// What a sealed phone number is bound to.
pub fn phone_owner(user_id: i64, factor_id: i64) -> String {
    format!("phone:v1:user={user_id}:factor={factor_id}")
}

/// What a sealed passkey credential is bound to (not secret, but a
/// credential moved to another account, or altered, does not open).
pub fn passkey_owner(user_id: i64, factor_id: i64) -> String {
    format!("passkey:v1:user={user_id}:factor={factor_id}")
}

/// A reset link's token, sealed while its email waits in the queue.
pub fn reset_link_owner(reset_id: i64) -> String {
    format!("reset-link:v1:reset={reset_id}")
}

/// An invitation's token, sealed while its email waits in the queue.
pub fn invitation_owner(invitation_id: i64) -> String {
    format!("invitation:v1:invitation={invitation_id}")
}

/// nonce ‖ ciphertext ‖ tag, hex-encoded for a TEXT column.
pub fn seal(
    key: &ServerKey,
    owner: &str,
    plaintext: &[u8],
    rng: &mut (impl RngCore + CryptoRng),
) -> String {
    let cipher = Aes256Gcm::new(key.as_bytes().into());
    let mut nonce = [0u8; NONCE_BYTES];
    rng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: owner.as_bytes(),
            },
        )
        .expect("AES-GCM encryption cannot fail for in-memory buffers");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    hex::encode(out)
}

pub fn open(key: &ServerKey, owner: &str, sealed_hex: &str) -> Result<Vec<u8>, Unseal> {
    let bytes = hex::decode(sealed_hex).map_err(|_| Unseal)?;
    if bytes.len() <= NONCE_BYTES {
        return Err(Unseal);
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
    Aes256Gcm::new(key.as_bytes().into())
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: owner.as_bytes(),
            },
        )
        .map_err(|_| Unseal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn key(seed: u64) -> ServerKey {
        ServerKey::generate(&mut StdRng::seed_from_u64(seed))
    }

    #[test]
    fn round_trips_and_hides_the_plaintext() {
        let mut rng = StdRng::seed_from_u64(1);
        let secret = b"12345678901234567890";
        let sealed = seal(&key(1), &totp_owner(1, 2), secret, &mut rng);
        assert!(!sealed.contains(&hex::encode(secret)));
        assert_eq!(open(&key(1), &totp_owner(1, 2), &sealed).unwrap(), secret);
        assert_ne!(
            sealed,
            seal(&key(1), &totp_owner(1, 2), secret, &mut rng),
            "fresh nonce each time"
        );
    }

    #[test]
    fn refuses_tampering_another_owner_or_another_key() {
        let sealed = seal(
            &key(1),
            &totp_owner(1, 2),
            b"secret",
            &mut StdRng::seed_from_u64(2),
        );
        let mut tampered = hex::decode(&sealed).unwrap();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(
            open(&key(1), &totp_owner(1, 2), &hex::encode(tampered)),
            Err(Unseal)
        );
        assert_eq!(open(&key(1), &totp_owner(1, 3), &sealed), Err(Unseal));
        assert_eq!(open(&key(2), &totp_owner(1, 2), &sealed), Err(Unseal));
        assert_eq!(open(&key(1), &totp_owner(1, 2), "zz"), Err(Unseal));
    }
}
