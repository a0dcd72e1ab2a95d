//! The bench's accounts, written straight into a fresh data dir through the
//! server's own store, before the server starts: people with a known
//! password and a session, people half-way through sign-in with a known
//! authenticator secret, and a company of 100,000 members.

use anyhow::Context;
use mfa_api::FactorKind;
use mfa_server::client::Client;
use mfa_server::domain::clock::UnixTime;
use mfa_server::domain::email::Email;
use mfa_server::domain::oidc::Methods;
use mfa_server::domain::password::{self, Password};
use mfa_server::domain::random::{Draw, OsRandom};
use mfa_server::domain::seal;
use mfa_server::domain::session::{SessionStage, SessionToken};
use mfa_server::domain::slow_hash::{Memory, Salt};
use mfa_server::domain::totp::{self, TotpSecret};
use mfa_server::keys::ServerKey;
use mfa_server::store::{AuditKind, NewSession};
use mfa_server::store::{Store, Tx};

/// Rows written per transaction while seeding.
const BATCH: usize = 1_000;

/// The data dir's database and key, open for seeding.
pub struct Seeder {
    store: Store,
    key: ServerKey,
    password_hash: String,
}

/// Someone signed in (a full session).
pub struct SignedIn {
    pub email: String,
    pub cookie: String,
}

/// Someone who gave the right password and now owes a code from their app.
pub struct HalfSignedIn {
    pub cookie: String,
    secret: TotpSecret,
}

impl HalfSignedIn {
    /// The code their authenticator app shows at `now`.
    pub fn code_at(&self, now: UnixTime) -> String {
        totp::code_at_step(
            self.secret.as_bytes(),
            totp::step_at(now) as u64,
            totp_rs::Algorithm::SHA1,
            totp::DIGITS,
        )
    }
}

/// The big company: its admin and how many members have a factor.
pub struct Company {
    pub id: i64,
    pub admin: SignedIn,
    pub members: usize,
    pub enrolled: usize,
    /// Every member's user id, the admin first.
    pub member_ids: Vec<i64>,
}

/// What the seeded audit events are, in turn: mostly sign-ins.
const AUDIT_KINDS: [(AuditKind, &str); 10] = [
    (AuditKind::SignIn, "password"),
    (AuditKind::SignIn, "authenticator_app"),
    (AuditKind::SignIn, "password"),
    (AuditKind::SignIn, "sms"),
    (AuditKind::SignInFailed, "password"),
    (AuditKind::SignIn, "password"),
    (AuditKind::SignIn, "authenticator_app"),
    (AuditKind::SignInFailed, "authenticator_app"),
    (AuditKind::SignIn, "password"),
    (AuditKind::FactorAdded, "authenticator_app"),
];

impl Seeder {
    /// Opens (and migrates) the database, creates the server key the server
    /// will load, and hashes the bench password once for every account.
    pub async fn open(
        data_dir: &std::path::Path,
        database_url: Option<&str>,
        password: &str,
    ) -> anyhow::Result<Self> {
        let url = match database_url {
            Some(url) => url.to_owned(),
            None => format!("sqlite://{}/mfa.db?mode=rwc", data_dir.display()),
        };
        let store = Store::connect(&url).await?;
        let key = ServerKey::create(&data_dir.join("server.key"), &mut Draw(&OsRandom))?;
        let parsed = Password::parse(password.to_owned()).context("bench password")?;
        let salt = Salt::generate(&mut Draw(&OsRandom));
        let password_hash = password::hash(&parsed, salt, &mut Memory::new())?;
        Ok(Self {
            store,
            key,
            password_hash,
        })
    }

    /// One account without a second factor, with a full session.
    pub async fn signed_in(&self, email: &str) -> anyhow::Result<SignedIn> {
        let mut tx = self.store.begin().await?;
        let user_id = self.user(&mut tx, email).await?;
        let cookie = self.session(&mut tx, user_id, SessionStage::Full).await?;
        tx.commit().await?;
        Ok(SignedIn {
            email: email.to_owned(),
            cookie,
        })
    }

    /// `count` more full sessions of these (signed-in) accounts, taking
    /// turns: each re-authentication gives its session a new id, so a load
    /// run uses each cookie once.
    pub async fn sessions(&self, people: &[SignedIn], count: usize) -> anyhow::Result<Vec<String>> {
        let mut ids = Vec::with_capacity(people.len());
        let mut tx = self.store.begin().await?;
        for person in people {
            let email = Email::parse(&person.email).map_err(|e| anyhow::anyhow!("{e}"))?;
            let id = tx.user_id_by_email(&email).await?;
            ids.push(id.context("a bench account that was not seeded")?);
        }
        let mut cookies = Vec::with_capacity(count);
        for (i, user_id) in ids.iter().cycle().take(count).enumerate() {
            cookies.push(self.session(&mut tx, *user_id, SessionStage::Full).await?);
            if (i + 1) % BATCH == 0 {
                tx.commit().await?;
                tx = self.store.begin().await?;
            }
        }
        tx.commit().await?;
        Ok(cookies)
    }

