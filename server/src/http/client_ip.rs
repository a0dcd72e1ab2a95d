use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use crate::client::Client;
use crate::config::Cidr;
use crate::state::AppState;

/// The client's address, for limits and the audit log: the peer of the
/// connection, or, when that peer is a trusted proxy (`MFA_TRUSTED_PROXIES`),
/// the nearest address in `X-Forwarded-For` that is not one. An untrusted
/// peer's `X-Forwarded-For` is ignored: anyone can write one.
#[derive(Clone, Debug, Default)]
pub struct ClientIp(pub Option<String>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        Ok(Self(
            client(peer, &forwarded, &state.config.trusted_proxies).map(|ip| ip.to_string()),
        ))
    }
}

/// Serves the request as its client ([`Client`]): what it records (its
/// session, its audit events) names the address and the browser.
pub async fn serve(ClientIp(ip): ClientIp, request: Request, next: Next) -> Response {
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Client::new(ip, user_agent).serve(next.run(request)).await
}

/// Walks back from the peer through `forwarded` (nearest last) while the
/// hop is a trusted proxy.
fn client(peer: Option<IpAddr>, forwarded: &[&str], trusted: &[Cidr]) -> Option<IpAddr> {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|range| range.contains(ip));
    let mut client = peer?;
    for hop in forwarded.iter().rev() {
        if !is_trusted(client) {
            break;
        }
        match hop.parse::<IpAddr>() {
            Ok(ip) => client = ip,
            Err(_) => break,
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_behind_trusted_proxies() {
        let proxies = [Cidr::parse("10.0.0.0/8").unwrap()];
        let forwarded = ["198.51.100.1", "203.0.113.9"];
        assert_eq!(
            client(Some(ip("192.0.2.5")), &forwarded, &proxies),
            Some(ip("192.0.2.5")),
            "untrusted peer"
        );
        assert_eq!(
            client(Some(ip("10.0.0.2")), &forwarded, &proxies),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            client(
                Some(ip("10.0.0.2")),
                &["198.51.100.1", "10.0.0.3"],
                &proxies
            ),
            Some(ip("198.51.100.1")),
            "through two proxies"
        );
        assert_eq!(
            client(Some(ip("10.0.0.2")), &["garbage"], &proxies),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(
            client(Some(ip("10.0.0.2")), &[], &proxies),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(
            client(Some(ip("10.0.0.2")), &forwarded, &[]),
            Some(ip("10.0.0.2")),
            "none trusted by default"
        );
        assert_eq!(client(None, &forwarded, &proxies), None);
    }
}
