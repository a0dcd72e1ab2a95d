//! Sign-ins that continue elsewhere: to one of the company's apps (its
//! OpenID Connect request, `/oidc/authorize`) or to a page behind the
//! company's reverse proxy (`rd`, checked by the server). Kept in the tab's
//! session storage for a quarter of an hour, so enrolling first (a member
//! past the deadline) does not lose the way back.

use mfa_api::{SessionStage, percent_encode};

const KEY: &str = "twostep.continue";
/// A continuation older than this is dropped (an abandoned sign-in).
const LIFETIME_MS: f64 = 15.0 * 60.0 * 1000.0;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Continuation {
    /// An app's authorization request: its query string.
    App(String),
    /// The page the reverse proxy sent the person from.
    Proxied(String),
}

impl Continuation {
    /// Where the browser goes (a full page load: the server decides).
    pub fn url(&self) -> String {
        match self {
            Self::App(query) => format!("/oidc/authorize?{query}"),
            Self::Proxied(rd) => format!("/api/authz/continue?rd={}", percent_encode(rd, b"")),
        }
    }

    fn stored(&self, now_ms: f64) -> String {
        match self {
            Self::App(query) => format!("{now_ms} app {query}"),
            Self::Proxied(rd) => format!("{now_ms} rd {rd}"),
        }
    }

    fn parse(stored: &str, now_ms: f64) -> Option<Self> {
        let mut parts = stored.splitn(3, ' ');
        let at: f64 = parts.next()?.parse().ok()?;
        if !(0.0..LIFETIME_MS).contains(&(now_ms - at)) {
            return None;
        }
        match (parts.next()?, parts.next()?) {
            ("app", query) => Some(Self::App(query.to_owned())),
            ("rd", rd) => Some(Self::Proxied(rd.to_owned())),
            _ => None,
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Remembers where to go once signed in.
pub fn remember(continuation: &Continuation) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(KEY, &continuation.stored(js_sys::Date::now()));
    }
}

/// Leaves for the pending continuation, if there is one and the session is
/// fully signed in (not while enrolling first); true when leaving.
pub fn go_if_pending(stage: SessionStage) -> bool {
    if stage != SessionStage::Full {
        return false;
    }
    let Some(storage) = storage() else {
        return false;
    };
    let pending = storage
        .get_item(KEY)
        .ok()
        .flatten()
        .and_then(|s| Continuation::parse(&s, js_sys::Date::now()));
    let _ = storage.remove_item(KEY);
    match (pending, web_sys::window()) {
        (Some(continuation), Some(window)) => window.location().assign(&continuation.url()).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_continuation_round_trips_until_it_is_stale() {
        for c in [
            Continuation::App("client_id=app-1&state=a b".into()),
            Continuation::Proxied("https://wiki.example.com/p?x=1 2".into()),
        ] {
            assert_eq!(
                Continuation::parse(&c.stored(1000.0), 2000.0),
                Some(c.clone())
            );
            assert_eq!(
                Continuation::parse(&c.stored(1000.0), 1000.0 + LIFETIME_MS),
                None
            );
            assert_eq!(Continuation::parse(&c.stored(5000.0), 1000.0), None);
        }
        assert_eq!(Continuation::parse("garbage", 0.0), None);
        assert_eq!(Continuation::parse("1 other x", 2.0), None);
    }

    #[test]
    fn each_kind_goes_back_through_the_server() {
        assert_eq!(
            Continuation::App("client_id=x&code_challenge=y".into()).url(),
            "/oidc/authorize?client_id=x&code_challenge=y"
        );
        assert_eq!(
            Continuation::Proxied("https://wiki.example.com/a?b=c".into()).url(),
            "/api/authz/continue?rd=https%3A%2F%2Fwiki.example.com%2Fa%3Fb%3Dc"
        );
    }
}
