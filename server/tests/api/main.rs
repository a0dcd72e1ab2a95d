//! API integration tests: the real router and a real SQLite database per test.

mod helpers;

mod auth;
mod enrollment;
mod errors;
mod limits;
mod second_factor;
mod static_files;
