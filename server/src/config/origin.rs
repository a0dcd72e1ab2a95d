//! Origins and host names as compared: the scheme and host in lower case
//! (DNS names are case-insensitive) and the scheme's default port dropped,
//! so `https://MFA.example.com:443` and `https://mfa.example.com` are one
//! origin, in the configuration and in every request alike.

use std::net::IpAddr;

/// `authority` (`host[:port]`, as in a `Host` header) for `scheme`: lower
/// case, without the scheme's default port (80 for http, 443 for https).
pub fn normalise_authority(scheme: &str, authority: &str) -> String {
    let authority = authority.trim().to_ascii_lowercase();
    let default_port = match scheme {
        "http" => ":80",
        "https" => ":443",
        _ => return authority,
    };
    match authority.strip_suffix(default_port) {
        // `[::1]:443` loses its port; a bare IPv6 address ending in `:443` does not.
        Some(host) if host.ends_with(']') || !host.contains(':') => host.to_owned(),
        _ => authority,
    }
}

/// `scheme://authority[/rest]` with scheme and authority normalised; the
/// rest as it is. `None` unless it starts with `http://` or `https://`.
pub fn normalise_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = normalise_authority(&scheme, &rest[..end]);
    if authority.is_empty() {
        return None;
    }
    Some(format!("{scheme}://{authority}{}", &rest[end..]))
}

/// The host of an authority, without port or IPv6 brackets.
pub fn host_of(authority: &str) -> &str {
    match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => authority.split(':').next().unwrap_or(authority),
    }
}

/// Whether a host name stays on this machine: `localhost` or a loopback
/// address (127.0.0.0/8, ::1).
pub fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_default_ports_do_not_matter() {
        assert_eq!(
            normalise_url("https://MFA.Example.com:443/").as_deref(),
            Some("https://mfa.example.com/")
        );
        assert_eq!(
            normalise_url("HTTP://Example.com:80").as_deref(),
            Some("http://example.com")
        );
        assert_eq!(
            normalise_url("https://example.com:80").as_deref(),
            Some("https://example.com:80"),
            "80 is not https's default"
        );
        assert_eq!(
            normalise_url("https://example.com:8443/MFA").as_deref(),
            Some("https://example.com:8443/MFA"),
            "the path keeps its case"
        );
        assert_eq!(normalise_authority("https", "[::1]:443"), "[::1]");
        assert_eq!(normalise_authority("http", "[::1]:8080"), "[::1]:8080");
        assert_eq!(normalise_authority("http", "LOCALHOST:80"), "localhost");
        for bad in ["ftp://example.com", "example.com", "https://", "https:///x"] {
            assert_eq!(normalise_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LocalHost",
            "127.0.0.1",
            "127.9.9.9",
            "::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "0.0.0.0",
            "::",
            "10.0.0.1",
            "mfa.example.com",
            "localhost.example.com",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
        assert_eq!(host_of("[::1]:8080"), "::1");
        assert_eq!(host_of("example.com:8080"), "example.com");
    }
}
