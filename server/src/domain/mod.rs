//! Domain rules, free of HTTP and SQL. Time and randomness come in as
//! arguments, so every rule is testable with a fixed clock and a seeded RNG.

/// Who must have MFA, and what each session stage may do.
pub mod access;
/// Guessing limits and lockouts, a policy per kind of check.
pub mod attempts;
/// Which browser and system a request came from.
pub mod browser;
/// The clock the server runs on, replaceable in tests.
pub mod clock;
/// The company's enforcement deadline, in its time zone.
pub mod deadline;
/// The known-device token that exempts a browser from sign-in delays.
pub mod device;
/// Email addresses, parsed and normalised once at the edge.
pub mod email;
/// Rules every kind of second factor shares.
pub mod factors;
/// Invitations to join a company.
pub mod invitation;
/// The token of a link sent by email.
pub mod link_token;
/// Members imported from a CSV file.
pub mod member_import;
/// Which addresses the per-address limits count as one client.
pub mod network;
/// OpenID Connect for the company's other apps.
pub mod oidc;
/// Passkeys (WebAuthn): names, ceremonies, counters.
pub mod passkey;
/// Passwords as typed, hashed with argon2id.
pub mod password;
/// Phone numbers for texted codes, and where texts are offered.
pub mod phone;
/// The random source the server draws from, replaceable in tests.
pub mod random;
/// The single-use recovery code.
pub mod recovery;
/// Links to choose a new password after forgetting it.
pub mod reset_link;
/// Secrets encrypted at rest (AEAD under the server key).
pub mod seal;
/// Strings that must never be printed.
pub mod secret;
/// Session tokens and their lifetimes.
pub mod session;
/// argon2id for passwords and recovery codes: the one slow hash.
pub mod slow_hash;
/// Codes sent by text message: made, hashed, limited.
pub mod texted_code;
/// Password sign-in throttling, per account and per address.
pub mod throttle;
/// RFC 6238 time-based one-time passwords.
pub mod totp;
/// "Don't ask again on this browser": tokens and days.
pub mod trusted_browser;
