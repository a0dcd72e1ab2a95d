//! What every form shares: its request is a Leptos `Action` (made by
//! `Session::action`), whose pending state disables the submit button, whose
//! last error is shown, and whose answers move the page on.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::errors::{error_text, passkey_error_text};
use crate::i18n::{Locale, use_i18n};
use crate::passkey::PasskeyError;

/// An action that calls the API.
pub type ApiAction<I, O> = Action<I, Result<O, ApiError>>;

/// The action's last error, in the reader's language (none while a new
/// request is in flight).
pub fn error_message<I, O>(action: ApiAction<I, O>) -> impl Fn() -> Option<String> + Copy + 'static
where
    I: 'static,
    O: 'static,
{
    last_error(action, error_text)
}

/// A passkey action's last error (the browser's, or the server's), in the
/// reader's language.
pub fn passkey_error_message<I, O>(
    action: Action<I, Result<O, PasskeyError>>,
) -> impl Fn() -> Option<String> + Copy + 'static
where
    I: 'static,
    O: 'static,
{
    last_error(action, passkey_error_text)
}

fn last_error<I, O, E>(
    action: Action<I, Result<O, E>>,
    text: fn(Locale, &E) -> String,
) -> impl Fn() -> Option<String> + Copy + 'static
where
    I: 'static,
    O: 'static,
    E: 'static,
{
    let i18n = use_i18n();
    move || {
        if action.pending().get() {
            return None;
        }
        action.value().with(|answer| match answer {
            Some(Err(e)) => Some(text(i18n.get_locale(), e)),
            _ => None,
        })
    }
}

/// For `aria-invalid` on the form's fields.
pub fn invalid<I, O>(action: ApiAction<I, O>) -> impl Fn() -> Option<&'static str> + Copy + 'static
where
    I: 'static,
    O: 'static,
{
    move || {
        action
            .value()
            .with(|answer| matches!(answer, Some(Err(_))))
            .then_some("true")
    }
}

/// Runs `next` with every answer the action gets, once each.
pub fn on_answer<I, O>(action: Action<I, O>, next: impl Fn(O) + 'static)
where
    I: 'static,
    O: Clone + 'static,
{
    Effect::new(move |_| {
        if let Some(answer) = action.value().get() {
            untrack(|| next(answer));
        }
    });
}
