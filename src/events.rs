//! Audit events as people read them: a plain sentence in their language,
//! the browser, and when (in their time zone). For "Recent security
//! activity" on the tab and the company's audit log.

use leptos_i18n::I18nContext;
use mfa_api::{ActivityEvent, FactorKind};

use crate::components::two_factor::kind_name;
use crate::dates::{format_date, format_time};
use crate::i18n::{Locale, t_string};

/// A method as the server names it in an event's detail.
fn method(i18n: I18nContext<Locale>, name: &str) -> Option<String> {
    let kind = match name {
        "authenticator_app" => FactorKind::AuthenticatorApp,
        "sms" => FactorKind::Sms,
        "passkey" => FactorKind::Passkey,
        "recovery_code" => return Some(t_string!(i18n, recovery_code).to_owned()),
        "password" => return Some(t_string!(i18n, method_password).to_owned()),
        "trusted_browser" => return Some(t_string!(i18n, method_trusted_browser).to_owned()),
        _ => return None,
    };
    Some(kind_name(i18n, kind).to_owned())
}

/// What happened, in a sentence.
pub fn sentence(i18n: I18nContext<Locale>, kind: &str, detail: &str) -> String {
    let with = |text: fn(I18nContext<Locale>, String) -> String| {
        method(i18n, detail).map_or_else(|| kind.replace('_', " "), |m| text(i18n, m))
    };
    let fixed: &str = match (kind, detail) {
        ("sign_in", "password") => t_string!(i18n, ev_signed_in_password),
        ("sign_in", "trusted_browser") => t_string!(i18n, ev_trusted_browser),
        ("sign_in", "recovery_code") => t_string!(i18n, ev_recovery_code_used),
        ("sign_in", _) => {
            return with(|i18n, m| t_string!(i18n, ev_second_step, method = m).to_string());
        }
        ("sign_in_failed", "password") => t_string!(i18n, ev_failed_password),
        ("sign_in_failed", _) => {
            return with(|i18n, m| t_string!(i18n, ev_failed_second_step, method = m).to_string());
        }
        ("factor_added", _) => {
            return with(|i18n, m| t_string!(i18n, ev_factor_added, method = m).to_string());
        }
        ("factor_removed", _) => {
            return with(|i18n, m| t_string!(i18n, ev_factor_removed, method = m).to_string());
        }
        ("recovery_code_used", _) => t_string!(i18n, ev_recovery_code_used),
        ("recovery_code_regenerated", _) => t_string!(i18n, ev_recovery_code_regenerated),
        ("lockout", _) => t_string!(i18n, ev_lockout),
        ("code_replayed", _) => t_string!(i18n, ev_code_replayed),
        ("passkey_clone_warning", _) => t_string!(i18n, ev_passkey_clone_warning),
        ("password_changed", _) => t_string!(i18n, ev_password_changed),
        ("password_reset_asked", _) => t_string!(i18n, ev_password_reset_asked),
        ("password_reset", _) => t_string!(i18n, ev_password_reset),
        ("trusted_browser_added", _) => t_string!(i18n, ev_trusted_browser_added),
        ("trusted_browser_forgotten", _) => t_string!(i18n, ev_trusted_browser_forgotten),
        ("session_ended", _) => t_string!(i18n, ev_session_ended),
        ("mfa_reset", _) => t_string!(i18n, ev_mfa_reset),
        ("mfa_reset_refused", _) => t_string!(i18n, ev_mfa_reset_refused),
        ("company_policy_changed", _) => t_string!(i18n, ev_company_policy_changed),
        ("invitation_sent", _) => t_string!(i18n, ev_invitation_sent),
        ("invitation_revoked", _) => t_string!(i18n, ev_invitation_revoked),
        ("invitation_accepted", _) => t_string!(i18n, ev_invitation_accepted),
        ("member_role_changed", _) => t_string!(i18n, ev_member_role_changed),
        ("member_removed", _) => t_string!(i18n, ev_member_removed),
        ("reminders_sent", _) => t_string!(i18n, ev_reminders_sent),
        ("readiness_exported", _) => t_string!(i18n, ev_readiness_exported),
        ("audit_log_exported", _) => t_string!(i18n, ev_audit_log_exported),
        ("app_added", _) => t_string!(i18n, ev_app_added),
        ("app_secret_rotated", _) => t_string!(i18n, ev_app_secret_rotated),
        ("app_deleted", _) => t_string!(i18n, ev_app_deleted),
        ("app_sign_in", _) => t_string!(i18n, ev_app_sign_in),
        ("app_sign_in_refused", _) => t_string!(i18n, ev_app_sign_in_refused),
        // A kind of a newer server: its name.
        _ => return kind.replace('_', " "),
    };
    fixed.to_owned()
}

/// A kind of event, as the audit log's filter offers it.
pub fn kind_label(i18n: I18nContext<Locale>, kind: &str) -> String {
    let label: &str = match kind {
        "sign_in" => t_string!(i18n, kind_sign_in),
        "sign_in_failed" => t_string!(i18n, kind_sign_in_failed),
        "factor_added" => t_string!(i18n, kind_factor_added),
        "factor_removed" => t_string!(i18n, kind_factor_removed),
        other => return sentence(i18n, other, ""),
    };
    label.to_owned()
}

/// "Firefox on Windows 10", or whichever part is known.
pub fn browser_name(
    i18n: I18nContext<Locale>,
    browser: Option<&str>,
    system: Option<&str>,
) -> String {
    match (browser, system) {
        (Some(browser), Some(system)) => {
            t_string!(i18n, browser_on_system, browser = browser, system = system).to_string()
        }
        (Some(one), None) | (None, Some(one)) => one.to_owned(),
        (None, None) => t_string!(i18n, unknown_browser).to_owned(),
    }
}

/// The event's browser.
pub fn event_browser(i18n: I18nContext<Locale>, event: &ActivityEvent) -> String {
    browser_name(i18n, event.browser.as_deref(), event.system.as_deref())
}

/// A moment, date and time, in the reader's language and time zone.
pub fn when(locale: Locale, unix: i64) -> String {
    format!(
        "{}, {}",
        format_date(locale, unix),
        format_time(locale, unix)
    )
}
