//! The client of the request being served (its address and User-Agent),
//! kept for the task that serves it. The HTTP layer sets it once per API
//! request; what the request records (its session, its audit events) names
//! where it came from without every service passing it along. Outside a
//! request (background tasks, tests calling services) it is unknown.

use std::future::Future;

use crate::domain::browser;

tokio::task_local! {
    static CURRENT: Client;
}

/// The longest User-Agent kept (real ones are a few hundred bytes).
const MAX_USER_AGENT: usize = 1024;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Client {
    /// The address, as `http::client_ip` finds it.
    pub ip: Option<String>,
    user_agent: String,
}

impl Client {
    pub fn new(ip: Option<String>, user_agent: &str) -> Self {
        let end = (0..=MAX_USER_AGENT.min(user_agent.len()))
            .rev()
            .find(|&i| user_agent.is_char_boundary(i))
            .unwrap_or(0);
        Self {
            ip,
            user_agent: user_agent[..end].to_owned(),
        }
    }

    /// Runs `work` as serving this client.
    pub async fn serve<F: Future>(self, work: F) -> F::Output {
        CURRENT.scope(self, work).await
    }

    /// The client of the request this task serves (unknown outside one).
    pub fn current() -> Self {
        CURRENT.try_with(Clone::clone).unwrap_or_default()
    }

    /// Its browser's label (`domain::browser`), empty when unknown.
    pub fn browser(&self) -> String {
        browser::label(&self.user_agent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn known_while_serving_only() {
        assert_eq!(Client::current(), Client::default());
        let client = Client::new(Some("192.0.2.1".into()), &"é".repeat(2_000));
        assert!(client.user_agent.len() <= MAX_USER_AGENT);
        let seen = client.clone().serve(async { Client::current() }).await;
        assert_eq!(seen, client);
        assert_eq!(Client::current(), Client::default());
    }
}
