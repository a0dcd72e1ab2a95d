//! Where passkeys are bound: the WebAuthn relying party. Browsers refuse an
//! IP address as its id, so it is the host name people open the product at.

use std::net::IpAddr;

use super::Config;
use super::origin::host_of;

/// The relying party: the id every passkey is bound to (a host name), and
/// the origin whose pages may use them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelyingParty {
    pub id: String,
    pub origin: String,
}

/// Passkeys cannot work at this public URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("passkeys need a host name in MFA_PUBLIC_URL, not the address {0}")]
pub struct NoHostName(pub String);

impl Config {
    /// The relying party for [`Config::public_url`]. An unset public URL on
    /// a loopback address (the default, and the demo) is also answered at
    /// `localhost` on the same port: passkeys are offered there.
    pub fn relying_party(&self) -> Result<RelyingParty, NoHostName> {
        let origin = self.public_origin();
        let authority = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        let host = host_of(authority);
        match host.parse::<IpAddr>() {
            Err(_) => Ok(RelyingParty {
                id: host.to_ascii_lowercase(),
                origin: origin.to_owned(),
            }),
            Ok(ip) if !self.public_url_explicit && ip.to_canonical().is_loopback() => {
                let port = authority.rsplit_once("]:").map_or_else(
                    || authority.rsplit_once(':').map(|(_, port)| port),
                    |(_, port)| Some(port),
                );
                let port = port.map(|p| format!(":{p}")).unwrap_or_default();
                Ok(RelyingParty {
                    id: "localhost".to_owned(),
                    origin: format!("{}://localhost{port}", self.public_scheme()),
                })
            }
            Ok(_) => Err(NoHostName(host.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::{NoHostName, RelyingParty};
    use crate::config::Config;

    fn config(vars: &[(&str, &str)]) -> Config {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned()).unwrap()
    }

    fn party(id: &str, origin: &str) -> Result<RelyingParty, NoHostName> {
        Ok(RelyingParty {
            id: id.to_owned(),
            origin: origin.to_owned(),
        })
    }

    #[test]
    fn a_host_name_is_the_relying_party() {
        let c = config(&[("MFA_PUBLIC_URL", "https://MFA.Example.com/sso")]);
        assert_eq!(
            c.relying_party(),
            party("mfa.example.com", "https://mfa.example.com")
        );
        let c = config(&[("MFA_PUBLIC_URL", "http://localhost:9000")]);
        assert_eq!(
            c.relying_party(),
            party("localhost", "http://localhost:9000")
        );
    }

    #[test]
    fn the_default_loopback_address_offers_passkeys_at_localhost() {
        let mut c = config(&[("MFA_BIND", "127.0.0.1:0")]);
        c.bound_to("127.0.0.1:41000".parse().unwrap());
        assert_eq!(
            c.relying_party(),
            party("localhost", "http://localhost:41000")
        );
        assert!(
            c.allowed_origins()
                .contains(&"http://localhost:41000".to_owned())
        );
    }

    #[test]
    fn an_address_set_by_the_operator_has_no_passkeys() {
        let c = config(&[("MFA_PUBLIC_URL", "http://127.0.0.1:8080")]);
        assert_eq!(c.relying_party(), Err(NoHostName("127.0.0.1".to_owned())));
        let c = config(&[("MFA_PUBLIC_URL", "https://192.0.2.7")]);
        assert_eq!(c.relying_party(), Err(NoHostName("192.0.2.7".to_owned())));
    }
}
