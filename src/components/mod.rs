//! Components render what they are given; the pages fetch.

/// The account menu behind the avatar button.
pub mod avatar_menu;
/// The question before a change that cannot be undone.
pub mod confirm;
/// A Copy button with feedback.
pub mod copy_button;
/// The banner before a company's enforcement date.
pub mod deadline_banner;
/// A page of audit events, with its page buttons.
pub mod events_table;
/// The screen shown when a flow cannot go on.
pub mod flow_failed;
/// The code field and the submit button every form shares.
pub mod form_controls;
/// Top bar: product name, language, account.
pub mod header;
/// A polite "Loading…" status line.
pub mod loading;
/// "Sign in faster and more safely with a passkey", after a sign-in.
pub mod passkey_offer;
/// The QR code, drawn from the otpauth URI.
pub mod qr;
/// The recovery code screen: copy, download, print, confirm saved.
pub mod recovery_code;
/// The tab strip of My Profile Settings.
pub mod tabs;
/// Resending a texted code, and reading it from the text (WebOTP).
pub mod texted_code;
/// The Two-Factor Authentication (2FA) section.
pub mod two_factor;
