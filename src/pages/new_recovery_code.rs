//! "Generate a new recovery code": confirm the password if needed, then show
//! the new code once (the old one is void from this moment). The steps are
//! `flows::NewRecoveryCode`.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::reauth::ReauthForm;
use crate::api;
use crate::components::flow_failed::FlowFailed;
use crate::components::loading::Loading;
use crate::components::recovery_code::RecoveryCodePanel;
use crate::document::{focus_on_change, page_title};
use crate::flows::NewRecoveryCode;
use crate::form::on_answer;
use crate::i18n::{t_string, use_i18n};
use crate::nav::SECURITY_PATH;
use crate::session::Session;

#[component]
pub fn NewRecoveryCodePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    page_title(move || t_string!(i18n, recovery_new_title).to_owned());
    let flow = RwSignal::new(NewRecoveryCode::Generating);
    let generate = session.action(|&()| api::new_recovery_code());
    on_answer(generate, move |answer| {
        if let Ok(change) = &answer {
            session.signed_in(change.me.clone());
        }
        flow.update(|f| f.generated(answer));
    });
    generate.dispatch(());
    Effect::new(move |_| {
        if flow.with(|f| *f == NewRecoveryCode::Done) {
            navigate(SECURITY_PATH, Default::default());
        }
    });
    let account = move || session.me().map(|me| me.user.email).unwrap_or_default();
    focus_on_change(move || flow.with(std::mem::discriminant));
    move || {
        match flow.get() {
        NewRecoveryCode::Generating | NewRecoveryCode::Done => view! { <Loading /> }.into_any(),
        NewRecoveryCode::ConfirmPassword => view! {
            <ReauthForm on_confirmed=Callback::new(move |()| {
                flow.update(NewRecoveryCode::reauthenticated);
                generate.dispatch(());
            }) />
        }
        .into_any(),
        NewRecoveryCode::Show(code) => view! {
            <RecoveryCodePanel
                code=code
                account=account()
                title=Signal::derive(move || t_string!(i18n, recovery_new_title).to_owned())
                intro=Signal::derive(move || t_string!(i18n, recovery_intro).to_owned())
                on_finish=Callback::new(move |()| flow.update(NewRecoveryCode::saved))
            />
        }
        .into_any(),
        NewRecoveryCode::Failed(error) => view! {
            <FlowFailed title=Signal::derive(move || t_string!(i18n, recovery_new_title).to_owned()) error=error />
        }
        .into_any(),
    }
    }
}
