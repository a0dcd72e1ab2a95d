//! The MFA enrollment server: JSON API under `/api` plus the single-page app.

/// The client of the request being served.
pub mod client;
/// Operator configuration from `MFA_*` variables.
pub mod config;
/// The demo company seeded in demo mode.
pub mod demo;
/// Domain rules, free of HTTP and SQL.
pub mod domain;
/// Fault injection for tests (debug builds only).
pub mod faults;
/// Private files: created for the server's user only, tightened, refused.
pub mod files;
/// Routes, extractors and middleware.
pub mod http;
/// The server's secret key file.
pub mod keys;
/// Sending email: SMTP or the outbox.
pub mod mail;
/// The product's operations, between handlers and storage.
pub mod services;
/// Sending texts: the outbox or a Twilio-compatible provider.
pub mod sms;
/// Shared handler state.
pub mod state;
/// Database access, one transaction at a time.
pub mod store;
/// Logging setup.
pub mod telemetry;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

pub use config::Config;
use demo::DemoAccounts;
use domain::clock::{Clock, SystemClock};
use domain::random::{Draw, OsRandom, RandomSource};
use keys::ServerKey;
use services::Deps;
use state::AppState;
use store::Store;

/// A configured server, bound to its port, ready to run.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    state: AppState,
    demo: Option<DemoAccounts>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let clock: Arc<dyn Clock> = match config.demo_clock_offset_days {
            0 => Arc::new(SystemClock),
            days => {
                tracing::warn!(days, "demo mode: the server's clock is moved");
                Arc::new(domain::clock::OffsetClock {
                    inner: SystemClock,
                    offset_secs: days * 24 * 60 * 60,
                })
            }
        };
        Self::build_with(config, clock, Arc::new(OsRandom)).await
    }

    /// As [`Application::build`], on a clock and a random source of the
    /// caller's choosing (tests).
    pub async fn build_with(
        config: Config,
        clock: Arc<dyn Clock>,
        random: Arc<dyn RandomSource>,
    ) -> anyhow::Result<Self> {
        files::private_dir(&config.data_dir).with_context(|| {
            format!("preparing the data directory {}", config.data_dir.display())
        })?;
        let store = Store::connect(&config.database_url).await?;
        let key = server_key(&config, &store, random.as_ref()).await?;
        let demo = if config.demo {
            let seed = || demo::seed(&store, &config, clock.now(), random.as_ref());
            // Instances started together seed the same accounts: the one
            // that loses the race (a unique email) finds them on its retry.
            let seeded = match seed().await {
                Ok(accounts) => accounts,
                Err(e) => {
                    tracing::info!(error = %e, "demo accounts raced another instance; again");
                    seed().await?
                }
            };
            Some(seeded)
        } else {
            None
        };
        if !config.dist_dir.join("index.html").is_file() {
            tracing::warn!(dist = %config.dist_dir.display(), "no built app here: only the API is served (run scripts/build-spa.sh)");
        }
        let (decoy, salt) = domain::password::decoy(&mut Draw(random.as_ref()));
        let decoy_hash = tokio::task::spawn_blocking(move || {
            domain::password::hash(&decoy, salt, &mut domain::slow_hash::Memory::new())
        })
        .await??;
        let listener = TcpListener::bind(&config.bind)
            .await
            .with_context(|| format!("binding {}", config.bind))?;
        let mut config = config;
        let bound = listener.local_addr()?;
        config.bound_to(bound);
        if !config.public_url_explicit && !bound.ip().is_loopback() {
            tracing::warn!(
                public_url = %config.public_url,
                "MFA_PUBLIC_URL is not set: the API answers only requests for this address; set it to the URL people use"
            );
        }
        let state = AppState {
            deps: Deps {
                store,
                clock,
                random,
                key: Arc::new(key),
                hashing: Arc::new(services::hashing::Hashing::for_this_machine()),
                decoy_hash: decoy_hash.into(),
                sms: Arc::new(sms::SmsProvider::from_config(&config.sms)?),
                host: config.public_host().into(),
                mailer: Arc::new(mail::Mailer::from_config(&config)?),
                public_url: config.public_url.as_str().into(),
                reminder_days: config.reminder_days.as_slice().into(),
                audit_retention_secs: config.audit_retention_days * 24 * 60 * 60,
                passkeys: services::passkeys::relying_party(&config)?.map(Arc::new),
            },
            config: Arc::new(config),
        };
        Ok(Self {
            listener,
            router: http::router(state.clone()),
            state,
            demo,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn demo_accounts(&self) -> Option<&DemoAccounts> {
        self.demo.as_ref()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tracing::info!(addr = %self.local_addr(), "serving");
        // The first start makes the key that signs ID tokens (beside
        // serving: generating an RSA key takes a moment).
        let deps = self.state.deps.clone();
        tokio::spawn(async move {
            if let Err(e) = services::signing_keys::ensure(&deps).await {
                tracing::error!(error = %e, "preparing the ID token signing key failed");
            }
        });
        let worker = services::notify::spawn_worker(self.state.deps.clone());
        let sweeper = services::housekeeping::spawn(self.state.deps.clone());
        let app = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        // Without TCP_NODELAY a response written in two parts (headers, then
        // a file's body) waits for the client's delayed ACK: 40 ms a file.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set");
            }
        });
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await;
        worker.abort();
        sweeper.abort();
        served
    }
}

