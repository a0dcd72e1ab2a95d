//! Which addresses count as one client for the per-address limits. One
//! person holds a whole IPv6 /64 (a home or phone network hands one out,
//! and a host may pick any address in it), so an IPv6 client is its /64;
//! an IPv4-mapped IPv6 address is the IPv4 address it carries. The audit
//! log keeps the full address: only the limits group.

use std::net::IpAddr;

/// The key every per-address limit counts `ip` under. Text that is not an
/// address is its own key.
pub fn limit_key(ip: &str) -> String {
    match ip.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Err(_) => ip.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        let key = limit_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
        assert_eq!(key, "2001:db8:1:2::/64");
        assert_eq!(limit_key("2001:db8:1:2::1"), key);
        assert_eq!(limit_key("2001:DB8:1:2:ffff:ffff:ffff:ffff"), key);
        assert_ne!(limit_key("2001:db8:1:3::1"), key, "the next /64");
    }

    #[test]
    fn ipv4_and_ipv4_mapped_are_the_same_client() {
        assert_eq!(limit_key("203.0.113.9"), "203.0.113.9");
        assert_eq!(limit_key("::ffff:203.0.113.9"), "203.0.113.9");
        assert_ne!(limit_key("203.0.113.10"), "203.0.113.9");
        assert_eq!(limit_key("not an address"), "not an address");
    }
}
