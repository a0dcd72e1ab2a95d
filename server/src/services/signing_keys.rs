//! The RSA keys that sign ID tokens (RS256). The first is generated when
//! the server first starts (or first needs one); each is sealed with the
//! server key and named by a random `kid`. The operator's
//! `mfa-server rotate-signing-key` makes a new one sign; the previous one
//! stays published in the JWKS until every token it signed has expired.

use openidconnect::core::{CoreJsonWebKey, CoreJsonWebKeySet, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use rand::RngCore;
use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};

use super::Deps;
use crate::domain::oidc::ID_TOKEN_TTL_SECS;
use crate::domain::seal;
use crate::store::SigningKeyRow;

const RSA_BITS: usize = 2048;

fn owner(kid: &str) -> String {
    format!("signing-key:v1:kid={kid}")
}

/// The key that signs now, creating the first one when there is none.
pub async fn current(deps: &Deps) -> anyhow::Result<CoreRsaPrivateSigningKey> {
    let mut tx = deps.read().await?;
    let keys = tx.signing_keys().await?;
    drop(tx);
    let row = match keys.into_iter().find(|k| k.retired_at.is_none()) {
        Some(row) => row,
        None => ensure(deps).await?,
    };
    open(deps, &row)
}

/// The keys an app may see a token signed with: the current one and those
/// retired less than an ID token's lifetime ago.
pub async fn published(deps: &Deps) -> anyhow::Result<CoreJsonWebKeySet> {
    let mut tx = deps.read().await?;
    let keys = tx.signing_keys().await?;
    drop(tx);
    let keys = match keys.iter().any(|k| k.retired_at.is_none()) {
        true => keys,
        false => vec![ensure(deps).await?],
    };
    let now = deps.now();
    let jwks = keys
        .iter()
        .filter(|k| k.retired_at.is_none_or(|at| now < at + ID_TOKEN_TTL_SECS))
        .map(|k| serde_json::from_str::<CoreJsonWebKey>(&k.public_jwk))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CoreJsonWebKeySet::new(jwks))
}

/// The current key, generating the first one if there is none yet (two
/// instances starting at once agree on one: the second waits for the
/// first's lock and finds its key).
pub async fn ensure(deps: &Deps) -> anyhow::Result<SigningKeyRow> {
    let mut tx = deps.begin().await?;
    tx.lock_keys(&["signing-key"]).await?;
    if let Some(row) = tx
        .signing_keys()
        .await?
        .into_iter()
        .find(|k| k.retired_at.is_none())
    {
        return Ok(row);
    }
    let row = generate(deps).await?;
    tx.replace_signing_key(&row, deps.now()).await?;
    tx.commit().await?;
    tracing::info!(kid = row.kid, "generated the first ID token signing key");
    Ok(row)
}

/// A new key signs from now on; the old one stays published until its
/// tokens have expired, and keys retired before that are forgotten.
/// Returns the new key's id.
pub async fn rotate(deps: &Deps) -> anyhow::Result<String> {
    let row = generate(deps).await?;
    let now = deps.now();
    let mut tx = deps.begin().await?;
    tx.lock_keys(&["signing-key"]).await?;
    tx.delete_retired_signing_keys(now - ID_TOKEN_TTL_SECS)
        .await?;
    tx.replace_signing_key(&row, now).await?;
    tx.commit().await?;
    tracing::info!(kid = row.kid, "rotated the ID token signing key");
    Ok(row.kid)
}

async fn generate(deps: &Deps) -> anyhow::Result<SigningKeyRow> {
    let mut id = [0u8; 12];
    deps.rng().fill_bytes(&mut id);
    let kid = hex::encode(id);
    let pem = tokio::task::spawn_blocking(|| {
        let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, RSA_BITS)?;
        anyhow::Ok(key.to_pkcs1_pem(LineEnding::LF)?)
    })
    .await??;
    let signing = CoreRsaPrivateSigningKey::from_pem(&pem, Some(JsonWebKeyId::new(kid.clone())))
        .map_err(anyhow::Error::msg)?;
    let public_jwk = serde_json::to_string(&signing.as_verification_key())?;
    Ok(SigningKeyRow {
        sealed_key: seal::seal(&deps.key, &owner(&kid), pem.as_bytes(), &mut deps.rng()),
        kid,
        public_jwk,
        created_at: deps.now(),
        retired_at: None,
    })
}

fn open(deps: &Deps, row: &SigningKeyRow) -> anyhow::Result<CoreRsaPrivateSigningKey> {
    let pem = seal::open(&deps.key, &owner(&row.kid), &row.sealed_key)?;
    let pem = String::from_utf8(pem)?;
    CoreRsaPrivateSigningKey::from_pem(&pem, Some(JsonWebKeyId::new(row.kid.clone())))
        .map_err(anyhow::Error::msg)
}
