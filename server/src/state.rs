use std::sync::Arc;

use crate::config::Config;
use crate::domain::clock::Clock;
use crate::keys::ServerKey;
use crate::store::Store;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub key: Arc<ServerKey>,
    /// See `http::auth::authenticate`: checked when the email is unknown.
    pub decoy_hash: Arc<str>,
}
