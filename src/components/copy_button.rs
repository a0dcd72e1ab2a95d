use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::copy_text;
use crate::i18n::{t, t_string, use_i18n};

/// "Copy", with a spoken confirmation (or a hint when the browser refuses).
#[component]
pub fn CopyButton(
    /// What goes to the clipboard.
    text: String,
    /// Accessible name; it starts with the visible "Copy".
    #[prop(into)]
    label: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let outcome = RwSignal::new(None::<bool>);
    let on_click = move |_| {
        let text = text.clone();
        spawn_local(async move {
            outcome.set(Some(copy_text(&text).await.is_ok()));
        });
    };
    view! {
        <button type="button" class="copy" aria-label=move || label.get() on:click=on_click>
            {t!(i18n, copy)}
        </button>
        <span class="copy-status" role="status">
            {move || outcome.get().map(|ok| if ok { t_string!(i18n, copied) } else { t_string!(i18n, copy_failed) })}
        </span>
    }
}
