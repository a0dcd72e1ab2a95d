//! Fault injection for tests, in debug builds only: a server started with
//! `MFA_FAULT=<point>` kills itself with SIGKILL (what `kill -9` does) the
//! `MFA_FAULT_AT`-th time (the first by default) it reaches that point, so
//! a test can stop it at an exact step of an operation, start it again and
//! check what was left. In release builds every point is nothing.
//!
//! The points (`tests/faults.rs` checks each):
//! - `enrollment.commit`: a new factor confirmed, with its recovery code,
//!   not yet committed;
//! - `recovery_code.commit`: a recovery code used and replaced, the new
//!   session made, not yet committed;
//! - `email.sent`: an email handed to the SMTP server, not yet marked sent;
//! - `announcement.slice`: a slice of a deadline's emails queued and
//!   committed, the next not yet;
//! - `text.sent`: a code recorded and texted, the provider's answer not yet
//!   recorded.

/// Reaching `name`: dies here when the environment asks for it.
#[cfg(debug_assertions)]
pub fn point(name: &'static str) {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU32, Ordering};

    static ARMED: OnceLock<Option<(String, u32)>> = OnceLock::new();
    static HITS: AtomicU32 = AtomicU32::new(0);
    let armed = ARMED.get_or_init(|| {
        let point = std::env::var("MFA_FAULT").ok()?;
        let at = std::env::var("MFA_FAULT_AT")
            .ok()
            .and_then(|at| at.parse().ok())
            .unwrap_or(1);
        Some((point, at))
    });
    if let Some((point, at)) = armed
        && point == name
        && HITS.fetch_add(1, Ordering::SeqCst) + 1 == *at
    {
        eprintln!("fault injected: killed at {name}");
        let _ =
            rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::KILL);
        std::process::abort();
    }
}

/// Reaching `name` (release builds: nothing).
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn point(_name: &'static str) {}
