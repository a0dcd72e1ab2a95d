//! API integration tests: the real router and a real SQLite database per test.

mod helpers;

mod access;
mod activity;
mod allowed_methods;
mod apps;
mod auth;
mod devices;
mod enforcement;
mod enrollment;
mod errors;
mod files;
mod forward_auth;
mod hygiene;
mod import;
mod invitations;
mod limits;
mod mail;
mod members;
mod oidc;
mod openapi;
mod passkeys;
mod passwords;
mod policy_changes;
mod resets;
mod rollout;
mod second_factor;
mod services;
mod session_stages;
mod sms;
mod sms_limits;
mod sms_provider;
mod soft_passkey;
mod static_files;
mod throttle;
mod upgrade;
