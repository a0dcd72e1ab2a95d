//! Which browser and system a request came from, named from its
//! User-Agent (by `woothee`), to show people their sessions, trusted
//! browsers and activity. Stored as one short text, `browser/system`;
//! nothing else of the User-Agent is kept.

use std::sync::LazyLock;

static PARSER: LazyLock<woothee::parser::Parser> = LazyLock::new(woothee::parser::Parser::new);

/// The stored label of `user_agent`: empty when nothing is recognised.
pub fn label(user_agent: &str) -> String {
    let Some(found) = PARSER.parse(user_agent) else {
        return String::new();
    };
    let known =
        |name: &str| (name != woothee::woothee::VALUE_UNKNOWN).then(|| name.replace('/', " "));
    match (known(found.name), known(found.os)) {
        (None, None) => String::new(),
        (name, os) => format!("{}/{}", name.unwrap_or_default(), os.unwrap_or_default()),
    }
}

/// A stored label, split: the browser and the system, each when known.
pub fn parts(label: &str) -> (Option<String>, Option<String>) {
    let (name, os) = label.split_once('/').unwrap_or((label, ""));
    let known = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    (known(name), known(os))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_browser_and_the_system() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      HeadlessChrome/131.0.0.0 Safari/537.36";
        let firefox =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
        assert_eq!(
            parts(&label(firefox)),
            (Some("Firefox".into()), Some("Windows 10".into()))
        );
        assert_eq!(
            parts(&label(iphone)),
            (Some("Safari".into()), Some("iPhone".into()))
        );
        let (name, os) = parts(&label(chrome));
        assert_eq!(os.as_deref(), Some("Linux"));
        assert!(name.is_some());
    }

    #[test]
    fn unknown_and_hostile_user_agents_give_nothing_or_a_short_label() {
        assert_eq!(label(""), "");
        assert_eq!(parts(""), (None, None));
        let long = "x".repeat(10_000);
        assert!(label(&long).len() < 64);
        assert!(label("é/é/é\u{0}").len() < 64);
    }
}
