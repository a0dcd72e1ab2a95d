//! "Generate a new recovery code": confirm the password if needed, then show
//! the new code once (the old one is void from this moment).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use mfa_api::codes;

use super::reauth::ReauthForm;
use crate::api::{self, ApiError};
use crate::components::flow_failed::FlowFailed;
use crate::components::loading::Loading;
use crate::components::recovery_code::RecoveryCodePanel;
use crate::document::{focus_on_change, page_title};
use crate::i18n::{t_string, use_i18n};
use crate::nav::SECURITY_PATH;
use crate::session::Session;

#[derive(Clone)]
enum Step {
    Working,
    ConfirmPassword,
    Show(String),
    Failed(ApiError),
}

#[component]
pub fn NewRecoveryCodePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    page_title(move || t_string!(i18n, recovery_new_title).to_owned());
    let step = RwSignal::new(Step::Working);
    let generate = move || {
        spawn_local(async move {
            step.set(match api::new_recovery_code().await {
                Ok(change) => {
                    session.signed_in(change.me);
                    match change.recovery_code {
                        Some(code) => Step::Show(code.0),
                        None => Step::Failed(ApiError::unexpected()),
                    }
                }
                Err(e) if e.is(codes::REAUTH_REQUIRED) => Step::ConfirmPassword,
                Err(e) => Step::Failed(e),
            });
        });
    };
    generate();
    let done = Callback::new(move |()| navigate(SECURITY_PATH, Default::default()));
    let account = move || session.me().map(|me| me.user.email).unwrap_or_default();
    focus_on_change(move || step.with(std::mem::discriminant));
    move || {
        match step.get() {
        Step::Working => view! { <Loading /> }.into_any(),
        Step::ConfirmPassword => {
            view! { <ReauthForm on_confirmed=Callback::new(move |()| generate()) /> }.into_any()
        }
        Step::Show(code) => view! {
            <RecoveryCodePanel
                code=code
                account=account()
                title=Signal::derive(move || t_string!(i18n, recovery_new_title).to_owned())
                intro=Signal::derive(move || t_string!(i18n, recovery_intro).to_owned())
                on_finish=done
            />
        }
        .into_any(),
        Step::Failed(error) => view! {
            <FlowFailed title=Signal::derive(move || t_string!(i18n, recovery_new_title).to_owned()) error=error />
        }
        .into_any(),
    }
    }
}
