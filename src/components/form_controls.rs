use leptos::prelude::*;

use crate::i18n::{t_string, use_i18n};

/// The field a code is typed in: six digits from an authenticator app or
/// a text message, or (with `recovery`) the recovery code. One look and one
/// behaviour wherever a code is asked for.
#[component]
pub fn CodeField(
    id: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    value: RwSignal<String>,
    /// The id of the element that says what was wrong.
    error_id: &'static str,
    /// `Some("true")` after a refused answer (`form::invalid`).
    #[prop(into)]
    invalid: Signal<Option<&'static str>>,
    /// Asks for the recovery code (letters, longer) instead of digits.
    #[prop(optional, into)]
    recovery: Signal<bool>,
    /// The field takes the focus when its screen opens.
    #[prop(optional)]
    autofocus: bool,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <input
                id=id
                class="code-input"
                name="code"
                type="text"
                inputmode=move || if recovery.get() { "text" } else { "numeric" }
                autocomplete=move || if recovery.get() { "off" } else { "one-time-code" }
                autocapitalize="characters"
                spellcheck="false"
                maxlength=move || (!recovery.get()).then_some("9")
                required
                data-autofocus=autofocus.then_some("")
                aria-invalid=move || invalid.get()
                aria-describedby=error_id
                bind:value=value
            />
        </div>
    }
}

/// A form's submit button: while its request is `pending` it is disabled
/// and says so ("Please wait…", or `working` when given).
#[component]
pub fn SubmitButton(
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] label: Signal<&'static str>,
    #[prop(optional, into)] working: Option<Signal<&'static str>>,
    /// `button` for a button that acts without submitting its form.
    #[prop(default = "submit")]
    kind: &'static str,
    #[prop(optional)] autofocus: bool,
    /// Not the page's main action (drawn as an ordinary button).
    #[prop(optional)]
    secondary: bool,
    #[prop(optional)] on_press: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || match (pending.get(), working) {
        (false, _) => label.get(),
        (true, Some(working)) => working.get(),
        (true, None) => t_string!(i18n, working),
    };
    view! {
        <button
            type=kind
            class=(!secondary).then_some("primary")
            data-autofocus=autofocus.then_some("")
            disabled=move || pending.get()
            on:click=move |_| {
                if let Some(press) = on_press {
                    press.run(());
                }
            }
        >
            {text}
        </button>
    }
}
