//! A database written by the first release (migrations 1 and 2, with an
//! enrolled member in `totp_factors`) keeps working once the current server
//! has started on it and upgraded the schema.

use std::path::Path;

use axum::http::StatusCode;
use mfa_server::domain::password::{self, Password};
use mfa_server::domain::random::{Draw, SeededRandom};
use mfa_server::domain::recovery::RecoveryCode;
use mfa_server::domain::seal;
use mfa_server::domain::slow_hash::{Memory, Salt};
use mfa_server::domain::totp::TotpSecret;
use mfa_server::files::write_private;
use mfa_server::keys::ServerKey;
use serde_json::json;
use sqlx::migrate::Migrator;

use crate::helpers::{DEMO_PASSWORD, START, config, spawn_app_in, totp_code};

/// The schema as the first release left it: migrations up to `version`.
async fn migrate_up_to(pool: &sqlx::AnyPool, url: &str, version: i64) {
    let engine = if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    };
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine);
    let mut migrator = Migrator::new(folder).await.unwrap();
    let older: Vec<_> = migrator
        .migrations
        .iter()
        .filter(|m| m.version <= version)
        .cloned()
        .collect();
    assert_eq!(older.len(), 2);
    migrator.migrations = older.into();
    migrator.run(pool).await.unwrap();
}

#[tokio::test]
async fn an_enrolled_member_still_signs_in_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let url = config(dir.path(), &[]).database_url;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    migrate_up_to(&pool, &url, 2).await;

    // What release 1 wrote for a member with an authenticator app.
    let random = SeededRandom::new(42);
    let key = ServerKey::generate(&mut Draw(&random));
    write_private(&dir.path().join("server.key"), &hex::encode(key.as_bytes())).unwrap();
    let mut memory = Memory::new();
    let phc = password::hash(
        &Password::parse(DEMO_PASSWORD.into()).unwrap(),
        Salt::generate(&mut Draw(&random)),
        &mut memory,
    )
    .unwrap();
    let user_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES ('member@demo.test', 'Morgan Member', $1, $2) RETURNING id",
    )
    .bind(&phc)
    .bind(START - 86_400)
    .fetch_one(&pool)
    .await
    .unwrap();
    let factor_id: i64 = sqlx::query_scalar(
        "INSERT INTO totp_factors (user_id, secret_sealed, created_at, confirmed_at, last_step) VALUES ($1, '', $2, $2, $3) RETURNING id",
    )
    .bind(user_id)
    .bind(START - 86_400)
    .bind((START - 86_400) / 30)
    .fetch_one(&pool)
    .await
    .unwrap();
    let secret = TotpSecret::generate(&mut Draw(&random));
    let sealed = seal::seal(
        &key,
        &seal::totp_owner(user_id, factor_id),
        secret.as_bytes(),
        &mut Draw(&random),
    );
    sqlx::query("UPDATE totp_factors SET secret_sealed = $1 WHERE id = $2")
        .bind(&sealed)
        .bind(factor_id)
        .execute(&pool)
        .await
        .unwrap();
    let recovery = RecoveryCode::generate(&mut Draw(&random));
    let recovery_hash = recovery
        .hash(Salt::generate(&mut Draw(&random)), &mut memory)
        .unwrap();
    sqlx::query("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(&recovery_hash)
        .bind(START - 86_400)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO attempt_limits (user_id, kind, failures) VALUES ($1, 'code', 3)")
        .bind(user_id)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    // The current server starts on it (and runs the newer migrations).
    let app = spawn_app_in(dir, &[]).await;
    let partial = app.password_step("member@demo.test").await;
    let reply = app
        .second_factor(&partial, "totp", &totp_code(&secret.to_base32(), app.now()))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let factors = &reply.body["me"]["two_factor"]["factors"];
    assert_eq!(factors[0]["id"], factor_id, "the factor keeps its id");
    assert_eq!(factors[0]["kind"], "authenticator_app");
    assert_eq!(factors[0]["preferred"], true);
    assert_eq!(factors[0]["added_at"], START - 86_400);
    assert_eq!(
        reply.body["me"]["two_factor"]["recovery_code"]["created_at"],
        START - 86_400
    );

    // The recovery code of release 1 works too.
    let partial = app.password_step("member@demo.test").await;
    let reply = app
        .second_factor(&partial, "recovery_code", &recovery.display())
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);

    // New factors get ids after the migrated ones (PostgreSQL's sequence moved on).
    let cookie = reply.session_cookie().unwrap();
    app.reauth(&cookie).await;
    let start = app
        .post("/api/factors/totp", Some(&cookie), &json!({}))
        .await;
    let new_id = start.body["factor_id"].as_i64().unwrap();
    assert!(new_id > factor_id, "{new_id} after {factor_id}");
}

/// Several instances on one database and one key file, started at the same
/// moment: the migrations run once (PostgreSQL's advisory lock; SQLite's
/// write lock), the key is created once and every instance uses it.
#[tokio::test]
async fn instances_started_together_migrate_once_and_share_one_key() {
    let shared = tempfile::tempdir().unwrap();
    let key_file = shared.path().join("shared.key");
    let key = key_file.display().to_string();
    // One database for all: the first config makes it, the others read its URL.
    let first = config(shared.path(), &[("MFA_SECRET_KEY_FILE", &key)]);
    let url = std::fs::read_to_string(shared.path().join("database-url")).unwrap();
    let mut builds = Vec::new();
    for i in 0..3 {
        let dir = shared.path().join(format!("instance{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("database-url"), &url).unwrap();
        let config = match i {
            0 => first.clone(),
            _ => config(&dir, &[("MFA_SECRET_KEY_FILE", &key)]),
        };
        builds.push(tokio::spawn(mfa_server::Application::build(config)));
    }
    let mut apps = Vec::new();
    for build in builds {
        apps.push(build.await.unwrap().expect("every instance starts"));
    }
    let pool = {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&url).await.unwrap()
    };
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    let engine = if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    };
    let files = std::fs::read_dir(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(engine),
    )
    .unwrap()
    .count() as i64;
    assert_eq!(applied, files, "each migration once");
    let companies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM companies")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(companies, 1, "the demo company seeded once");
    let on_file = ServerKey::load(&key_file).unwrap().expect("the shared key");
    for app in &apps {
        assert_eq!(
            app.state().deps.key.as_bytes(),
            on_file.as_bytes(),
            "one key for all"
        );
    }
}
