//! "Import members": a CSV file of people to invite. The preview says, per
//! row, whether an invitation will go, or why not (a member already,
//! invited already, or what is wrong with the row); importing invites the
//! rows the preview would, checked again, a slice per transaction.
//! Importing the same file again invites nobody twice.

use std::collections::HashSet;

use mfa_api::{CompanyRole, ImportRow, ImportStatus};

use super::Deps;
use super::company_policy;
use super::invitations::{self, InviteError};
use super::session::LiveSession;
use crate::domain::invitation::{self as rule, Standing};
use crate::domain::member_import::{self, FileError};
use crate::store::{AuditKind, Tx};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Invite(#[from] InviteError),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        Self::Invite(e.into())
    }
}

/// Rows invited per transaction.
const SLICE: usize = 500;

/// What importing `csv` would do, row by row.
pub async fn preview(
    deps: &Deps,
    session: &LiveSession,
    company_id: i64,
    csv: &str,
) -> Result<Vec<ImportRow>, ImportError> {
    let rows = member_import::parse(csv)?;
    let mut tx = deps.read().await?;
    company_policy::admin_of(&mut tx, session.user_id, company_id)
        .await
        .map_err(InviteError::from)?;
    let taken = Taken::of(&mut tx, company_id, deps.now()).await?;
    Ok(rows.into_iter().map(|row| taken.judge(row)).collect())
}

/// Invites every row the preview says will be invited; how many.
pub async fn import(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    company_id: i64,
    csv: &str,
) -> Result<usize, ImportError> {
    let rows = preview(deps, session, company_id, csv).await?;
    let invite: Vec<&ImportRow> = rows
        .iter()
        .filter(|r| r.status == ImportStatus::Invite)
        .collect();
    let mut invited = 0;
    for slice in invite.chunks(SLICE) {
        let mut tx = deps.begin().await?;
        company_policy::admin_of(&mut tx, session.user_id, company_id)
            .await
            .map_err(InviteError::from)?;
        for row in slice {
            let email = crate::domain::email::Email::parse(&row.email)
                .map_err(|e| InviteError::Internal(anyhow::anyhow!("{e}")))?;
            let role = row.role.unwrap_or(CompanyRole::Member);
            match invitations::invite_in(
                &mut tx,
                deps,
                session.user_id,
                company_id,
                &email,
                &row.name,
                role,
            )
            .await
            {
                // Made meanwhile by someone else: nothing to do.
                Err(InviteError::AlreadyMember | InviteError::AlreadyInvited) => {}
                Err(e) => return Err(e.into()),
                Ok(_) => invited += 1,
            }
        }
        tx.commit().await?;
    }
    let mut tx = deps.begin().await?;
    tx.audit_in(
        company_id,
        Some(session.user_id),
        AuditKind::InvitationSent,
        &format!(
            "company={company_id} imported={invited} rows={}",
            rows.len()
        ),
        ip,
        deps.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(invited)
}

/// The company's members' and pending invitations' addresses.
struct Taken {
    members: HashSet<String>,
    invited: HashSet<String>,
}

impl Taken {
    async fn of(tx: &mut Tx, company_id: i64, now: i64) -> Result<Self, sqlx::Error> {
        let members = tx
            .company_members(company_id)
            .await?
            .into_iter()
            .map(|m| m.email)
            .collect();
        let invited = tx
            .pending_invitations(company_id)
            .await?
            .into_iter()
            .filter(|i| rule::standing(&i.state, i.expires_at, now) == Standing::Pending)
            .map(|i| i.email)
            .collect();
        Ok(Self { members, invited })
    }

    fn judge(&self, row: member_import::ImportRow) -> ImportRow {
        let (role, status, error) = match &row.outcome {
            Err(why) => (None, ImportStatus::Error, Some(why.code().to_owned())),
            Ok((email, role)) if self.members.contains(email.as_str()) => {
                (Some(*role), ImportStatus::AlreadyMember, None)
            }
            Ok((email, role)) if self.invited.contains(email.as_str()) => {
                (Some(*role), ImportStatus::AlreadyInvited, None)
            }
            Ok((_, role)) => (Some(*role), ImportStatus::Invite, None),
        };
        let email = match &row.outcome {
            Ok((email, _)) => email.as_str().to_owned(),
            Err(_) => row.email,
        };
        ImportRow {
            line: row.line,
            email,
            name: row.name,
            role,
            status,
            error,
        }
    }
}
