//! Each service operation on its own: a real database, a fixed clock and a
//! seeded random source, so what an operation generates is reproducible. The
//! failure tests make the database refuse a write part-way through an
//! operation and prove that nothing of it was kept.

use std::sync::Arc;

use mfa_api::{FactorKind, SessionStage};
use mfa_server::demo;
use mfa_server::domain::clock::{Clock, FixedClock};
use mfa_server::domain::email::Email;
use mfa_server::domain::password::{self, Password};
use mfa_server::domain::random::{Draw, SeededRandom};
use mfa_server::domain::recovery::RecoveryCode;
use mfa_server::domain::session::{IDLE_TIMEOUT_SECS, REAUTH_WINDOW_SECS, SessionToken};
use mfa_server::domain::slow_hash::Memory;
use mfa_server::domain::totp::TotpCode;
use mfa_server::keys::ServerKey;
use mfa_server::mail::Mailer;
use mfa_server::services::answer::{CheckError, FactorAnswer};
use mfa_server::services::authenticator;
use mfa_server::services::enrollment;
use mfa_server::services::factors::{self, FactorError};
use mfa_server::services::hashing::Hashing;
use mfa_server::services::profile;
use mfa_server::services::reauth::{self, ReauthError};
use mfa_server::services::recovery::{self, RecoveryError};
use mfa_server::services::second_step::{self, Answer};
use mfa_server::services::session::{self, LiveSession, SessionError};
use mfa_server::services::sign_in::{self, Attempt, SignInError};
use mfa_server::services::{Deps, Locked, Refused};
use mfa_server::sms::SmsProvider;
use mfa_server::store::Store;

use crate::helpers::{DEMO_PASSWORD, START, config, totp_code};

/// A code from an authenticator app, as the second step and enrollment take it.
fn totp_answer(code: &TotpCode) -> FactorAnswer {
    FactorAnswer::AuthenticatorCode(code.clone())
}

const IP: Option<&str> = Some("192.0.2.7");

struct Fixture {
    deps: Deps,
    clock: Arc<FixedClock>,
    db: sqlx::AnyPool,
    postgres: bool,
    _dir: tempfile::TempDir,
}

async fn fixture(seed: u64) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[]);
    let store = Store::connect(&config.database_url).await.unwrap();
    let random = Arc::new(SeededRandom::new(seed));
    demo::seed(&store, &config, START, random.as_ref())
        .await
        .unwrap();
    let key = ServerKey::generate(&mut Draw(random.as_ref()));
    let (decoy, salt) = password::decoy(&mut Draw(random.as_ref()));
    let clock = Arc::new(FixedClock::at(START));
    let deps = Deps {
        store,
        clock: clock.clone(),
        random,
        key: Arc::new(key),
        hashing: Arc::new(Hashing::new(2, 16)),
        decoy_hash: password::hash(&decoy, salt, &mut Memory::new())
            .unwrap()
            .into(),
        sms: Arc::new(SmsProvider::Outbox),
        host: "mfa.test".into(),
        mailer: Arc::new(Mailer::from_config(&config).unwrap()),
        public_url: "http://mfa.test".into(),
        reminder_days: vec![14, 7, 1].into(),
        audit_retention_secs: 400 * 24 * 60 * 60,
        passkeys: None,
    };
    let db = sqlx::AnyPool::connect(&config.database_url).await.unwrap();
    Fixture {
        deps,
        clock,
        db,
        postgres: config.database_url.starts_with("postgres"),
        _dir: dir,
    }
}

impl Fixture {
    async fn sign_in(&self, email: &str) -> (SessionToken, LiveSession) {
        let accepted = sign_in::sign_in(
            &self.deps,
            Attempt {
                ip: IP,
                ..Attempt::default()
            },
            &Email::parse(email).unwrap(),
            Password::parse(DEMO_PASSWORD.into()).unwrap(),
        )
        .await
        .unwrap();
        let live = session::find(&self.deps, &accepted.token).await.unwrap();
        (accepted.token, live)
    }

    /// Starts an authenticator and confirms it; returns its base32 secret
    /// and the recovery code. Moves the clock to the next time step.
    async fn enroll(&self, session: &LiveSession) -> (String, Option<RecoveryCode>) {
        let enrollment = authenticator::start(&self.deps, session).await.unwrap();
        let secret = enrollment.secret.to_base32();
        let code = self.code(&secret);
        let confirmed = enrollment::confirm(&self.deps, session, IP, totp_answer(&code))
            .await
            .unwrap();
        self.clock.advance(30);
        (secret, confirmed.recovery_code)
    }

