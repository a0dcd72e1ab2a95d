//! Domain rules, free of HTTP and SQL. Time and randomness come in as
//! arguments, so every rule is testable with a fixed clock and a seeded RNG.

/// Guessing limits and lockouts.
pub mod attempts;
/// The clock the server runs on, replaceable in tests.
pub mod clock;
/// Email addresses, parsed and normalised once at the edge.
pub mod email;
/// Passwords as typed, hashed with argon2id.
pub mod password;
/// Who must keep a second factor.
pub mod policy;
/// The single-use recovery code.
pub mod recovery;
/// Secrets encrypted at rest (AEAD under the server key).
pub mod seal;
/// Strings that must never be printed.
pub mod secret;
/// Session tokens and their lifetimes.
pub mod session;
/// argon2id for passwords and recovery codes.
pub mod slow_hash;
/// RFC 6238 time-based one-time passwords.
pub mod totp;
