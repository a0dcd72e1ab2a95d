//! One module per screen. Pages read the session or call the API, then hand
//! plain values to components.

/// The signed-in landing page.
pub mod home;
/// Unknown addresses.
pub mod not_found;
/// My Profile Settings and its tabs.
pub mod profile;
/// Email and password.
pub mod sign_in;
