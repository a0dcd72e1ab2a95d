use leptos::prelude::*;

use super::copy_button::CopyButton;
use crate::browser::{download_text, print_page};
use crate::dates::today_iso;
use crate::i18n::{t, t_string, use_i18n};
use crate::recovery_file;

/// The recovery code, shown once: copy, download, print, and a tick box
/// ("I have saved my recovery code") that must be ticked before finishing.
#[component]
pub fn RecoveryCodePanel(
    code: String,
    account: String,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] intro: Signal<String>,
    on_finish: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let saved = RwSignal::new(false);
    let download = {
        let (code, account) = (code.clone(), account.clone());
        move |_| {
            let text =
                recovery_file::contents(i18n.get_locale_untracked(), &account, &today_iso(), &code);
            if let Err(e) = download_text(
                &recovery_file::file_name(&account),
                "text/plain;charset=utf-8",
                &text,
            ) {
                leptos::logging::error!("download failed: {e:?}");
            }
        }
    };
    view! {
        <section class="card recovery" aria-labelledby="recovery-title">
            <h1 id="recovery-title">{move || title.get()}</h1>
            <p>{move || intro.get()}</p>
            <p class="recovery-code-box">
                <code id="recovery-code" class="recovery-code">{code.clone()}</code>
            </p>
            <div class="actions no-print">
                <CopyButton text=code.clone() label=Signal::derive(move || t_string!(i18n, copy_code_label).to_owned()) />
                <button type="button" on:click=download>{t!(i18n, download)}</button>
                <button type="button" on:click=move |_| print_page()>{t!(i18n, print)}</button>
            </div>
            <div class="check no-print">
                <input
                    id="recovery-saved"
                    type="checkbox"
                    on:change=move |ev| saved.set(event_target_checked(&ev))
                    prop:checked=move || saved.get()
                />
                <label for="recovery-saved">{t!(i18n, saved_checkbox)}</label>
            </div>
            <button
                type="button"
                class="primary no-print"
                disabled=move || !saved.get()
                on:click=move |_| on_finish.run(())
            >
                {t!(i18n, finish)}
            </button>
        </section>
    }
}
