//! What every form shares: one request at a time, and the last error to show.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;
use crate::errors::error_text;
use crate::i18n::use_i18n;

/// A form's request in flight and its last error. `Copy`, like a signal.
#[derive(Clone, Copy)]
pub struct Submission {
    pub pending: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
}

impl Default for Submission {
    fn default() -> Self {
        Self {
            pending: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }
}

impl Submission {
    /// Sends `request` unless one is already in flight. The answer goes to
    /// `done`; an error is kept, to be shown.
    pub fn start<T: 'static>(
        self,
        request: impl Future<Output = Result<T, ApiError>> + 'static,
        done: impl FnOnce(T) + 'static,
    ) {
        if self.pending.get_untracked() {
            return;
        }
        self.pending.set(true);
        self.error.set(None);
        spawn_local(async move {
            let result = request.await;
            self.pending.set(false);
            match result {
                Ok(value) => done(value),
                Err(e) => self.error.set(Some(e)),
            }
        });
    }

    /// The error, in the reader's language.
    pub fn message(self) -> impl Fn() -> Option<String> + Copy + 'static {
        let i18n = use_i18n();
        move || self.error.get().map(|e| error_text(i18n.get_locale(), &e))
    }

    /// For `aria-invalid` on the form's fields.
    pub fn invalid(self) -> impl Fn() -> Option<&'static str> + Copy + 'static {
        move || self.error.with(Option::is_some).then_some("true")
    }
}
