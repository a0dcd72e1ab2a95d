//! Add a passkey: confirm the password (when the re-authentication window
//! is closed), the browser's dialog, then "Name this passkey" (prefilled
//! with the browser and platform), then the recovery code when this is the
//! first factor. The steps are `flows::AddPasskey`. With `?rename=<id>`
//! ("Rename" on the tab), only the naming step, for that passkey.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use mfa_api::FactorChange;

use super::reauth::ReauthForm;
use crate::api;
use crate::components::flow_failed::FlowFailed;
use crate::components::form_controls::SubmitButton;
use crate::components::loading::Loading;
use crate::components::recovery_code::RecoveryCodePanel;
use crate::document::{focus_on_change, page_title};
use crate::errors::passkey_error_text;
use crate::flows::AddPasskey;
use crate::form::{error_message, invalid, on_answer};
use crate::i18n::{t, t_string, use_i18n};
use crate::nav::SECURITY_PATH;
use crate::passkey::{self, Ceremony};
use crate::session::Session;

#[component]
pub fn AddPasskeyPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    let renaming = use_query_map()
        .with_untracked(|q| q.get("rename"))
        .and_then(|id| id.parse::<i64>().ok())
        .and_then(|id| {
            let me = session.me()?;
            let factor = me.two_factor.factors.into_iter().find(|f| f.id == id)?;
            Some((id, factor.label.unwrap_or_default()))
        });
    let renamed = renaming.as_ref().map(|(_, name)| name.clone());
    page_title(move || match &renamed {
        Some(name) => t_string!(i18n, rename_passkey_label, name = name.clone()).to_string(),
        None => t_string!(i18n, add_passkey).to_owned(),
    });
    let flow = RwSignal::new(match &renaming {
        Some((id, name)) => AddPasskey::rename(*id, name.clone()),
        None => AddPasskey::Checking,
    });
    let check = session.action(|&()| api::reauth_status());
    on_answer(check, move |answer| flow.update(|f| f.checked(answer)));
    if renaming.is_none() {
        check.dispatch(());
    }

    let default_name = move || {
        let (browser, platform) = passkey::browser_and_platform();
        t_string!(
            i18n,
            passkey_default_name,
            browser = browser,
            platform = platform
        )
        .to_string()
    };
    // The name the passkey is saved under, until the person names it.
    let named = StoredValue::new(String::new());
    let create = session.action(|name: &String| {
        let name = name.clone();
        async move {
            passkey::ceremony::<FactorChange>(
                Ceremony::Create,
                "/api/factors/passkey/options",
                "/api/factors/passkey",
                &[("name", name.as_str().into())],
            )
            .await
        }
    });
    on_answer(create, move |answer| {
        if let Ok(change) = &answer {
            session.signed_in(change.me.clone());
        }
        flow.update(|f| f.created(answer, named.get_value()));
    });
    // The dialog opens on arrival (the person just pressed "Add a
    // passkey"), and again on "Try again".
    Effect::new(move |_| {
        if flow.with(|f| *f == AddPasskey::Creating) && !create.pending().get_untracked() {
            named.set_value(default_name());
            create.dispatch(named.get_value());
        }
    });
    Effect::new(move |_| {
        if flow.with(|f| *f == AddPasskey::Done) {
            navigate(SECURITY_PATH, Default::default());
        }
    });
    focus_on_change(move || flow.with(std::mem::discriminant));
    let account = move || session.me().map(|me| me.user.email).unwrap_or_default();
    let title = Signal::derive(move || t_string!(i18n, add_passkey).to_owned());

    move || match flow.get() {
        AddPasskey::Checking | AddPasskey::Done => view! { <Loading /> }.into_any(),
        AddPasskey::ConfirmPassword => view! {
            <ReauthForm on_confirmed=Callback::new(move |()| flow.update(AddPasskey::create)) />
        }
        .into_any(),
        AddPasskey::Creating | AddPasskey::Retry(_) => {
            let error = move || match flow.get() {
                AddPasskey::Retry(e) => Some(passkey_error_text(i18n.get_locale(), &e)),
                _ => None,
            };
            let retrying = move || flow.with(|f| matches!(f, AddPasskey::Retry(_)));
            view! {
                <section class="card narrow" aria-labelledby="add-passkey-title">
                    <h1 id="add-passkey-title">{t!(i18n, add_passkey)}</h1>
                    <p>{t!(i18n, add_passkey_intro)}</p>
                    <p role="status">{move || (!retrying()).then(|| t_string!(i18n, add_passkey_waiting))}</p>
                    <p class="error" role="alert">{error}</p>
                    <div class="actions">
                        <SubmitButton
                            kind="button"
                            autofocus=true
                            pending=move || !retrying()
                            label=move || t_string!(i18n, create_passkey)
                            working=move || t_string!(i18n, creating_passkey)
                            on_press=Callback::new(move |()| flow.update(AddPasskey::create))
                        />
                        <a class="button" href=SECURITY_PATH>{t!(i18n, cancel)}</a>
                    </div>
                </section>
            }
            .into_any()
        }
        AddPasskey::Name {
            factor_id, name, ..
        } => {
            let renaming = renaming.clone();
            let added = renaming.is_none();
            let title = Signal::derive(move || match &renaming {
                Some((_, name)) => {
                    t_string!(i18n, rename_passkey_label, name = name.clone()).to_string()
                }
                None => t_string!(i18n, passkey_added_title).to_owned(),
            });
            view! { <NameStep factor_id=factor_id name=name title=title added=added on_saved=Callback::new(move |()| flow.update(AddPasskey::named)) /> }
                .into_any()
        }
        AddPasskey::SaveRecoveryCode(code) => view! {
            <RecoveryCodePanel
                code=code
                account=account()
                title=Signal::derive(move || t_string!(i18n, recovery_title).to_owned())
                intro=Signal::derive(move || t_string!(i18n, recovery_intro).to_owned())
                on_finish=Callback::new(move |()| flow.update(AddPasskey::recovery_code_saved))
            />
        }
        .into_any(),
        AddPasskey::Failed(error) => view! { <FlowFailed title=title error=error /> }.into_any(),
    }
}

