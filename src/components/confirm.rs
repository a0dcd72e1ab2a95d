use leptos::prelude::*;

use crate::i18n::{t, use_i18n};

/// A question before a change that cannot be undone: the danger button
/// (`confirm`, focused) makes it, "Cancel" does not. `id` names the
/// question for the dialog's label.
#[component]
pub fn ConfirmDialog(
    id: &'static str,
    #[prop(into)] question: Signal<String>,
    #[prop(into)] confirm: Signal<String>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card confirm" role="alertdialog" aria-labelledby=id>
            <p id=id>{question}</p>
            <div class="actions">
                <button type="button" class="danger" data-autofocus on:click=move |_| on_confirm.run(())>{confirm}</button>
                <button type="button" on:click=move |_| on_cancel.run(())>{t!(i18n, cancel)}</button>
            </div>
        </section>
    }
}
