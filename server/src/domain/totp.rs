//! TOTP (RFC 6238) as the product uses it: HMAC-SHA1, 6 digits, 30-second
//! steps, a 160-bit secret; the current step and one either side are
//! accepted, and a step is accepted at most once (the caller stores the last
//! accepted step and passes it back in).
//!
//! The HMAC and truncation are totp-rs's; this module decides which steps
//! count. `code_at_step` is the one code path for enrollment, sign-in and
//! the RFC test vectors.

use std::fmt;

use mfa_api::percent_encode;
use rand::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

use super::clock::UnixTime;

pub const STEP_SECS: u64 = 30;
pub const DIGITS: usize = 6;
/// Steps accepted either side of the current one (clock drift, typing time).
pub const SKEW_STEPS: i64 = 1;
pub const SECRET_BYTES: usize = 20;

/// The shared secret. `Debug` is redacted; it is stored only encrypted.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// RFC 4648 base32 without padding, as authenticator apps expect it.
    pub fn to_base32(&self) -> String {
        base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &self.0)
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

/// Six digits as typed: spaces and dashes are ignored ("123 456" works).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpCode(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("enter the 6-digit code")]
pub struct TotpCodeError;

impl TotpCode {
    pub fn parse(input: &str) -> Result<Self, TotpCodeError> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(TotpCodeError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpCode(<redacted>)")
    }
}

/// The time step `now` falls in.
pub fn step_at(now: UnixTime) -> i64 {
    now.div_euclid(STEP_SECS as i64)
}