    fn code(&self, secret: &str) -> TotpCode {
        TotpCode::parse(&totp_code(secret, self.clock.now())).unwrap()
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.db).await.unwrap()
    }

    /// From now on, the database refuses every insert into `table`.
    async fn fail_writes_to(&self, table: &str) {
        let statements = if self.postgres {
            vec![
                "CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql \
                 AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"
                    .to_owned(),
                format!(
                    "CREATE TRIGGER injected_failure BEFORE INSERT OR UPDATE ON {table} \
                     FOR EACH ROW EXECUTE FUNCTION injected_failure()"
                ),
            ]
        } else {
            // SQLite: one trigger per event.
            ["INSERT", "UPDATE"]
                .iter()
                .map(|event| {
                    format!(
                        "CREATE TRIGGER injected_failure_{event} BEFORE {event} ON {table} \
                         BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
                    )
                })
                .collect()
        };
        for sql in statements {
            sqlx::query(&sql).execute(&self.db).await.unwrap();
        }
    }

    async fn allow_writes_to(&self, table: &str) {
        let statements = if self.postgres {
            vec![format!("DROP TRIGGER injected_failure ON {table}")]
        } else {
            vec![
                "DROP TRIGGER injected_failure_INSERT".to_owned(),
                "DROP TRIGGER injected_failure_UPDATE".to_owned(),
            ]
        };
        for sql in statements {
            sqlx::query(&sql).execute(&self.db).await.unwrap();
        }
    }
}

#[tokio::test]
async fn sign_in_starts_the_stage_the_rules_give() {
    let f = fixture(1).await;
    let (_, member) = f.sign_in("member@demo.test").await;
    assert_eq!(member.stage, SessionStage::Full);
    let (_, payee) = f.sign_in("payee@demo.test").await;
    assert_eq!(payee.stage, SessionStage::MustEnroll);
    let _ = f.enroll(&member).await;
    let (_, again) = f.sign_in("member@demo.test").await;
    assert_eq!(again.stage, SessionStage::SecondFactorPending);

    for (email, password) in [
        ("member@demo.test", "wrong"),
        ("nobody@demo.test", DEMO_PASSWORD),
    ] {
        let refused = sign_in::sign_in(
            &f.deps,
            Attempt {
                ip: IP,
                ..Attempt::default()
            },
            &Email::parse(email).unwrap(),
            Password::parse(password.into()).unwrap(),
        )
        .await;
        assert!(matches!(refused, Err(SignInError::InvalidCredentials)));
    }
}

#[tokio::test]
async fn the_same_seed_makes_the_same_secret() {
    let mut uris = Vec::new();
    for seed in [5, 5, 6] {
        let f = fixture(seed).await;
        let (_, member) = f.sign_in("member@demo.test").await;
        let enrollment = authenticator::start(&f.deps, &member).await.unwrap();
        uris.push(enrollment.otpauth_uri);
    }
    assert_eq!(uris[0], uris[1], "fixed randomness, fixed secret");
    assert_ne!(uris[0], uris[2]);
}

#[tokio::test]
async fn confirming_writes_the_factor_code_stage_and_audit_together_or_not_at_all() {
    let f = fixture(2).await;
    let (token, payee) = f.sign_in("payee@demo.test").await;
    let enrollment = authenticator::start(&f.deps, &payee).await.unwrap();
    let code = f.code(&enrollment.secret.to_base32());

    f.fail_writes_to("recovery_codes").await;
    let failed = enrollment::confirm(&f.deps, &payee, IP, totp_answer(&code)).await;
    assert!(matches!(failed, Err(CheckError::Internal(_))), "{failed:?}");
    assert_eq!(
        f.count(
            "SELECT COUNT(*) FROM factors WHERE confirmed_at IS NOT NULL OR last_step IS NOT NULL"
        )
        .await,
        0,
        "the factor is still pending, its time step unclaimed"
    );
    assert_eq!(
        f.count("SELECT COUNT(*) FROM audit_events WHERE kind <> 'sign_in'")
            .await,
        0
    );
    assert_eq!(
        session::find(&f.deps, &token).await.unwrap().stage,
        SessionStage::MustEnroll
    );

    // Once the database accepts writes again, the same code confirms.
    f.allow_writes_to("recovery_codes").await;
    let confirmed = enrollment::confirm(&f.deps, &payee, IP, totp_answer(&code))
        .await
        .unwrap();
    assert!(
        confirmed.recovery_code.is_some(),
        "the first factor brings it"
    );
    assert_eq!(confirmed.me.stage, SessionStage::Full);
    // Must-enroll became full under a new session id: the old one is gone.
    let reissued = confirmed.session.expect("a new session id");
    assert_eq!(
        session::find(&f.deps, &reissued).await.unwrap().stage,
        SessionStage::Full
    );
    assert!(session::find(&f.deps, &token).await.is_err());
    assert_eq!(
        f.count(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'factor_added' AND ip = '192.0.2.7'"
        )
        .await,
        1
    );
    let again = enrollment::confirm(&f.deps, &payee, IP, totp_answer(&code)).await;
    assert!(matches!(
        again,
        Err(CheckError::NoPendingEnrollment(
            FactorKind::AuthenticatorApp
        ))
    ));
}

