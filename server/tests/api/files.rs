//! Private files: the data directory, the SQLite database (and its journal
//! files) and the server key are the server's alone, and a missing or
//! exposed key stops it.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use mfa_server::Application;

use crate::helpers::{config, spawn_app_in};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn sqlite(dir: &Path) -> bool {
    config(dir, &[]).database_url.starts_with("sqlite:")
}

#[tokio::test]
async fn the_data_directory_database_and_key_are_private_and_get_tightened() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // As an earlier release (or a careless copy) left them: readable by all.
    fs::create_dir_all(&data).unwrap();
    fs::set_permissions(&data, fs::Permissions::from_mode(0o755)).unwrap();
    let db = data.join("mfa.db");
    fs::write(&db, b"").unwrap();
    fs::set_permissions(&db, fs::Permissions::from_mode(0o644)).unwrap();
    let url = if sqlite(dir.path()) {
        format!("sqlite://{}?mode=rwc", db.display())
    } else {
        config(dir.path(), &[]).database_url
    };
    let extra = [
        ("MFA_DATA_DIR", data.to_str().unwrap()),
        ("MFA_DATABASE_URL", url.as_str()),
    ];
    let app = Application::build(config(dir.path(), &extra))
        .await
        .unwrap();
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("server.key")), 0o600);
    if url.starts_with("sqlite:") {
        assert_eq!(mode(&db), 0o600);
        for journal in ["mfa.db-wal", "mfa.db-shm"] {
            let path = data.join(journal);
            if path.exists() {
                assert_eq!(mode(&path), 0o600, "{journal}");
            }
        }
    }
    drop(app);
}

#[tokio::test]
async fn a_fresh_sqlite_database_is_created_private() {
    let dir = tempfile::tempdir().unwrap();
    if !sqlite(dir.path()) {
        return; // PostgreSQL keeps its own files.
    }
    let app = spawn_app_in(dir, &[]).await;
    let cookie = app.signed_in("member@demo.test").await;
    let _ = app.enroll(&cookie).await;
    for name in ["mfa.db", "mfa.db-wal", "mfa.db-shm"] {
        let path = app.dir.path().join(name);
        assert!(path.exists(), "{name}");
        assert_eq!(mode(&path), 0o600, "{name}");
    }
}

#[tokio::test]
async fn a_missing_key_with_sealed_secrets_stops_the_server() {
    let app = spawn_app_in(tempfile::tempdir().unwrap(), &[]).await;
    let cookie = app.signed_in("member@demo.test").await;
    let _ = app.enroll(&cookie).await;
    let key = app.dir.path().join("server.key");
    fs::remove_file(&key).unwrap();
    let refused = Application::build(config(app.dir.path(), &[]))
        .await
        .err()
        .expect("refused to start")
        .to_string();
    assert!(refused.contains("server key"), "{refused}");
    assert!(refused.contains("missing"), "{refused}");
    assert!(!key.exists(), "no new key was made");
}

#[tokio::test]
async fn a_key_others_can_read_stops_the_server() {
    let app = spawn_app_in(tempfile::tempdir().unwrap(), &[]).await;
    let key = app.dir.path().join("server.key");
    fs::set_permissions(&key, fs::Permissions::from_mode(0o640)).unwrap();
    let refused = Application::build(config(app.dir.path(), &[]))
        .await
        .err()
        .expect("refused to start")
        .to_string();
    assert!(refused.contains("readable by other users"), "{refused}");
}
