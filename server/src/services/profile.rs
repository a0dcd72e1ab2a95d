//! The signed-in user's view of themselves: who, where, and their second factors.

use mfa_api::{
    Company, DeadlineNotice, FactorInfo, FactorKind, Me, Membership, RecoveryCodeState, Role,
    SessionStage, TwoFactorStatus, User,
};

use super::session::LiveSession;
use super::{Deps, internal_error};
use crate::domain::clock::UnixTime;
use crate::domain::oidc::Methods;
use crate::domain::{access, deadline, passkey};
use crate::mail::templates::Language;
use crate::store::{FactorRow, MembershipRow, ProfileRow, Tx};

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The session's user is gone.
    #[error("no such user")]
    NoUser,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(ProfileError);

/// `GET /api/me`.
pub async fn me(deps: &Deps, session: &LiveSession) -> Result<Me, ProfileError> {
    let mut tx = deps.read().await?;
    let profile = load_profile(&mut tx, session.user_id, session.stage, deps.now())
        .await?
        .ok_or(ProfileError::NoUser)?;
    Ok(profile.offering_passkey(deps, &session.methods))
}

/// The user as the app shows them, and what else their row says.
pub(super) struct Profile {
    pub me: Me,
    /// The user's known-device epoch (`domain::device`).
    pub device_epoch: i64,
    passkey_offer_hidden_until: Option<i64>,
}

impl Profile {
    /// `me`, offered a passkey when signed in by `methods` warrants it
    /// (the rule is `domain::passkey::offered`).
    pub fn offering_passkey(mut self, deps: &Deps, methods: &Methods) -> Me {
        let has_passkey = self
            .me
            .two_factor
            .factors
            .iter()
            .any(|f| f.kind == FactorKind::Passkey);
        self.me.passkey_offer = deps.passkeys.is_some()
            && passkey::offered(
                methods,
                self.me.stage,
                has_passkey,
                self.passkey_offer_hidden_until,
                deps.now(),
            );
        self.me
    }
}

/// "Not now" on the passkey offer: hidden for a while.
pub async fn hide_passkey_offer(deps: &Deps, session: &LiveSession) -> Result<(), ProfileError> {
    let mut tx = deps.begin().await?;
    let until = deps.now() + passkey::OFFER_PAUSE_SECS;
    tx.hide_passkey_offer(session.user_id, until).await?;
    tx.commit().await?;
    Ok(())
}

/// The user as the app shows them, read in the caller's transaction (so an
/// operation answers with what it just wrote). `None` when the user is gone.
pub(super) async fn load(
    tx: &mut Tx,
    user_id: i64,
    stage: SessionStage,
    now: UnixTime,
) -> Result<Option<Me>, sqlx::Error> {
    Ok(load_profile(tx, user_id, stage, now)
        .await?
        .map(|profile| profile.me))
}

/// As [`load`], with the rest of the user's row.
async fn load_profile(
    tx: &mut Tx,
    user_id: i64,
    stage: SessionStage,
    now: UnixTime,
) -> Result<Option<Profile>, sqlx::Error> {
    let memberships = tx.memberships(user_id).await?;
    let factors = tx.factors(user_id).await?;
    assemble(tx, user_id, stage, now, memberships, &factors).await
}

/// The profile from the user's memberships and factors the caller read in
/// this transaction (and the user's row, read here).
pub(super) async fn assemble(
    tx: &mut Tx,
    user_id: i64,
    stage: SessionStage,
    now: UnixTime,
    memberships: Vec<MembershipRow>,
    factors: &[FactorRow],
) -> Result<Option<Profile>, sqlx::Error> {
    let Some(row) = tx.profile_row(user_id).await? else {
        return Ok(None);
    };
    let ProfileRow {
        user,
        recovery_code_at,
        device_epoch,
        passkey_offer_hidden_until,
    } = row;
    let duties = || memberships.iter().map(|m| m.mfa_duty(now));
    let requirement = access::requirement(duties(), now);
    // Factors of a method a company turned off do not count as enrolled.
    let enrolled = factors.iter().any(|f| access::counts(f.kind, duties()));
    // The banner: a company's deadline ahead, for someone not enrolled yet
    // (and not required to enroll already, as a payee is).
    let deadline = access::upcoming_deadline(duties(), now)
        .filter(|_| !enrolled && !requirement.is_required())
        .and_then(|at| {
            let m = memberships
                .iter()
                .find(|m| m.mfa_duty(now).deadline == Some(at))?;
            Some(Box::new(DeadlineNotice {
                company: m.company_name.clone(),
                deadline: at,
                date: m.enforcement_date.clone().unwrap_or_default(),
                time_zone: m.time_zone.clone(),
                days_left: deadline::days_left(at, now),
            }))
        });
    let two_factor = TwoFactorStatus {
        allowed_methods: access::addable(duties()).kinds(),
        enabled: !factors.is_empty(),
        requirement,
        deadline,
        factors: factors.iter().map(factor_info).collect(),
        recovery_code: recovery_code_at.map(|created_at| RecoveryCodeState { created_at }),
    };
    let me = Me {
        passkey_offer: false,
        user: User {
            id: user.id,
            email: user.email,
            name: user.name,
        },
        memberships: memberships
            .into_iter()
            .map(|m| Membership {
                company: Company {
                    id: m.company_id,
                    name: m.company_name,
                },
                role: if m.is_admin {
                    Role::Admin
                } else {
                    Role::Member
                },
                payee: m.payee,
            })
            .collect(),
        stage,
        two_factor,
    };
    Ok(Some(Profile {
        me,
        device_epoch,
        passkey_offer_hidden_until,
    }))
}

/// As [`load`], for operations whose user must exist (they just read it).
pub(super) async fn load_existing(
    tx: &mut Tx,
    user_id: i64,
    stage: SessionStage,
    now: UnixTime,
) -> anyhow::Result<Me> {
    load(tx, user_id, stage, now)
        .await?
        .ok_or_else(|| anyhow::anyhow!("user {user_id} vanished during an operation"))
}

fn factor_info(row: &FactorRow) -> FactorInfo {
    FactorInfo {
        id: row.id,
        kind: row.kind,
        label: row.label.clone(),
        added_at: row.confirmed_at.unwrap_or(row.created_at),
        last_used_at: row.last_used_at,
        preferred: row.preferred,
    }
}

/// Keeps the language the person reads the app in, for their emails.
pub async fn set_language(
    deps: &Deps,
    session: &LiveSession,
    language: Language,
) -> Result<(), ProfileError> {
    let mut tx = deps.begin().await?;
    tx.set_user_language(session.user_id, language.code())
        .await?;
    tx.commit().await?;
    Ok(())
}