/// "Passkey added" (or "Rename passkey ..."): "Name this passkey",
/// prefilled, and "Save".
#[component]
fn NameStep(
    factor_id: i64,
    name: String,
    title: Signal<String>,
    /// Just added (not renamed): say what a passkey now does.
    added: bool,
    on_saved: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let name = RwSignal::new(name);
    let save = session.action(move |name: &String| api::rename_passkey(factor_id, name.clone()));
    on_answer(save, move |answer| {
        if let Ok(me) = answer {
            session.signed_in(me);
            on_saved.run(());
        }
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if !save.pending().get_untracked() {
            save.dispatch(name.get_untracked());
        }
    };
    view! {
        <section class="card narrow" aria-labelledby="passkey-added-title">
            <h1 id="passkey-added-title">{move || title.get()}</h1>
            {added.then(|| view! { <p>{t!(i18n, passkey_added_intro)}</p> })}
            <form class="form" on:submit=on_submit>
                <PasskeyNameField value=name invalid=invalid(save) error_id="passkey-name-error" />
                <p id="passkey-name-error" class="error" role="alert">{error_message(save)}</p>
                <div class="actions">
                    <SubmitButton pending=move || save.pending().get() label=move || t_string!(i18n, save) />
                    {(!added).then(|| view! { <a class="button" href=SECURITY_PATH>{t!(i18n, cancel)}</a> })}
                </div>
            </form>
        </section>
    }
}

/// "Name this passkey": the field.
#[component]
fn PasskeyNameField(
    value: RwSignal<String>,
    #[prop(into)] invalid: Signal<Option<&'static str>>,
    error_id: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for="passkey-name">{t!(i18n, passkey_name_label)}</label>
            <input
                id="passkey-name"
                name="passkey-name"
                type="text"
                autocomplete="off"
                maxlength="64"
                required
                data-autofocus=""
                aria-invalid=move || invalid.get()
                aria-describedby=format!("passkey-name-hint {error_id}")
                bind:value=value
            />
            <p id="passkey-name-hint" class="hint">{t!(i18n, passkey_name_hint)}</p>
        </div>
    }
}
