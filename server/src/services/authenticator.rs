//! The authenticator app (TOTP): adding or replacing one, and checking the
//! codes it shows (for `answer`, at enrollment and at sign-in alike).

use mfa_api::{FactorKind, PRODUCT_NAME};

use super::Deps;
use super::answer::{CheckError, Refusal};
use super::factors;
use super::session::LiveSession;
use crate::domain::seal;
use crate::domain::totp::{self, TotpCode, TotpRejection, TotpSecret};
use crate::store::{FactorRow, Tx};

const KIND: FactorKind = FactorKind::AuthenticatorApp;

/// A pending authenticator, to scan and confirm.
#[derive(Debug)]
pub struct Enrollment {
    pub factor_id: i64,
    /// `otpauth://totp/...`, for the QR code.
    pub otpauth_uri: String,
    pub secret: TotpSecret,
}

/// A new pending authenticator with a fresh secret, replacing any earlier
/// pending one (the caller has re-authenticated). It signs nobody in until
/// confirmed with a code.
pub async fn start(deps: &Deps, session: &LiveSession) -> Result<Enrollment, CheckError> {
    let user_id = session.user_id;
    let secret = TotpSecret::generate(&mut deps.rng());
    let mut tx = deps.begin().await?;
    factors::ensure_addable(&mut tx, user_id, KIND, deps.now()).await?;
    let user = tx
        .user(user_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("user {user_id} vanished"))?;
    let factor_id = tx
        .add_pending_factor(user_id, KIND, None, deps.now())
        .await?;
    let sealed = seal::seal(
        &deps.key,
        &seal::totp_owner(user_id, factor_id),
        secret.as_bytes(),
        &mut deps.rng(),
    );
    tx.set_factor_secret(factor_id, &sealed).await?;
    tx.commit().await?;
    Ok(Enrollment {
        factor_id,
        otpauth_uri: totp::otpauth_uri(PRODUCT_NAME, &user.email, &secret),
        secret,
    })
}

fn open_secret(deps: &Deps, user_id: i64, factor: &FactorRow) -> anyhow::Result<TotpSecret> {
    let secret = seal::open(
        &deps.key,
        &seal::totp_owner(user_id, factor.id),
        &factor.secret_sealed,
    )
    .map_err(|e| anyhow::Error::new(e).context(format!("authenticator {}", factor.id)))?;
    Ok(TotpSecret::from_bytes(secret))
}

/// Checks `code` against the factor's secret and claims its time step with a
/// conditional write, so of concurrent requests with one code exactly one
/// is accepted. A wrong code that is right at another time says how far
/// off the phone's clock seems. `None` when the code is right.
pub(super) async fn check_code(
    tx: &mut Tx,
    deps: &Deps,
    user_id: i64,
    factor: &FactorRow,
    code: &TotpCode,
) -> anyhow::Result<Option<Refusal>> {
    let secret = open_secret(deps, user_id, factor)?;
    let now = deps.now();
    Ok(match totp::verify(&secret, code, now, factor.last_step) {
        Ok(step) if tx.claim_factor_step(factor.id, step).await? => None,
        Ok(_) | Err(TotpRejection::Replayed) => Some(Refusal::Replayed),
        Err(TotpRejection::Wrong) => Some(Refusal::Wrong {
            clock_drift: totp::clock_drift(&secret, code, now),
        }),
    })
}
