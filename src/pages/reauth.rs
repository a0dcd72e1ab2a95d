use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api;
use crate::components::form_controls::SubmitButton;
use crate::form::{error_message, invalid, on_answer};
use crate::i18n::{t, t_string, use_i18n};
use crate::session::Session;

/// "Confirm your password": opens the re-authentication window, then hands
/// back to the flow that needed it. As a whole screen it carries the page's
/// h1; inside a page (`inline`), an h2.
#[component]
pub fn ReauthForm(on_confirmed: Callback<()>, #[prop(optional)] inline: bool) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let password = RwSignal::new(String::new());
    let submit = session.action(|typed: &String| api::reauth(typed.clone()));
    on_answer(submit, move |answer| {
        if answer.is_ok() {
            on_confirmed.run(());
        }
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if !submit.pending().get_untracked() {
            submit.dispatch(std::mem::take(&mut *password.write()));
        }
    };
    let heading = move || t!(i18n, reauth_title);
    view! {
        <section class="card narrow reauth" aria-labelledby="reauth-title">
            {if inline {
                view! { <h2 id="reauth-title">{heading}</h2> }.into_any()
            } else {
                view! { <h1 id="reauth-title">{heading}</h1> }.into_any()
            }}
            <p>{t!(i18n, reauth_intro)}</p>
            <form class="form" on:submit=on_submit>
                <div class="field">
                    <label for="reauth-password">{t!(i18n, current_password_label)}</label>
                    <input
                        id="reauth-password"
                        type="password"
                        autocomplete="current-password"
                        required
                        data-autofocus
                        aria-invalid=invalid(submit)
                        aria-describedby="reauth-error"
                        bind:value=password
                    />
                </div>
                <p id="reauth-error" class="error" role="alert">
                    {error_message(submit)}
                </p>
                <SubmitButton pending=move || submit.pending().get() label=move || t_string!(i18n, confirm_password_button) />
            </form>
        </section>
    }
}