/// The code for one time step (RFC 6238 with `algorithm` and `digits`; the
/// product itself always uses SHA1 and 6 digits).
pub fn code_at_step(secret: &[u8], step: u64, algorithm: Algorithm, digits: usize) -> String {
    TOTP::new_unchecked(algorithm, digits, 0, STEP_SECS, secret.to_vec()).generate(step * STEP_SECS)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TotpRejection {
    #[error("the code is not valid")]
    Wrong,
    /// Right code, but its step (or a later one) was already used.
    #[error("the code was already used")]
    Replayed,
}

/// The step `code` belongs to, when it is within the window and newer than
/// `last_used_step`. The caller must then store that step, with a conditional
/// write, before treating the code as accepted.
pub fn verify(
    secret: &TotpSecret,
    code: &TotpCode,
    now: UnixTime,
    last_used_step: Option<i64>,
) -> Result<i64, TotpRejection> {
    let current = step_at(now);
    let mut matched = None;
    // Check every step in the window, whatever matches, so timing does not
    // tell which step a code belonged to.
    for step in (current - SKEW_STEPS)..=(current + SKEW_STEPS) {
        let Ok(counter) = u64::try_from(step) else {
            continue;
        };
        let expected = code_at_step(secret.as_bytes(), counter, Algorithm::SHA1, DIGITS);
        if bool::from(expected.as_bytes().ct_eq(code.as_str().as_bytes())) && matched.is_none() {
            matched = Some(step);
        }
    }
    let step = matched.ok_or(TotpRejection::Wrong)?;
    match last_used_step {
        Some(last) if step <= last => Err(TotpRejection::Replayed),
        _ => Ok(step),
    }
}

/// How far from the window a wrong code's clock may be for a hint.
pub const DRIFT_STEPS: std::ops::RangeInclusive<i64> = 2..=10;

/// For a code that [`verify`] refused: the steps (2 to 10, either way)
/// between now and the step it belongs to, when it belongs to one: the
/// phone's clock is off by that much. Only for enrollment, where the person
/// holds the secret already; at sign-in it would tell a guesser a code that
/// becomes valid later.
pub fn clock_drift(secret: &TotpSecret, code: &TotpCode, now: UnixTime) -> Option<i64> {
    let current = step_at(now);
    DRIFT_STEPS.flat_map(|d| [d, -d]).find(|d| {
        u64::try_from(current + d).is_ok_and(|step| {
            let expected = code_at_step(secret.as_bytes(), step, Algorithm::SHA1, DIGITS);
            bool::from(expected.as_bytes().ct_eq(code.as_str().as_bytes()))
        })
    })
}

/// `otpauth://totp/Issuer:email?...` for authenticator apps (Key Uri Format).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &TotpSecret) -> String {
    let issuer_enc = percent_encode(issuer, b"@");
    format!(
        "otpauth://totp/{issuer_enc}:{account}?secret={secret}&issuer={issuer_enc}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        account = percent_encode(account, b"@"),
        secret = secret.to_base32(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const RFC_SHA1_KEY: &[u8] = b"12345678901234567890";

    /// RFC 6238 Appendix B: (time, SHA1, SHA256, SHA512), 8 digits.
    const RFC6238: [(u64, &str, &str, &str); 6] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ];

    #[test]
    fn rfc6238_appendix_b_vectors() {
        let sha256_key = b"12345678901234567890123456789012";
        let sha512_key = b"1234567890123456789012345678901234567890123456789012345678901234";
        for (time, sha1, sha256, sha512) in RFC6238 {
            let step = time / STEP_SECS;
            assert_eq!(
                code_at_step(RFC_SHA1_KEY, step, Algorithm::SHA1, 8),
                sha1,
                "SHA1 at {time}"
            );
            assert_eq!(
                code_at_step(sha256_key, step, Algorithm::SHA256, 8),
                sha256,
                "SHA256 at {time}"
            );
            assert_eq!(
                code_at_step(sha512_key, step, Algorithm::SHA512, 8),
                sha512,
                "SHA512 at {time}"
            );
        }
    }

    #[test]
    fn rfc4226_appendix_d_vectors() {
        // HOTP is TOTP at counter = step.
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(
                code_at_step(RFC_SHA1_KEY, counter as u64, Algorithm::SHA1, 6),
                *code
            );
        }
    }

    fn secret() -> TotpSecret {
        TotpSecret::from_bytes(RFC_SHA1_KEY.to_vec())
    }

    fn code_for(step: i64) -> TotpCode {
        TotpCode::parse(&code_at_step(
            RFC_SHA1_KEY,
            step as u64,
            Algorithm::SHA1,
            DIGITS,
        ))
        .unwrap()
    }

    const NOW: UnixTime = 1_795_824_015; // mid-step
    fn current() -> i64 {
        step_at(NOW)
    }

    #[test]
    fn the_window_is_one_step_either_side() {
        for offset in [-1, 0, 1] {
            assert_eq!(
                verify(&secret(), &code_for(current() + offset), NOW, None),
                Ok(current() + offset)
            );
        }
        for offset in [-2, 2] {
            assert_eq!(
                verify(&secret(), &code_for(current() + offset), NOW, None),
                Err(TotpRejection::Wrong)
            );
        }
    }

    #[test]
    fn a_step_is_accepted_once() {
        let step = verify(&secret(), &code_for(current()), NOW, None).unwrap();
        assert_eq!(
            verify(&secret(), &code_for(current()), NOW, Some(step)),
            Err(TotpRejection::Replayed)
        );
    }

    #[test]
    fn an_older_step_after_a_newer_one_is_refused() {
        let newer = verify(&secret(), &code_for(current() + 1), NOW, None).unwrap();
        assert_eq!(
            verify(&secret(), &code_for(current()), NOW, Some(newer)),
            Err(TotpRejection::Replayed)
        );
        assert_eq!(
            verify(&secret(), &code_for(current() - 1), NOW, Some(newer)),
            Err(TotpRejection::Replayed)
        );
    }

    #[test]
    fn codes_parse_with_spaces_and_dashes() {
        assert_eq!(TotpCode::parse("123 456").unwrap().as_str(), "123456");
        assert_eq!(TotpCode::parse(" 123-456 ").unwrap().as_str(), "123456");
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert!(TotpCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn secrets_are_160_bits_and_base32() {
        let s = TotpSecret::generate(&mut StdRng::seed_from_u64(1));
        assert_eq!(s.as_bytes().len(), 20);
        assert_eq!(s.to_base32().len(), 32);
        assert!(
            s.to_base32()
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        );
        assert_eq!(format!("{s:?}"), "TotpSecret(<redacted>)");
    }

    #[test]
    fn otpauth_uri_names_issuer_and_account() {
        let uri = otpauth_uri("TwoStep", "member@demo.test", &secret());
        assert_eq!(
            uri,
            "otpauth://totp/TwoStep:member@demo.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=TwoStep&algorithm=SHA1&digits=6&period=30"
        );
        assert!(
            otpauth_uri("Two Step", "a+b@c.d", &secret())
                .starts_with("otpauth://totp/Two%20Step:a%2Bb@c.d?")
        );
    }

    #[test]
    fn a_code_a_few_steps_away_tells_how_far_the_clock_is() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        let now = 1_795_824_000;
        let at = |step: i64| {
            TotpCode::parse(&code_at_step(
                secret.as_bytes(),
                step as u64,
                Algorithm::SHA1,
                DIGITS,
            ))
            .unwrap()
        };
        let current = step_at(now);
        assert_eq!(clock_drift(&secret, &at(current + 4), now), Some(4));
        assert_eq!(clock_drift(&secret, &at(current - 10), now), Some(-10));
        assert_eq!(
            clock_drift(&secret, &at(current + 1), now),
            None,
            "inside the window"
        );
        assert_eq!(
            clock_drift(&secret, &at(current + 11), now),
            None,
            "too far"
        );
    }
}
