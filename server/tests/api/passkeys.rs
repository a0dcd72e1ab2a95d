//! Passkeys: the storage of WebAuthn ceremonies (their state stays on the
//! server, bound to what started them, taken once, for a limited time).

use mfa_server::store::{CeremonyPurpose, CeremonyRow, NewCeremony};

use crate::helpers::spawn_app;

fn ceremony<'a>(
    id_hash: &'a str,
    purpose: CeremonyPurpose,
    session_hash: Option<&'a str>,
    expires_at: i64,
) -> NewCeremony<'a> {
    NewCeremony {
        id_hash,
        purpose,
        session_hash,
        user_id: Some(1),
        state: "{\"challenge\":\"c\"}",
        expires_at,
    }
}

#[tokio::test]
async fn a_ceremony_is_taken_once_by_its_session_for_its_purpose_before_it_expires() {
    let app = spawn_app().await;
    let now = app.now();
    let mut tx = app.deps.store.begin().await.unwrap();
    for (id, purpose, session) in [
        ("once", CeremonyPurpose::Register, Some("s1")),
        ("other-session", CeremonyPurpose::Register, Some("s1")),
        ("other-purpose", CeremonyPurpose::Register, Some("s1")),
        ("expired", CeremonyPurpose::SecondFactor, Some("s1")),
        ("anonymous", CeremonyPurpose::SignIn, None),
    ] {
        let expires_at = if id == "expired" { now } else { now + 300 };
        tx.insert_ceremony(&ceremony(id, purpose, session, expires_at))
            .await
            .unwrap();
    }
    let taken = tx
        .take_ceremony("once", CeremonyPurpose::Register, Some("s1"), now)
        .await
        .unwrap();
    assert_eq!(
        taken,
        Some(CeremonyRow {
            user_id: Some(1),
            state: "{\"challenge\":\"c\"}".to_owned(),
        })
    );
    // Used once: a replay finds nothing.
    let again = tx
        .take_ceremony("once", CeremonyPurpose::Register, Some("s1"), now)
        .await
        .unwrap();
    assert_eq!(again, None);
    // Another session, another purpose, or too late: refused, and gone.
    for (id, purpose, session) in [
        ("other-session", CeremonyPurpose::Register, Some("s2")),
        ("other-purpose", CeremonyPurpose::SecondFactor, Some("s1")),
        ("expired", CeremonyPurpose::SecondFactor, Some("s1")),
        ("other-session", CeremonyPurpose::Register, Some("s1")),
    ] {
        let taken = tx.take_ceremony(id, purpose, session, now).await.unwrap();
        assert_eq!(taken, None, "{id}");
    }
    // "Sign in with a passkey" has no session; a session does not fit it.
    let with_session = tx
        .take_ceremony("anonymous", CeremonyPurpose::SignIn, Some("s1"), now)
        .await
        .unwrap();
    assert_eq!(with_session, None);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn expired_ceremonies_are_swept() {
    let app = spawn_app().await;
    let now = app.now();
    let mut tx = app.deps.store.begin().await.unwrap();
    tx.insert_ceremony(&ceremony("old", CeremonyPurpose::SignIn, None, now - 1))
        .await
        .unwrap();
    tx.insert_ceremony(&ceremony("live", CeremonyPurpose::SignIn, None, now + 300))
        .await
        .unwrap();
    assert_eq!(tx.forget_expired_ceremonies(now).await.unwrap(), 1);
    let live = tx
        .take_ceremony("live", CeremonyPurpose::SignIn, None, now)
        .await
        .unwrap();
    assert!(live.is_some());
    tx.commit().await.unwrap();
}
