//! Where forward authentication may send a person back to after signing in
//! (`MFA_FORWARD_AUTH_DOMAINS`), so `rd` is never an open redirect.

use url::Url;

/// One entry of `MFA_FORWARD_AUTH_DOMAINS`: a host matched exactly
/// (`wiki.example.com`, `10.0.0.5`), or, with a leading dot, a domain and
/// every host under it (`.example.com`). Ports are not compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DomainRule {
    Exactly(String),
    Within(String),
}

impl DomainRule {
    pub fn parse(item: &str) -> Option<Self> {
        let item = item.trim().to_ascii_lowercase();
        let valid = |host: &str| {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
                && !host.starts_with('.')
        };
        match item.strip_prefix('.') {
            Some(domain) if valid(domain) && domain.contains('.') => {
                Some(Self::Within(domain.to_owned()))
            }
            Some(_) => None,
            None if valid(&item) => Some(Self::Exactly(item)),
            None => None,
        }
    }

    fn matches(&self, host: &str) -> bool {
        match self {
            Self::Exactly(h) => host == h,
            Self::Within(domain) => {
                host == domain
                    || host
                        .strip_suffix(domain.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            }
        }
    }
}

/// `rd` as a URL to send the browser to, if it is an absolute http(s) URL
/// on one of `rules`' hosts; `None` otherwise (the caller goes home).
pub fn allowed_return(rd: &str, rules: &[DomainRule]) -> Option<Url> {
    let url = Url::parse(rd).ok()?;
    if !matches!(url.scheme(), "http" | "https")
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    rules.iter().any(|r| r.matches(&host)).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(list: &[&str]) -> Vec<DomainRule> {
        list.iter().map(|r| DomainRule::parse(r).unwrap()).collect()
    }

    #[test]
    fn a_return_address_must_be_on_a_listed_host() {
        let r = rules(&["wiki.example.com", ".apps.example.org", "10.0.0.5"]);
        for ok in [
            "https://wiki.example.com/page?x=1",
            "https://WIKI.example.com:8443/",
            "http://apps.example.org/",
            "https://tracker.apps.example.org/issue/1",
            "http://10.0.0.5:8080/",
        ] {
            assert!(allowed_return(ok, &r).is_some(), "{ok}");
        }
        for bad in [
            "https://evil.example.com/",
            "https://wiki.example.com.evil.test/",
            "https://evilapps.example.org/",
            "//wiki.example.com/",
            "/relative",
            "javascript:alert(1)",
            "https://user:pw@wiki.example.com/",
            "ftp://wiki.example.com/",
            "https://10.0.0.6/",
        ] {
            assert!(allowed_return(bad, &r).is_none(), "{bad}");
        }
        assert!(allowed_return("https://wiki.example.com/", &[]).is_none());
    }

    #[test]
    fn rules_are_hosts_or_dotted_domains() {
        assert_eq!(
            DomainRule::parse(" .Example.com "),
            Some(DomainRule::Within("example.com".into()))
        );
        for bad in ["", ".", ".com", "a b", "https://x.example", "..example.com"] {
            assert_eq!(DomainRule::parse(bad), None, "{bad:?}");
        }
    }
}
