//! Company Settings' "Apps" section, for admins: the company's other apps
//! that sign their people in through us (OpenID Connect). "Add app" (name,
//! redirect URIs, the kind), then the client id and, for a web app, the
//! secret, shown this once; each app listed with "Rotate secret" and
//! "Delete app". Every change needs the password confirmed recently.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use mfa_api::{AppCredentials, AppKind, AppSummary, NewAppRequest};

use super::reauth::ReauthForm;
use crate::api;
use crate::components::confirm::ConfirmDialog;
use crate::components::copy_button::CopyButton;
use crate::dates::format_date;
use crate::errors::error_text;
use crate::flows::{AppChange, Removal};
use crate::form::on_answer;
use crate::i18n::{t, t_string, use_i18n};
use crate::session::Session;

#[component]
pub fn AppsSection(company: i64) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let load = session.action(move |&()| api::apps(company));
    load.dispatch(());
    let adding = RwSignal::new(false);
    let flow = RwSignal::new(Removal::<AppChange>::Idle);
    // The credentials to show once (a new app, a new secret).
    let shown = RwSignal::new(None::<AppCredentials>);
    let done = RwSignal::new(None::<String>);
    let change = session.action(move |change: &AppChange| {
        let change = change.clone();
        async move {
            match change {
                AppChange::Add(request) => api::add_app(company, request).await.map(Some),
                AppChange::Rotate { id, .. } => api::rotate_app_secret(company, id).await.map(Some),
                AppChange::Delete { id, .. } => api::delete_app(company, id).await.map(|()| None),
            }
        }
    });
    let proceed = move || {
        if let Some(next) = flow.try_update(Removal::proceed).flatten() {
            done.set(None);
            change.dispatch(next);
        }
    };
    on_answer(change, move |answer| {
        let made = flow.with_untracked(|f| match f {
            Removal::Removing(change) => Some(change.clone()),
            _ => None,
        });
        flow.update(|f| f.finished(&answer));
        if let (Ok(credentials), Some(made)) = (answer, made) {
            if matches!(made, AppChange::Add(_)) {
                adding.set(false);
            }
            if let AppChange::Delete { name, .. } = &made {
                done.set(Some(
                    t_string!(i18n, app_deleted, name = name.clone()).to_string(),
                ));
            }
            shown.set(credentials);
            load.dispatch(());
        }
    });
    let apps = move || {
        load.value()
            .get()
            .and_then(Result::ok)
            .map(|list| list.apps)
            .unwrap_or_default()
    };
    let failure = move || {
        flow.with(|f| f.error().cloned())
            .or_else(|| load.value().get().and_then(Result::err))
            .map(|e| error_text(i18n.get_locale(), &e))
    };
    let on_save = Callback::new(move |request: NewAppRequest| {
        shown.set(None);
        flow.set(Removal::Asking(AppChange::Add(request)));
        proceed();
    });
    view! {
        <section class="card" aria-labelledby="apps-heading">
            <h2 id="apps-heading">{t!(i18n, apps_heading)}</h2>
            <p>{t!(i18n, apps_intro)}</p>
            <div class="actions">
                <button type="button" aria-expanded=move || adding.get().to_string() on:click=move |_| {
                    done.set(None);
                    shown.set(None);
                    adding.update(|open| *open = !*open);
                }>
                    {t!(i18n, add_app)}
                </button>
            </div>
            <Show when=move || adding.get()>
                <AppForm on_save=on_save pending=Signal::derive(move || change.pending().get()) />
            </Show>
            {move || match flow.get() {
                Removal::Asking(AppChange::Rotate { name, .. }) => Some(view! {
                    <ConfirmDialog
                        id="rotate-secret-question"
                        question=Signal::derive(move || t_string!(i18n, rotate_secret_question, name = name.clone()).to_string())
                        confirm=Signal::derive(move || t_string!(i18n, rotate_secret).to_owned())
                        on_confirm=Callback::new(move |()| proceed())
                        on_cancel=Callback::new(move |()| flow.update(Removal::cancel))
                    />
                }.into_any()),
                Removal::Asking(AppChange::Delete { name, .. }) => Some(view! {
                    <ConfirmDialog
                        id="delete-app-question"
                        question=Signal::derive(move || t_string!(i18n, delete_app_question, name = name.clone()).to_string())
                        confirm=Signal::derive(move || t_string!(i18n, delete_app).to_owned())
                        on_confirm=Callback::new(move |()| proceed())
                        on_cancel=Callback::new(move |()| flow.update(Removal::cancel))
                    />
                }.into_any()),
                Removal::ConfirmPassword(_) => Some(
                    view! { <ReauthForm inline=true on_confirmed=Callback::new(move |()| proceed()) /> }.into_any(),
                ),
                _ => None,
            }}
            {move || shown.get().map(|credentials| view! { <Credentials credentials=credentials /> })}
            <p class="hint" role="status">{move || done.get()}</p>
            <p class="error" role="alert">{failure}</p>
            {move || {
                let list = apps();
                if list.is_empty() {
                    return view! { <p>{t!(i18n, no_apps)}</p> }.into_any();
                }
                view! {
                    <ul class="apps">
                        {list.into_iter().map(|app| view! { <AppItem app=app flow=flow /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// One app in the list: what it is, and its two actions.
#[component]
fn AppItem(app: AppSummary, flow: RwSignal<Removal<AppChange>>) -> impl IntoView {
    let i18n = use_i18n();
    let (id, name) = (app.id, app.name.clone());
    let delete_name = app.name.clone();
    let kind = app.kind;
    let created = app.created_at;
    let require_mfa = app.require_mfa;
    view! {
        <li class="app">
            <h3 class="small-heading">{app.name.clone()}</h3>
            <p class="hint">
                {move || match kind {
                    AppKind::WebApp => t_string!(i18n, app_kind_web),
                    AppKind::PublicApp => t_string!(i18n, app_kind_public),
                }}
                " · " {move || t_string!(i18n, app_added_on, date = format_date(i18n.get_locale(), created)).to_string()}
                {move || require_mfa.then(|| format!(" · {}", t_string!(i18n, app_requires_mfa)))}
            </p>
            <p class="hint"><code>{app.client_id.clone()}</code></p>
            <ul class="uris">
                {app.redirect_uris.iter().map(|uri| view! { <li><code>{uri.clone()}</code></li> }).collect_view()}
            </ul>
            <div class="actions">
                {(kind == AppKind::WebApp).then(|| view! {
                    <button type="button" on:click=move |_| flow.set(Removal::Asking(AppChange::Rotate { id, name: name.clone() }))>
                        {t!(i18n, rotate_secret)}
                    </button>
                })}
                <button type="button" class="danger" on:click=move |_| flow.set(Removal::Asking(AppChange::Delete { id, name: delete_name.clone() }))>
                    {t!(i18n, delete_app)}
                </button>
            </div>
        </li>
    }
}

/// "Name", "Redirect URIs", the sign-out addresses, the kind, "Save app".
#[component]
fn AppForm(on_save: Callback<NewAppRequest>, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let redirect_uris = RwSignal::new(String::new());
    let logout_uris = RwSignal::new(String::new());
    let kind = RwSignal::new(AppKind::WebApp);
    let require_mfa = RwSignal::new(false);
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        on_save.run(NewAppRequest {
            name: name.get_untracked(),
            redirect_uris: redirect_uris.get_untracked(),
            logout_uris: logout_uris.get_untracked(),
            kind: kind.get_untracked(),
            require_mfa: require_mfa.get_untracked(),
        });
    };
    let kind_radio = move |id: &'static str, value: AppKind, label: Signal<String>| {
        view! {
            <div class="choice">
                <input
                    type="radio"
                    id=id
                    name="app-kind"
                    prop:checked=move || kind.get() == value
                    on:change=move |_| kind.set(value)
                />
                <label for=id>{label}</label>
            </div>
        }
    };
    view! {
        <form class="form" on:submit=on_submit>
            <div class="field">
                <label for="app-name">{t!(i18n, name_label)}</label>
                <input id="app-name" type="text" required maxlength="100" autocomplete="off" data-autofocus bind:value=name />
            </div>
            <div class="field">
                <label for="app-redirect-uris">{t!(i18n, redirect_uris_label)}</label>
                <textarea id="app-redirect-uris" rows="3" required aria-describedby="app-redirect-uris-hint" bind:value=redirect_uris></textarea>
                <p id="app-redirect-uris-hint" class="hint">{t!(i18n, redirect_uris_hint)}</p>
            </div>
            <div class="field">
                <label for="app-logout-uris">{t!(i18n, logout_uris_label)}</label>
                <textarea id="app-logout-uris" rows="2" aria-describedby="app-logout-uris-hint" bind:value=logout_uris></textarea>
                <p id="app-logout-uris-hint" class="hint">{t!(i18n, logout_uris_hint)}</p>
            </div>
            <fieldset class="field">
                <legend>{t!(i18n, app_kind_label)}</legend>
                {kind_radio("app-kind-web", AppKind::WebApp, Signal::derive(move || t_string!(i18n, app_kind_web).to_owned()))}
                {kind_radio("app-kind-public", AppKind::PublicApp, Signal::derive(move || t_string!(i18n, app_kind_public).to_owned()))}
            </fieldset>
            <div class="choice">
                <input type="checkbox" id="app-require-mfa" bind:checked=require_mfa />
                <label for="app-require-mfa">{t!(i18n, app_require_mfa_label)}</label>
            </div>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { t_string!(i18n, working) } else { t_string!(i18n, save_app) }}
                </button>
            </div>
        </form>
    }
}

/// The client id and (for a web app) the secret, in read-only fields with
/// copy buttons; the secret is never shown again.
#[component]
fn Credentials(credentials: AppCredentials) -> impl IntoView {
    let i18n = use_i18n();
    let client_id = credentials.app.client_id.clone();
    view! {
        <section class="card credentials" aria-labelledby="credentials-heading">
            <h3 id="credentials-heading" class="small-heading">
                {move || t_string!(i18n, app_credentials_heading, name = credentials.app.name.clone()).to_string()}
            </h3>
            <div class="field">
                <label for="client-id">{t!(i18n, client_id_label)}</label>
                <input id="client-id" type="text" readonly prop:value=client_id.clone() />
                <CopyButton text=client_id label=Signal::derive(move || t_string!(i18n, copy_id_label).to_owned()) />
            </div>
            {credentials.client_secret.map(|secret| view! {
                <div class="field">
                    <label for="client-secret">{t!(i18n, client_secret_label)}</label>
                    <input id="client-secret" type="text" readonly aria-describedby="client-secret-hint" prop:value=secret.clone() />
                    <CopyButton text=secret label=Signal::derive(move || t_string!(i18n, copy_secret_label).to_owned()) />
                    <p id="client-secret-hint" class="hint">{t!(i18n, client_secret_once)}</p>
                </div>
            })}
        </section>
    }
}
