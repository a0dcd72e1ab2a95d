use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate};
use mfa_api::{Role, codes};

use super::reauth::ReauthForm;
use crate::api::{self, ApiError};
use crate::components::tabs::{TabLink, Tabs};
use crate::components::two_factor::TwoFactorSection;
use crate::document::{focus_on_change, page_title};
use crate::errors::error_text;
use crate::i18n::{t, t_string, use_i18n};
use crate::nav::{ADD_AUTHENTICATOR_PATH, NEW_RECOVERY_CODE_PATH, SECURITY_PATH};
use crate::session::Session;

const PANEL_ID: &str = "profile-panel";

/// My Profile Settings: the tab strip, and the selected tab below it.
#[component]
pub fn ProfileSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    page_title(move || t_string!(i18n, profile_settings_title).to_owned());
    let selected = Signal::derive(move || usize::from(location.pathname.get() == SECURITY_PATH));
    let tabs = vec![
        TabLink {
            href: "/profile",
            id: "tab-profile",
            label: Signal::derive(move || t_string!(i18n, tab_profile).to_owned()),
        },
        TabLink {
            href: SECURITY_PATH,
            id: "tab-security",
            label: Signal::derive(move || t_string!(i18n, tab_security).to_owned()),
        },
    ];
    let labelled_by = move || {
        if selected.get() == 1 {
            "tab-security"
        } else {
            "tab-profile"
        }
    };
    view! {
        <h1>{t!(i18n, profile_settings_title)}</h1>
        <Tabs
            tabs=tabs
            selected=selected
            label=Signal::derive(move || t_string!(i18n, profile_tabs_label).to_owned())
            panel_id=PANEL_ID
        />
        <div class="tab-panel" role="tabpanel" id=PANEL_ID aria-labelledby=labelled_by>
            <Outlet />
        </div>
    }
}

/// The Profile tab: who you are, read-only here.
#[component]
pub fn ProfileTab() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    move || {
        session.me().map(|me| {
            let membership = me.primary_membership().cloned();
            let company = membership
                .as_ref()
                .map(|m| m.company.name.clone())
                .unwrap_or_default();
            let role = move || match membership.as_ref() {
                Some(m) => {
                    let role = match m.role {
                        Role::Admin => t_string!(i18n, role_admin),
                        Role::Member => t_string!(i18n, role_member),
                    };
                    if m.payee {
                        format!("{role}, {}", t_string!(i18n, role_payee_suffix))
                    } else {
                        role.to_owned()
                    }
                }
                None => String::new(),
            };
            view! {
                <section class="card">
                    <dl class="facts">
                        <dt>{t!(i18n, profile_name)}</dt>
                        <dd>{me.user.name.clone()}</dd>
                        <dt>{t!(i18n, profile_email)}</dt>
                        <dd>{me.user.email.clone()}</dd>
                        <dt>{t!(i18n, profile_company)}</dt>
                        <dd>{company}</dd>
                        <dt>{t!(i18n, profile_role)}</dt>
                        <dd>{role}</dd>
                    </dl>
                </section>
            }
        })
    }
}

/// Where removing the authenticator app stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Removal {
    Idle,
    /// "Remove the authenticator app?" is on screen.
    Asking(i64),
    ConfirmPassword(i64),
    Working,
}

/// The Password & Security tab.
#[component]
pub fn SecurityTab() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    let status = Signal::derive(move || session.me().map(|me| me.two_factor).unwrap_or_default());
    let removal = RwSignal::new(Removal::Idle);
    let error = RwSignal::new(None::<ApiError>);

    let remove = move |id: i64| {
        removal.set(Removal::Working);
        error.set(None);
        spawn_local(async move {
            match api::remove_authenticator(id).await {
                Ok(me) => {
                    session.signed_in(me);
                    removal.set(Removal::Idle);
                }
                Err(e) if e.is(codes::REAUTH_REQUIRED) => removal.set(Removal::ConfirmPassword(id)),
                Err(e) => {
                    removal.set(Removal::Idle);
                    error.set(Some(e));
                }
            }
        });
    };
    focus_on_change(move || removal.get());
    let go = move |path: &'static str| {
        let navigate = navigate.clone();
        Callback::new(move |()| navigate(path, Default::default()))
    };
    view! {
        <TwoFactorSection
            status=status
            on_add_authenticator=go(ADD_AUTHENTICATOR_PATH)
            on_remove_authenticator=Callback::new(move |id| {
                error.set(None);
                removal.set(Removal::Asking(id));
            })
            on_new_recovery_code=go(NEW_RECOVERY_CODE_PATH)
        />
        <p class="error" role="alert">{move || error.get().map(|e| error_text(i18n.get_locale(), &e))}</p>
        {move || match removal.get() {
            Removal::Idle | Removal::Working => None,
            Removal::Asking(id) => Some(
                view! {
                    <section class="card confirm" role="alertdialog" aria-labelledby="remove-question">
                        <p id="remove-question">{t!(i18n, remove_authenticator_question)}</p>
                        <div class="actions">
                            <button type="button" class="danger" data-autofocus on:click=move |_| remove(id)>{t!(i18n, remove)}</button>
                            <button type="button" on:click=move |_| removal.set(Removal::Idle)>{t!(i18n, cancel)}</button>
                        </div>
                    </section>
                }
                .into_any(),
            ),
            Removal::ConfirmPassword(id) => Some(
                view! { <ReauthForm inline=true on_confirmed=Callback::new(move |()| remove(id)) /> }.into_any(),
            ),
        }}
    }
}
