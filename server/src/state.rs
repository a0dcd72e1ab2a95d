use std::sync::Arc;

use crate::config::Config;
use crate::services::Deps;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// What the services run on.
    pub deps: Deps,
    pub config: Arc<Config>,
}