/// The operator's break-glass: removes the factors and recovery code of the
/// user with `email` (audited, emailed through the queue), on the
/// configured database, whether the server runs or not. Returns how many
/// factors were removed.
pub async fn reset_mfa(config: &Config, email: &str) -> anyhow::Result<u64> {
    let email = domain::email::Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
    let deps = operator_deps(config).await?;
    Ok(services::rollout::reset_by_operator(&deps, &email).await?)
}

/// The operator's `mfa-server rotate-signing-key`: a new key signs ID
/// tokens from now on; the previous one stays published until the tokens
/// it signed have expired. Returns the new key's id.
pub async fn rotate_signing_key(config: &Config) -> anyhow::Result<String> {
    let deps = operator_deps(config).await?;
    services::signing_keys::rotate(&deps).await
}

/// Why the operator's `create-company` did nothing.
#[derive(Debug, thiserror::Error)]
pub enum CreateCompanyError {
    /// The operator's input: a name taken, an invalid email (exit status 2).
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// The operator's `mfa-server create-company`: the company and an
/// invitation for its first admin (emailed through the queue), on the
/// configured database, whether the server runs or not. Returns the
/// invitation's link, to print once.
pub async fn create_company(
    config: &Config,
    name: &str,
    admin_email: &str,
    admin_name: Option<&str>,
) -> Result<String, CreateCompanyError> {
    use services::invitations::InviteError;
    let email = domain::email::Email::parse(admin_email)
        .map_err(|e| CreateCompanyError::Refused(format!("--admin-email: {e}")))?;
    let deps = operator_deps(config).await?;
    services::invitations::create_company(&deps, name, &email, admin_name)
        .await
        .map_err(|e| match e {
            InviteError::CompanyExists => CreateCompanyError::Refused(format!(
                "a company named {:?} exists already",
                name.trim()
            )),
            InviteError::Name => CreateCompanyError::Refused(
                "the company's name must have 1 to 200 characters, the admin's 1 to 100".to_owned(),
            ),
            other => CreateCompanyError::Failed(anyhow::Error::new(other)),
        })
}

/// What the operator's commands run on: the configured database and the
/// server's key (created, as the server would, when there is none yet),
/// emails through the queue that the server's worker sends.
async fn operator_deps(config: &Config) -> anyhow::Result<Deps> {
    files::private_dir(&config.data_dir)
        .with_context(|| format!("preparing the data directory {}", config.data_dir.display()))?;
    let store = Store::connect(&config.database_url).await?;
    let random: Arc<dyn RandomSource> = Arc::new(OsRandom);
    let key = server_key(config, &store, random.as_ref()).await?;
    Ok(Deps {
        store,
        clock: Arc::new(SystemClock),
        key: Arc::new(key),
        random,
        hashing: Arc::new(services::hashing::Hashing::new(1, 1)),
        decoy_hash: "".into(),
        sms: Arc::new(sms::SmsProvider::Outbox),
        host: config.public_host().into(),
        mailer: Arc::new(mail::Mailer::from_config(config)?),
        public_url: config.public_url.as_str().into(),
        reminder_days: config.reminder_days.as_slice().into(),
        audit_retention_secs: config.audit_retention_days * 24 * 60 * 60,
        passkeys: None,
    })
}

/// The key sealing second-factor secrets: the one on file, or a new one
/// when there is none yet (created once: instances started together on one
/// key file all read the first one's). A missing key while sealed secrets
/// exist stops the server: a new key would lock every enrolled user out.
async fn server_key(
    config: &Config,
    store: &Store,
    random: &dyn RandomSource,
) -> anyhow::Result<ServerKey> {
    let path = &config.secret_key_file;
    if let Some(key) = ServerKey::load(path)? {
        return Ok(key);
    }
    let sealed = store.read().await?.sealed_secret_count().await?;
    if sealed > 0 {
        anyhow::bail!(
            "the server key {} is missing, but {sealed} second-factor secret(s) are sealed with it: \
             restore the key file from your backup (MFA_SECRET_KEY_FILE); a new key would lock \
             every enrolled user out",
            path.display()
        );
    }
    match ServerKey::create(path, &mut Draw(random)) {
        Ok(key) => Ok(key),
        // Another instance sharing the key file created it a moment ago
        // (instances started together): use theirs.
        Err(e) => ServerKey::load(path)?.ok_or(e),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
