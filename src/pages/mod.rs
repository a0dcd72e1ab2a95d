//! One module per screen. Pages read the session or call the API, then hand
//! plain values to components.

/// Adding (or replacing) the authenticator app: "Secure your Account".
pub mod add_authenticator;
/// The signed-in landing page.
pub mod home;
/// Generating a new recovery code.
pub mod new_recovery_code;
/// Unknown addresses.
pub mod not_found;
/// My Profile Settings and its tabs.
pub mod profile;
/// "Confirm your password", the step before sensitive actions.
pub mod reauth;
/// Email and password.
pub mod sign_in;