    /// `count` accounts with an authenticator app, each with a session
    /// waiting for its code, from the load generator's address as the
    /// password step would have left it.
    pub async fn half_signed_in(
        &self,
        prefix: &str,
        count: usize,
    ) -> anyhow::Result<Vec<HalfSignedIn>> {
        let wrk = Client::new(Some("127.0.0.1".to_owned()), "wrk");
        wrk.serve(self.half_signed_in_here(prefix, count)).await
    }

    async fn half_signed_in_here(
        &self,
        prefix: &str,
        count: usize,
    ) -> anyhow::Result<Vec<HalfSignedIn>> {
        let mut people = Vec::with_capacity(count);
        for start in (0..count).step_by(BATCH) {
            let mut tx = self.store.begin().await?;
            for i in start..count.min(start + BATCH) {
                let user_id = self
                    .user(&mut tx, &format!("{prefix}{i}@bench.test"))
                    .await?;
                let secret = self.authenticator(&mut tx, user_id).await?;
                let cookie = self
                    .session(&mut tx, user_id, SessionStage::SecondFactorPending)
                    .await?;
                people.push(HalfSignedIn { cookie, secret });
            }
            tx.commit().await?;
        }
        Ok(people)
    }

    /// A company of `members` people (its admin among them), one in ten with
    /// an authenticator app, the admin signed in.
    pub async fn company(&self, name: &str, members: usize) -> anyhow::Result<Company> {
        let mut tx = self.store.begin().await?;
        let id = tx.create_company(name, now()).await?;
        let admin_email = "admin@scale.bench.test";
        let admin_id = self.user(&mut tx, admin_email).await?;
        tx.upsert_membership(admin_id, id, true, false, now())
            .await?;
        self.authenticator(&mut tx, admin_id).await?;
        let cookie = self.session(&mut tx, admin_id, SessionStage::Full).await?;
        tx.commit().await?;
        let mut enrolled = 1;
        let mut member_ids = vec![admin_id];
        for start in (1..members).step_by(BATCH) {
            let mut tx = self.store.begin().await?;
            for i in start..members.min(start + BATCH) {
                let user_id = self
                    .user(&mut tx, &format!("member{i}@scale.bench.test"))
                    .await?;
                tx.upsert_membership(user_id, id, false, false, now())
                    .await?;
                member_ids.push(user_id);
                if i % 10 == 0 {
                    self.authenticator(&mut tx, user_id).await?;
                    enrolled += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(Company {
            id,
            admin: SignedIn {
                email: admin_email.to_owned(),
                cookie,
            },
            members,
            enrolled,
            member_ids,
        })
    }

    /// `count` audit events of the company's members over the last
    /// `days`, oldest first, each written as the server writes them (the
    /// event and its company-log row); one in a thousand a recovery code
    /// regenerated (a rare kind to filter on).
    pub async fn audit_events(
        &self,
        company: &Company,
        count: usize,
        days: i64,
    ) -> anyhow::Result<()> {
        let start = now() - days * 24 * 60 * 60;
        let step = (days * 24 * 60 * 60) as f64 / count as f64;
        for first in (0..count).step_by(BATCH * 10) {
            let mut tx = self.store.begin().await?;
            for i in first..count.min(first + BATCH * 10) {
                let user_id = company.member_ids[i % company.member_ids.len()];
                let (kind, detail) = match i % 1000 {
                    999 => (AuditKind::RecoveryCodeRegenerated, ""),
                    n => AUDIT_KINDS[n % AUDIT_KINDS.len()],
                };
                let ip = format!("10.{}.{}.{}", i % 7, (i / 7) % 250, i % 250);
                let at = start + (i as f64 * step) as i64;
                tx.audit(user_id, kind, detail, Some(&ip), at).await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    async fn user(&self, tx: &mut Tx, email: &str) -> anyhow::Result<i64> {
        let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
        let name = email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned();
        Ok(tx
            .create_user(&email, &name, &self.password_hash, now())
            .await?)
    }

    /// A confirmed authenticator app with a fresh secret, sealed as the
    /// server seals them.
    async fn authenticator(&self, tx: &mut Tx, user_id: i64) -> anyhow::Result<TotpSecret> {
        let secret = TotpSecret::generate(&mut Draw(&OsRandom));
        let factor_id = tx
            .add_pending_factor(user_id, FactorKind::AuthenticatorApp, None, now())
            .await?;
        let owner = seal::totp_owner(user_id, factor_id);
        let sealed = seal::seal(&self.key, &owner, secret.as_bytes(), &mut Draw(&OsRandom));
        tx.set_factor_secret(factor_id, &sealed).await?;
        tx.confirm_factor(user_id, factor_id, now()).await?;
        tx.set_preferred_factor(user_id, factor_id).await?;
        Ok(secret)
    }

    async fn session(
        &self,
        tx: &mut Tx,
        user_id: i64,
        stage: SessionStage,
    ) -> anyhow::Result<String> {
        let token = SessionToken::generate(&mut Draw(&OsRandom));
        tx.create_session(
            &token.id_hash(),
            &NewSession {
                user_id,
                stage,
                recheck_at: None,
                methods: &Methods::password(),
                // The server's handles are random; any unique text will do.
                handle: &token.id_hash().as_str()[..32],
                now: now(),
            },
        )
        .await?;
        Ok(format!("mfa_session={}", token.cookie_value()))
    }
}

/// Unix seconds now.
pub fn now() -> UnixTime {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as UnixTime)
        .unwrap_or_default()
}
