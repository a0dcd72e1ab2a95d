use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate};
use mfa_api::{FactorKind, Role};

use super::devices::devices_sections;
use super::password::ChangePasswordSection;
use super::reauth::ReauthForm;
use crate::components::confirm::ConfirmDialog;
use crate::components::tabs::{TabLink, Tabs};
use crate::components::two_factor::TwoFactorSection;
use crate::document::{focus_on_change, page_title};
use crate::errors::error_text;
use crate::flows::Removal;
use crate::form::on_answer;
use crate::i18n::{t, t_string, use_i18n};
use crate::nav::{
    self, ADD_AUTHENTICATOR_PATH, ADD_PASSKEY_PATH, ADD_PHONE_PATH, NEW_RECOVERY_CODE_PATH,
    PROFILE_PATH, SECURITY_PATH,
};
use crate::session::Session;
use crate::{api, browser};

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
            href: PROFILE_PATH,
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

/// The User Timing mark set when the tab first shows the user's data.
pub const DATA_SHOWN_MARK: &str = "mfa:security-data";

/// The Password & Security tab. Removing a factor is `flows::Removal`.
#[component]
pub fn SecurityTab() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    let status = Signal::derive(move || session.me().map(|me| me.two_factor).unwrap_or_default());
    let removal = RwSignal::new(Removal::Idle);
    let remove = session.action(|&id: &i64| api::remove_factor(id));
    let prefer = session.action(|&id: &i64| api::prefer_factor(id));
    on_answer(prefer, move |answer| {
        if let Ok(me) = answer {
            session.signed_in(me);
        }
    });
    // What is being removed, for the question.
    let removing_kind = move || {
        let id = match removal.get() {
            Removal::Asking(id) => id,
            _ => return None,
        };
        status.with(|s| s.factors.iter().find(|f| f.id == id).map(|f| f.kind))
    };
    on_answer(remove, move |answer| {
        removal.update(|r| r.finished(&answer));
        if let Ok(me) = answer {
            session.signed_in(me);
        }
    });
    let proceed = move || {
        if let Some(id) = removal.try_update(Removal::proceed).flatten() {
            remove.dispatch(id);
        }
    };
    focus_on_change(move || removal.get());
    // Runs after the tab has rendered; once, when the user's data is there.
    Effect::new(move |shown: Option<bool>| {
        let ready = shown == Some(true) || session.me().is_some();
        if ready && shown != Some(true) {
            browser::mark(DATA_SHOWN_MARK);
        }
        ready
    });
    let navigate_to = {
        let navigate = navigate.clone();
        move |href: String| navigate(&href, Default::default())
    };
    let go = move |path: &'static str| {
        let navigate = navigate.clone();
        Callback::new(move |()| navigate(path, Default::default()))
    };
    view! {
        <Show when=move || session.must_enroll()>
            <section class="card notice-card" role="status" aria-labelledby="must-enroll-title">
                <h2 id="must-enroll-title">{t!(i18n, must_enroll_title)}</h2>
                <p>{t!(i18n, must_enroll_body)}</p>
            </section>
        </Show>
        <TwoFactorSection
            status=status
            on_add_authenticator=go(ADD_AUTHENTICATOR_PATH)
            on_add_phone=go(ADD_PHONE_PATH)
            on_add_passkey=go(ADD_PASSKEY_PATH)
            on_rename_passkey=Callback::new(move |id| navigate_to(nav::rename_passkey_href(id)))
            on_prefer_factor=Callback::new(move |id| { prefer.dispatch(id); })
            on_remove_factor=Callback::new(move |id| removal.update(|r| r.ask(id)))
            on_new_recovery_code=go(NEW_RECOVERY_CODE_PATH)
        />
        // While a removal asks for the password, its form is the only one
        // asking for it on the tab.
        <Show when=move || !matches!(removal.get(), Removal::ConfirmPassword(_))>
            <ChangePasswordSection />
        </Show>
        // Where you're signed in, trusted browsers, recent activity: their
        // own chunk, fetched after the tab has shown.
        <Show when=move || !session.must_enroll()>
            <Suspense fallback=|| ()>{Suspend::new(devices_sections())}</Suspense>
        </Show>
        <p class="error" role="alert">
            {move || {
                removal
                    .with(|r| r.error().cloned())
                    .or_else(|| prefer.value().get().and_then(Result::err))
                    .map(|e| error_text(i18n.get_locale(), &e))
            }}
        </p>
        {move || match removal.get() {
            Removal::Idle | Removal::Removing(_) | Removal::Failed(_) => None,
            Removal::Asking(_) => Some(
                view! {
                    <ConfirmDialog
                        id="remove-question"
                        question=Signal::derive(move || match removing_kind() {
                            Some(FactorKind::Sms) => t_string!(i18n, remove_phone_question).to_owned(),
                            Some(FactorKind::Passkey) => t_string!(i18n, remove_passkey_question).to_owned(),
                            _ => t_string!(i18n, remove_authenticator_question).to_owned(),
                        })
                        confirm=Signal::derive(move || t_string!(i18n, remove).to_owned())
                        on_confirm=Callback::new(move |()| proceed())
                        on_cancel=Callback::new(move |()| removal.update(Removal::cancel))
                    />
                }
                .into_any(),
            ),
            Removal::ConfirmPassword(_) => Some(
                view! { <ReauthForm inline=true on_confirmed=Callback::new(move |()| proceed()) /> }.into_any(),
            ),
        }}
    }
}
