//! API integration tests: the real router and a real SQLite database per test.

mod helpers;

mod auth;
mod errors;
mod static_files;
