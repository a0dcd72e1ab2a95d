//! Who is signed in, shared with every page through context.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};
use mfa_api::{Me, codes};

use crate::api;
use crate::components::loading::Loading;
use crate::nav;

#[derive(Clone, Debug, PartialEq)]
pub enum SessionState {
    /// Asking the server (right after the app loads).
    Checking,
    SignedOut,
    /// The password was right; the second factor is due (sign-in page).
    SecondFactorDue,
    SignedIn(Me),
}

/// Handle on the session state; `Copy`, so closures can capture it freely.
#[derive(Clone, Copy)]
pub struct Session(RwSignal<SessionState>);

impl Session {
    /// Creates the session context and asks the server who we are.
    pub fn provide() -> Self {
        let session = Self(RwSignal::new(SessionState::Checking));
        provide_context(session);
        api::on_session_end(move || session.signed_out());
        spawn_local(async move {
            match api::me().await {
                Ok(me) => session.signed_in(me),
                Err(e) if e.is(codes::SECOND_FACTOR_REQUIRED) => session.second_factor_due(),
                Err(_) => session.signed_out(),
            }
        });
        session
    }

    pub fn expect() -> Self {
        expect_context()
    }

    pub fn state(&self) -> SessionState {
        self.0.get()
    }

    pub fn me(&self) -> Option<Me> {
        self.0.with(|s| match s {
            SessionState::SignedIn(me) => Some(me.clone()),
            _ => None,
        })
    }

    pub fn is_signed_in(&self) -> bool {
        self.0.with(|s| matches!(s, SessionState::SignedIn(_)))
    }

    pub fn signed_in(&self, me: Me) {
        self.0.set(SessionState::SignedIn(me));
    }

    pub fn signed_out(&self) {
        self.0.set(SessionState::SignedOut);
    }

    pub fn second_factor_due(&self) {
        self.0.set(SessionState::SecondFactorDue);
    }

    pub fn is_second_factor_due(&self) -> bool {
        self.0.with(|s| *s == SessionState::SecondFactorDue)
    }
}

/// Shows its children only to a signed-in user; anyone else goes to the
/// sign-in page, which brings them back here afterwards.
#[component]
pub fn RequireSession(children: ChildrenFn) -> impl IntoView {
    let session = Session::expect();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if session
            .0
            .with(|s| matches!(s, SessionState::SignedOut | SessionState::SecondFactorDue))
        {
            let here = nav::path_with_query(
                &location.pathname.get_untracked(),
                &location.search.get_untracked(),
            );
            navigate(
                &nav::sign_in_href(&here),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let signed_in = Memo::new(move |_| session.is_signed_in());
    view! {
        <Show when=move || signed_in.get() fallback=Loading>
            {children()}
        </Show>
    }
}
