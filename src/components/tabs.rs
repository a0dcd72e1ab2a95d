//! Tabs that are also links (each tab has its own URL, so reload and deep
//! links work), with the WAI-ARIA tabs keyboard model: Left/Right/Home/End
//! move between tabs, and only the selected tab is in the Tab order.

use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// One tab: its URL, its element id and its label.
#[derive(Clone)]
pub struct TabLink {
    pub href: &'static str,
    pub id: &'static str,
    pub label: Signal<String>,
}

/// The tab a key press moves to, or `None` when the key is not ours.
pub fn tab_after_key(key: &str, selected: usize, count: usize) -> Option<usize> {
    if count == 0 {
        return None;
    }
    match key {
        "ArrowRight" => Some((selected + 1) % count),
        "ArrowLeft" => Some((selected + count - 1) % count),
        "Home" => Some(0),
        "End" => Some(count - 1),
        _ => None,
    }
}

#[component]
pub fn Tabs(
    tabs: Vec<TabLink>,
    #[prop(into)] selected: Signal<usize>,
    #[prop(into)] label: Signal<String>,
    panel_id: &'static str,
) -> impl IntoView {
    let navigate = use_navigate();
    let hrefs: Vec<(&'static str, &'static str)> = tabs.iter().map(|t| (t.href, t.id)).collect();
    let on_key = move |event: ev::KeyboardEvent| {
        if let Some(index) = tab_after_key(&event.key(), selected.get_untracked(), hrefs.len()) {
            event.prevent_default();
            let (href, id) = hrefs[index];
            navigate(href, Default::default());
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(id))
                && let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el)
            {
                let _ = el.focus();
            }
        }
    };
    view! {
        <div class="tabs" role="tablist" aria-label=move || label.get() on:keydown=on_key>
            {tabs
                .into_iter()
                .enumerate()
                .map(|(index, tab)| {
                    let is_selected = move || selected.get() == index;
                    view! {
                        <a
                            role="tab"
                            id=tab.id
                            href=tab.href
                            aria-controls=panel_id
                            aria-selected=move || is_selected().to_string()
                            tabindex=move || if is_selected() { "0" } else { "-1" }
                        >
                            {move || tab.label.get()}
                        </a>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::tab_after_key;

    #[test]
    fn arrows_wrap_and_home_end_jump() {
        assert_eq!(tab_after_key("ArrowRight", 0, 2), Some(1));
        assert_eq!(tab_after_key("ArrowRight", 1, 2), Some(0));
        assert_eq!(tab_after_key("ArrowLeft", 0, 2), Some(1));
        assert_eq!(tab_after_key("Home", 1, 2), Some(0));
        assert_eq!(tab_after_key("End", 0, 2), Some(1));
        assert_eq!(tab_after_key("Enter", 0, 2), None);
    }
}
