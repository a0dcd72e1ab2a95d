//! Domain rules, free of HTTP and SQL. Time and randomness come in as
//! arguments, so every rule is testable with a fixed clock and a seeded RNG.

/// The clock the server runs on, replaceable in tests.
pub mod clock;
/// Email addresses, parsed and normalised once at the edge.
pub mod email;
/// Password hashing and verification (argon2id).
pub mod password;
/// Strings that must never be printed.
pub mod secret;
/// Session tokens and their lifetimes.
pub mod session;
