//! A company's members, for its admins: the list (paged and filtered on
//! the server, like readiness), a member's role changed, a member removed
//! from the company (their account stays, for other companies). The
//! company keeps at least one admin. Each change is audited and emailed to
//! the member concerned.

use mfa_api::{CompanyRole, READINESS_PAGE_SIZE, ReadinessQuery, ReadinessSort};

use super::company_policy::{self, PolicyError};
use super::notify::{self, Recipient};
use super::rollout::{self, Readiness};
use super::session::LiveSession;
use super::{Deps, internal_error};
use crate::domain::invitation;
use crate::mail::templates::{EmailContent, MembershipChange};
use crate::store::{AuditKind, Tx};

#[derive(Debug, thiserror::Error)]
pub enum MembersError {
    #[error("only the company's admins may do this")]
    Forbidden,
    /// Not a member of this company.
    #[error("no such member")]
    NotFound,
    /// The change would leave the company without an admin.
    #[error("the company's last admin stays an admin")]
    LastAdmin,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(MembersError);

impl From<PolicyError> for MembersError {
    fn from(e: PolicyError) -> Self {
        match e {
            PolicyError::Internal(e) => Self::Internal(e),
            PolicyError::NotAMember => Self::NotFound,
            _ => Self::Forbidden,
        }
    }
}

/// One page of the company's members, by name, filtered by name or email.
pub async fn list(
    deps: &Deps,
    session: &LiveSession,
    company_id: i64,
    filter: &str,
    page: u32,
) -> Result<Readiness, MembersError> {
    let query = ReadinessQuery {
        filter: filter.to_owned(),
        everyone: true,
        sort: ReadinessSort::Name,
        descending: false,
        page,
    };
    Ok(rollout::readiness(deps, session, company_id, &query).await?)
}

/// The role a membership gives.
pub fn role_of(is_admin: bool, payee: bool) -> CompanyRole {
    match (is_admin, payee) {
        (true, _) => CompanyRole::Admin,
        (false, true) => CompanyRole::Payee,
        (false, false) => CompanyRole::Member,
    }
}

/// The member's current role, and the company's name; `NotFound` when
/// they are not in it.
async fn membership(
    tx: &mut Tx,
    company_id: i64,
    user_id: i64,
) -> Result<(CompanyRole, String), MembersError> {
    tx.memberships(user_id)
        .await?
        .into_iter()
        .find(|m| m.company_id == company_id)
        .map(|m| (role_of(m.is_admin, m.payee), m.company_name))
        .ok_or(MembersError::NotFound)
}

/// Changes a member's role (the admin has confirmed their password).
pub async fn change_role(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    company_id: i64,
    user_id: i64,
    role: CompanyRole,
) -> Result<(), MembersError> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    company_policy::admin_of(&mut tx, session.user_id, company_id).await?;
    let (before, company) = membership(&mut tx, company_id, user_id).await?;
    if before == role {
        return Ok(());
    }
    if before == CompanyRole::Admin && tx.company_admins(company_id).await? <= 1 {
        return Err(MembersError::LastAdmin);
    }
    let (is_admin, payee) = invitation::membership(invitation::role_name(role));
    // (A new duty, a payee's, applies to their open sessions at once.)
    tx.upsert_membership(user_id, company_id, is_admin, payee, now)
        .await?;
    tx.audit_in(
        company_id,
        Some(session.user_id),
        AuditKind::MemberRoleChanged,
        &format!(
            "company={company_id} member={user_id} role={}",
            invitation::role_name(role)
        ),
        ip,
        now,
    )
    .await?;
    tell(
        &mut tx,
        user_id,
        &company,
        MembershipChange::Role { role },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member from the company (the admin has confirmed their
/// password): their membership goes and their sessions end; their account
/// stays for the other companies they belong to.
pub async fn remove(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    company_id: i64,
    user_id: i64,
) -> Result<(), MembersError> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    company_policy::admin_of(&mut tx, session.user_id, company_id).await?;
    let (before, company) = membership(&mut tx, company_id, user_id).await?;
    if before == CompanyRole::Admin && tx.company_admins(company_id).await? <= 1 {
        return Err(MembersError::LastAdmin);
    }
    tx.delete_membership(user_id, company_id).await?;
    tx.delete_user_sessions(user_id).await?;
    tx.audit_in(
        company_id,
        Some(session.user_id),
        AuditKind::MemberRemoved,
        &format!("company={company_id} member={user_id}"),
        ip,
        now,
    )
    .await?;
    tell(&mut tx, user_id, &company, MembershipChange::Removed, now).await?;
    tx.commit().await?;
    tracing::info!(company_id, member = user_id, "member removed");
    Ok(())
}

/// Emails the member about a change to their membership.
async fn tell(
    tx: &mut Tx,
    user_id: i64,
    company: &str,
    change: MembershipChange,
    now: i64,
) -> Result<(), sqlx::Error> {
    let Some(user) = tx.user(user_id).await? else {
        return Ok(());
    };
    let content = EmailContent::Membership {
        company: company.to_owned(),
        name: user.name.clone(),
        change,
    };
    let to = Recipient {
        user_id: Some(user_id),
        email: &user.email,
        language: &user.language,
    };
    let key = format!("membership:{user_id}:{now}:{}", content.kind());
    notify::enqueue(tx, to, &content, &key, None, now, now)
        .await
        .map(drop)
}

/// Members per page of the list.
pub const PAGE_SIZE: u32 = READINESS_PAGE_SIZE;
