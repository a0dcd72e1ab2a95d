//! The "known device" token: a browser that completed a sign-in as a user
//! keeps it (a long-lived, HttpOnly cookie), and is then exempt from that
//! account's sign-in delay, so an attacker's guesses cannot keep the real
//! user out. It is sealed with the server key and bound to the user, so it
//! can be neither forged nor moved to another account.

use rand::{CryptoRng, RngCore};

use super::clock::UnixTime;
use super::seal;
use crate::keys::ServerKey;

/// How long a browser stays known.
pub const LIFETIME_SECS: i64 = 365 * 24 * 60 * 60;

fn owner(user_id: i64) -> String {
    format!("device:v1:user={user_id}")
}

/// `user_id.sealed(issued_at, epoch)`, for the cookie.
pub fn issue(
    key: &ServerKey,
    user_id: i64,
    epoch: i64,
    now: UnixTime,
    rng: &mut (impl RngCore + CryptoRng),
) -> String {
    let mut payload = [0u8; 16];
    payload[..8].copy_from_slice(&now.to_be_bytes());
    payload[8..].copy_from_slice(&epoch.to_be_bytes());
    let sealed = seal::seal(key, &owner(user_id), &payload, rng);
    format!("{user_id}.{sealed}")
}

/// Whether `token` was issued by this server for `user_id` at its current
/// device `epoch`, within its lifetime.
pub fn is_known(key: &ServerKey, token: &str, user_id: i64, epoch: i64, now: UnixTime) -> bool {
    let Some((id, sealed)) = token.split_once('.') else {
        return false;
    };
    if id.parse::<i64>().ok() != Some(user_id) {
        return false;
    }
    let Ok(payload) = seal::open(key, &owner(user_id), sealed) else {
        return false;
    };
    let number = |bytes: &[u8]| <[u8; 8]>::try_from(bytes).ok().map(i64::from_be_bytes);
    let (issued, issued_epoch) = match payload.len() {
        // Issued before epochs existed: epoch 0, the one every user starts at.
        8 => (number(&payload), Some(0)),
        16 => (number(&payload[..8]), number(&payload[8..])),
        _ => return false,
    };
    issued_epoch == Some(epoch)
        && issued.is_some_and(|issued| issued <= now && now < issued + LIFETIME_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn known_for_its_user_within_a_year_only() {
        let mut rng = StdRng::seed_from_u64(1);
        let key = ServerKey::generate(&mut rng);
        let token = issue(&key, 7, 0, 1_000, &mut rng);
        assert!(is_known(&key, &token, 7, 0, 1_000));
        assert!(is_known(&key, &token, 7, 0, 1_000 + LIFETIME_SECS - 1));
        assert!(!is_known(&key, &token, 7, 0, 1_000 + LIFETIME_SECS));
        assert!(!is_known(&key, &token, 8, 0, 1_000), "another user");
        let moved = token.replacen("7.", "8.", 1);
        assert!(!is_known(&key, &moved, 8, 0, 1_000), "relabelled");
        let other_key = ServerKey::generate(&mut rng);
        assert!(!is_known(&other_key, &token, 7, 0, 1_000));
        for garbage in ["", "7", "7.", "x.abcd", "7.zz"] {
            assert!(!is_known(&key, garbage, 7, 0, 1_000), "{garbage:?}");
        }
    }

    #[test]
    fn a_new_epoch_forgets_every_older_token() {
        let mut rng = StdRng::seed_from_u64(2);
        let key = ServerKey::generate(&mut rng);
        let token = issue(&key, 7, 3, 1_000, &mut rng);
        assert!(is_known(&key, &token, 7, 3, 1_000));
        assert!(
            !is_known(&key, &token, 7, 4, 1_000),
            "after a password change or reset"
        );
        // A token from before epochs (issued_at only) is of epoch 0.
        let legacy = format!(
            "7.{}",
            seal::seal(&key, &owner(7), &1_000i64.to_be_bytes(), &mut rng)
        );
        assert!(is_known(&key, &legacy, 7, 0, 1_000));
        assert!(!is_known(&key, &legacy, 7, 1, 1_000));
    }
}
