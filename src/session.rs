//! Who is signed in, shared with every page through context, and the one
//! place that notices the session has ended: every call a page makes goes
//! through [`Session::action`], and a 401 `unauthenticated` from any of them
//! signs the app out.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate};
use mfa_api::{ErrorCode, Me, SessionStage};

use crate::api::{self, ApiError};
use crate::components::loading::Loading;
use crate::components::passkey_offer::PasskeyOffer;
use crate::nav;

#[derive(Clone, Debug, PartialEq)]
pub enum SessionState {
    /// Asking the server (right after the app loads).
    Checking,
    SignedOut,
    /// The password was right; the second factor is due (sign-in page).
    SecondFactorDue,
    /// Signed in; `me.stage` says whether only enrolling is allowed.
    SignedIn(Me),
}

impl SessionState {
    /// What the server's answer to `GET /api/me` means for the app.
    pub fn from_me(result: Result<Me, ApiError>) -> Self {
        match result {
            Ok(me) => Self::SignedIn(me),
            Err(e) if e.is(ErrorCode::SecondFactorRequired) => Self::SecondFactorDue,
            Err(_) => Self::SignedOut,
        }
    }
}

/// Handle on the session state; `Copy`, so closures can capture it freely.
#[derive(Clone, Copy)]
pub struct Session(RwSignal<SessionState>);

impl Session {
    /// Creates the session context and asks the server who we are.
    pub fn provide() -> Self {
        let session = Self(RwSignal::new(SessionState::Checking));
        provide_context(session);
        let check = Action::new_local(move |&()| async move {
            session.0.set(SessionState::from_me(api::me().await));
        });
        check.dispatch(());
        session
    }

    pub fn expect() -> Self {
        expect_context()
    }

    /// An action whose calls end the session here when the server says it
    /// has ended (whichever call noticed).
    pub fn action<I, O, E, F, Fut>(self, call: F) -> Action<I, Result<O, E>>
    where
        I: 'static,
        O: 'static,
        E: AsRef<ApiError> + 'static,
        F: Fn(&I) -> Fut + 'static,
        Fut: Future<Output = Result<O, E>> + 'static,
    {
        Action::new_local(move |input: &I| {
            let answer = call(input);
            async move {
                let result = answer.await;
                if matches!(&result, Err(e) if e.as_ref().is(ErrorCode::Unauthenticated)) {
                    self.signed_out();
                }
                result
            }
        })
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

    /// As [`Session::is_signed_in`], without tracking it.
    pub fn is_signed_in_untracked(&self) -> bool {
        self.0
            .with_untracked(|s| matches!(s, SessionState::SignedIn(_)))
    }

    /// Signed in, but MFA must be set up before anything else.
    pub fn must_enroll(&self) -> bool {
        self.0.with(
            |s| matches!(s, SessionState::SignedIn(me) if me.stage == SessionStage::MustEnroll),
        )
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

/// The parent of every signed-in route: anyone not signed in goes to the
/// sign-in page (which brings them back afterwards); someone who must enroll
/// goes to the Password & Security tab, whatever they asked for.
#[component]
pub fn SignedInLayout() -> impl IntoView {
    let session = Session::expect();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let here = location.pathname.get();
        if here == nav::SIGN_IN_PATH {
            // This layout is on its way out (it sent the person there).
            return;
        }
        let target = match session.state() {
            SessionState::SignedOut | SessionState::SecondFactorDue => Some(nav::sign_in_href(
                &nav::path_with_query(&here, &location.search.get_untracked()),
            )),
            SessionState::SignedIn(me) if !nav::allowed_at(me.stage, &here) => {
                Some(nav::SECURITY_PATH.to_owned())
            }
            SessionState::SignedIn(_) | SessionState::Checking => None,
        };
        if let Some(target) = target {
            navigate(
                &target,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    // Back from enrolling (or signed in on arrival) with a sign-in to an
    // app or a proxied page still pending: go on there.
    Effect::new(move |_| {
        let here = location.pathname.get();
        if let SessionState::SignedIn(me) = session.state()
            && (here == nav::HOME_PATH || here == nav::SECURITY_PATH)
        {
            crate::continuation::go_if_pending(me.stage);
        }
    });
    let ready = Memo::new(move |_| {
        session.0.with(|s| match s {
            SessionState::SignedIn(me) => location
                .pathname
                .with(|here| nav::allowed_at(me.stage, here)),
            _ => false,
        })
    });
    view! {
        <Show when=move || ready.get() fallback=Loading>
            <PasskeyOffer />
            <Outlet />
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_answer_decides_the_state() {
        assert_eq!(
            SessionState::from_me(Err(ApiError::server(ErrorCode::SecondFactorRequired))),
            SessionState::SecondFactorDue
        );
        assert_eq!(
            SessionState::from_me(Err(ApiError::server(ErrorCode::Unauthenticated))),
            SessionState::SignedOut
        );
        assert_eq!(
            SessionState::from_me(Err(ApiError::Network)),
            SessionState::SignedOut
        );
    }
}
