use leptos::prelude::*;

use crate::browser::receive_texted_code;
use crate::dates::now;
use crate::i18n::{t_string, use_i18n};

/// "Resend", disabled with a countdown ("Resend in 42 s") until `resend_at`
/// (Unix seconds).
#[component]
pub fn ResendButton(
    #[prop(into)] resend_at: Signal<Option<i64>>,
    #[prop(into)] pending: Signal<bool>,
    on_resend: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let clock = RwSignal::new(now());
    if let Ok(handle) =
        set_interval_with_handle(move || clock.set(now()), std::time::Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    let left = move || resend_at.get().map_or(0, |at| (at - clock.get()).max(0));
    view! {
        <button
            type="button"
            disabled=move || { pending.get() || left() > 0 }
            on:click=move |_| on_resend.run(())
        >
            {move || match left() {
                0 => t_string!(i18n, resend_code).to_owned(),
                seconds => t_string!(i18n, resend_in, seconds = seconds.to_string()).to_string(),
            }}
        </button>
    }
}

/// Where the browser supports WebOTP, waits (while this component is on
/// screen) for the text to arrive and hands its code to `on_code`.
#[component]
pub fn TextedCodeListener(on_code: Callback<String>) -> impl IntoView {
    if let Ok(controller) = web_sys::AbortController::new() {
        let signal = controller.signal();
        leptos::task::spawn_local(async move {
            if let Some(code) = receive_texted_code(&signal).await {
                on_code.run(code);
            }
        });
        on_cleanup(move || controller.abort());
    }
}