#[tokio::test]
async fn wrong_codes_count_and_lock_at_enrollment() {
    let f = fixture(3).await;
    let (_, member) = f.sign_in("member@demo.test").await;
    let enrollment = authenticator::start(&f.deps, &member).await.unwrap();
    let right = totp_code(&enrollment.secret.to_base32(), f.clock.now());
    let wrong = TotpCode::parse(&format!(
        "{:06}",
        (right.parse::<u32>().unwrap() + 1) % 1_000_000
    ))
    .unwrap();
    for _ in 0..9 {
        let reply = enrollment::confirm(&f.deps, &member, IP, totp_answer(&wrong)).await;
        assert!(matches!(reply, Err(CheckError::WrongCode)));
    }
    let locked = enrollment::confirm(&f.deps, &member, IP, totp_answer(&wrong)).await;
    assert!(
        matches!(
            locked,
            Err(CheckError::Refused(Refused::Locked(Locked { until, wait: 900 }))) if until == START + 900
        ),
        "{locked:?}"
    );
    assert_eq!(
        f.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'lockout'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_used_recovery_code_always_comes_with_its_session() {
    let f = fixture(4).await;
    let (_, member) = f.sign_in("member@demo.test").await;
    let (_, recovery) = f.enroll(&member).await;
    let recovery = recovery.unwrap();
    let (_, pending) = f.sign_in("member@demo.test").await;
    let answer = || Answer::RecoveryCode(RecoveryCode::parse(&recovery.display()).unwrap());

    f.fail_writes_to("sessions").await;
    let failed = second_step::complete(&f.deps, &pending, IP, answer(), false).await;
    assert!(matches!(failed, Err(CheckError::Internal(_))), "{failed:?}");
    assert_eq!(
        f.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'recovery_code_used'")
            .await,
        0
    );
    f.allow_writes_to("sessions").await;

    // The code was not used up: it still signs in, once.
    let signed_in = second_step::complete(&f.deps, &pending, IP, answer(), false)
        .await
        .unwrap();
    assert_eq!(signed_in.me.stage, SessionStage::Full);
    let fresh = signed_in.new_recovery_code.expect("a replacement");
    assert_ne!(fresh.display(), recovery.display());
    let full = session::find(&f.deps, &signed_in.token).await.unwrap();
    assert_eq!(full.stage, SessionStage::Full);
    assert!(matches!(
        session::find(&f.deps, &SessionToken::parse(&"00".repeat(32)).unwrap()).await,
        Err(SessionError::NotSignedIn)
    ));
    let (_, pending) = f.sign_in("member@demo.test").await;
    let reused = second_step::complete(&f.deps, &pending, IP, answer(), false).await;
    assert!(matches!(reused, Err(CheckError::WrongCode)));
}

#[tokio::test]
async fn the_second_step_with_an_authenticator_replaces_the_session() {
    let f = fixture(5).await;
    let (_, member) = f.sign_in("member@demo.test").await;
    let (secret, _) = f.enroll(&member).await;
    let (pending_token, pending) = f.sign_in("member@demo.test").await;
    let code = f.code(&secret);
    let signed_in = second_step::complete(
        &f.deps,
        &pending,
        IP,
        Answer::Factor(totp_answer(&code)),
        false,
    )
    .await
    .unwrap();
    assert!(signed_in.new_recovery_code.is_none());
    assert!(matches!(
        session::find(&f.deps, &pending_token).await,
        Err(SessionError::NotSignedIn)
    ));
    assert_eq!(
        signed_in.me.two_factor.factors[0].last_used_at,
        Some(f.clock.now())
    );
    let (_, pending) = f.sign_in("member@demo.test").await;
    let replay = second_step::complete(
        &f.deps,
        &pending,
        IP,
        Answer::Factor(totp_answer(&code)),
        false,
    )
    .await;
    assert!(matches!(replay, Err(CheckError::CodeAlreadyUsed)));
}

#[tokio::test]
async fn reauthentication_opens_a_ten_minute_window() {
    let f = fixture(6).await;
    let (token, member) = f.sign_in("member@demo.test").await;
    let wrong = reauth::confirm_password(
        &f.deps,
        &member,
        IP,
        Password::parse("nope".into()).unwrap(),
    )
    .await;
    assert!(matches!(wrong, Err(ReauthError::WrongPassword)));
    assert_eq!(
        session::find(&f.deps, &token).await.unwrap().reauth_until,
        0
    );
    let reissued = reauth::confirm_password(
        &f.deps,
        &member,
        IP,
        Password::parse(DEMO_PASSWORD.into()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        session::find(&f.deps, &reissued)
            .await
            .unwrap()
            .reauth_until,
        START + REAUTH_WINDOW_SECS
    );
    assert!(session::find(&f.deps, &token).await.is_err(), "a new id");
}

#[tokio::test]
async fn a_new_recovery_code_needs_a_factor_and_is_audited() {
    let f = fixture(7).await;
    let (_, member) = f.sign_in("member@demo.test").await;
    let refused = recovery::regenerate(&f.deps, &member, IP).await;
    assert!(matches!(refused, Err(RecoveryError::NotEnrolled)));
    let (_, first) = f.enroll(&member).await;
    let regenerated = recovery::regenerate(&f.deps, &member, IP).await.unwrap();
    assert_ne!(regenerated.code.display(), first.unwrap().display());
    assert_eq!(
        regenerated.me.two_factor.recovery_code.unwrap().created_at,
        f.clock.now()
    );
    assert_eq!(
        f.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'recovery_code_regenerated'")
            .await,
        1
    );
}

#[tokio::test]
async fn removing_keeps_a_required_last_factor_and_takes_the_recovery_code_with_the_last() {
    let f = fixture(8).await;
    let (_, payee) = f.sign_in("payee@demo.test").await;
    let _ = f.enroll(&payee).await;
    let id = f.count("SELECT id FROM factors").await;
    assert!(matches!(
        factors::remove(&f.deps, &payee, IP, id + 1).await,
        Err(FactorError::NotFound)
    ));
    assert!(matches!(
        factors::remove(&f.deps, &payee, IP, id).await,
        Err(FactorError::FactorRequired)
    ));

    let (_, member) = f.sign_in("member@demo.test").await;
    let _ = f.enroll(&member).await;
    let member_factor = f.count("SELECT MAX(id) FROM factors").await;
    assert!(
        matches!(
            factors::remove(&f.deps, &member, IP, id).await,
            Err(FactorError::NotFound)
        ),
        "another user's factor is not found"
    );
    let me = factors::remove(&f.deps, &member, IP, member_factor)
        .await
        .unwrap();
    assert!(me.two_factor.factors.is_empty());
    assert!(me.two_factor.recovery_code.is_none());
    assert_eq!(
        f.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'factor_removed'")
            .await,
        1
    );
}

#[tokio::test]
async fn sessions_end_on_sign_out_and_when_idle() {
    let f = fixture(9).await;
    let (token, _) = f.sign_in("member@demo.test").await;
    session::end(&f.deps, &token).await.unwrap();
    assert!(matches!(
        session::find(&f.deps, &token).await,
        Err(SessionError::NotSignedIn)
    ));
    let (token, _) = f.sign_in("member@demo.test").await;
    f.clock.advance(IDLE_TIMEOUT_SECS);
    assert!(matches!(
        session::find(&f.deps, &token).await,
        Err(SessionError::NotSignedIn)
    ));
    assert_eq!(
        f.count("SELECT COUNT(*) FROM sessions").await,
        0,
        "the dead session is gone"
    );
}

#[tokio::test]
async fn the_profile_lists_factors_requirement_and_stage() {
    let f = fixture(10).await;
    let (_, payee) = f.sign_in("payee@demo.test").await;
    let me = profile::me(&f.deps, &payee).await.unwrap();
    assert_eq!(me.stage, SessionStage::MustEnroll);
    assert!(me.two_factor.requirement.is_required());
    assert!(!me.two_factor.enabled && me.two_factor.factors.is_empty());
    let _ = f.enroll(&payee).await;
    let (_, pending) = f.sign_in("payee@demo.test").await;
    let me = profile::me(&f.deps, &pending).await.unwrap();
    assert_eq!(me.stage, SessionStage::SecondFactorPending);
    assert!(me.two_factor.enabled);
    assert_eq!(me.two_factor.factors.len(), 1);
    assert!(me.two_factor.factors[0].preferred);
    assert_eq!(me.two_factor.recovery_code.unwrap().created_at, START);
}
