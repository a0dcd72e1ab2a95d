//! API integration tests: the real router and a real SQLite database per test.

mod helpers;

mod access;
mod auth;
mod enforcement;
mod enrollment;
mod errors;
mod files;
mod hygiene;
mod limits;
mod mail;
mod rollout;
mod second_factor;
mod services;
mod sms;
mod sms_provider;
mod static_files;
mod throttle;
mod upgrade;
