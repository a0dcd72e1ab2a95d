//! One module per screen. Pages read the session or call the API, then hand
//! plain values to components.

/// Adding (or replacing) the authenticator app: "Secure your Account".
pub mod add_authenticator;
/// Adding a passkey, and naming it.
pub mod add_passkey;
/// Adding (or changing) the phone number for texted codes.
pub mod add_phone;
/// Company Settings' Apps section: apps that sign in through us (admins).
pub mod apps;
/// Company Settings' Audit log (admins).
pub mod audit_log;
/// Signing in to one of the company's apps: what its request needs.
pub mod authorize;
/// Company Settings: the company's MFA policy (admins).
pub mod company_settings;
/// The tab's sessions, trusted browsers and recent activity (lazy).
pub mod devices;
/// The help article, /help/mfa.
pub mod help;
/// The signed-in landing page.
pub mod home;
/// An invitation's link: joining a company.
pub mod invitation;
/// Company Settings' Members section: invitations.
pub mod members;
/// Generating a new recovery code.
pub mod new_recovery_code;
/// Unknown addresses.
pub mod not_found;
/// The demo's outbox: texts and emails "sent".
pub mod outbox;
/// Changing a password, and choosing a new one after forgetting it.
pub mod password;
/// My Profile Settings and its tabs.
pub mod profile;
/// "Confirm your password", the step before sensitive actions.
pub mod reauth;
/// Email and password.
pub mod sign_in;
