//! Invitations: a company's admins invite people by email (and the
//! operator invites a new company's first admin); the emailed link lets the
//! person choose a password and join, or, with an account already, sign in
//! and accept. Inviting changes nobody's access until it is accepted; the
//! company's rules apply from the first sign-in on.

use mfa_api::{CompanyRole, Me};

use super::company_policy::{self, PolicyError};
use super::notify::{self, Recipient};
use super::session::LiveSession;
use super::sign_in::{self, PasswordAccepted, SignInError};
use super::{Deps, hash_error, internal_error, profile};
use crate::domain::clock::UnixTime;
use crate::domain::email::Email;
use crate::domain::invitation::{self, Standing};
use crate::domain::link_token::LinkToken;
use crate::domain::password::{self, PasswordRejected};
use crate::domain::seal;
use crate::domain::slow_hash::Salt;
use crate::mail::templates::{EmailContent, Language};
use crate::store::{AuditKind, InvitationRow, NewInvitation, Tx};

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    /// Not an admin of that company (or no such company).
    #[error("only the company's admins may do this")]
    Forbidden,
    #[error("already a member of the company")]
    AlreadyMember,
    #[error("an invitation to this address is waiting already")]
    AlreadyInvited,
    /// No such invitation (of this company), or not pending any more.
    #[error("no such invitation")]
    NotFound,
    /// The link expired, was used, revoked or replaced.
    #[error("the invitation no longer works")]
    LinkExpired,
    /// An account has the email: sign in to accept.
    #[error("an account has this email already")]
    AccountExists,
    /// Signed in as someone else than the invited address.
    #[error("this invitation is for another address")]
    WrongAccount,
    #[error("enter a name (1 to 100 characters)")]
    Name,
    #[error("a company with this name exists already")]
    CompanyExists,
    #[error(transparent)]
    Rejected(#[from] PasswordRejected),
    /// Too many hashes are waiting: try again in a moment.
    #[error("the server is busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(InviteError);
hash_error!(InviteError);

impl From<PolicyError> for InviteError {
    fn from(e: PolicyError) -> Self {
        match e {
            PolicyError::Internal(e) => Self::Internal(e),
            _ => Self::Forbidden,
        }
    }
}

impl From<SignInError> for InviteError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::Busy => Self::Busy,
            SignInError::Internal(e) => Self::Internal(e),
            other => Self::Internal(anyhow::anyhow!("{other}")),
        }
    }
}

/// A person's name as typed: trimmed, 1 to 100 characters.
fn person_name(name: &str) -> Result<&str, InviteError> {
    let name = name.trim();
    match name.chars().count() {
        1..=100 => Ok(name),
        _ => Err(InviteError::Name),
    }
}

/// An admin invites `email` to their company (no password needed: nobody's
/// access changes until the invitation is accepted).
pub async fn invite(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    company_id: i64,
    email: &Email,
    name: &str,
    role: CompanyRole,
) -> Result<InvitationRow, InviteError> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    company_policy::admin_of(&mut tx, session.user_id, company_id).await?;
    let row = invite_in(
        &mut tx,
        deps,
        session.user_id,
        company_id,
        email,
        name,
        role,
    )
    .await?;
    tx.audit_in(
        company_id,
        Some(session.user_id),
        AuditKind::InvitationSent,
        &format!(
            "company={company_id} invitation={} role={}",
            row.id, row.role
        ),
        ip,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(company_id, invitation_id = row.id, "invitation sent");
    Ok(row)
}

/// An invitation from `inviter` (an admin of the company: the caller
/// checked), made and emailed in the caller's transaction.
pub(super) async fn invite_in(
    tx: &mut Tx,
    deps: &Deps,
    inviter: i64,
    company_id: i64,
    email: &Email,
    name: &str,
    role: CompanyRole,
) -> Result<InvitationRow, InviteError> {
    let name = person_name(name)?;
    let now = deps.now();
    if let Some(user_id) = tx.user_id_by_email(email).await?
        && tx
            .memberships(user_id)
            .await?
            .iter()
            .any(|m| m.company_id == company_id)
    {
        return Err(InviteError::AlreadyMember);
    }
    if let Some(waiting) = tx.pending_invitation(company_id, email.as_str()).await? {
        if invitation::standing(&waiting.state, waiting.expires_at, now) == Standing::Pending {
            return Err(InviteError::AlreadyInvited);
        }
        // Expired unanswered: a new invitation takes its place.
        tx.end_invitation(waiting.id, "revoked", now).await?;
    }
    let language = language_of(tx, inviter).await?;
    let invitee = Invitee { email, name, role };
    let (row, _) = create(tx, deps, company_id, invitee, Some(inviter), &language).await?;
    Ok(row)
}

/// Who is invited, as what.
struct Invitee<'a> {
    email: &'a Email,
    name: &'a str,
    role: CompanyRole,
}

/// A new pending invitation, valid seven days, and its email (in
/// `language`, sealed link and all); its token, for the operator to print.
async fn create(
    tx: &mut Tx,
    deps: &Deps,
    company_id: i64,
    Invitee { email, name, role }: Invitee<'_>,
    invited_by: Option<i64>,
    language: &str,
) -> Result<(InvitationRow, LinkToken), InviteError> {
    let now = deps.now();
    let token = LinkToken::generate(&mut deps.rng());
    let id = tx
        .insert_invitation(&NewInvitation {
            company_id,
            email: email.as_str(),
            name,
            role: invitation::role_name(role),
            token_hash: &token.hash(),
            invited_by,
            now,
            expires_at: now + invitation::LIFETIME_SECS,
        })
        .await?;
    let row = tx
        .invitation(company_id, id)
        .await?
        .ok_or(InviteError::NotFound)?;
    send(tx, deps, &row, &token, language, now).await?;
    Ok((row, token))
}

/// Queues the invitation's email, its token sealed, in `language` (the
/// inviting admin's, until the person chooses their own).
async fn send(
    tx: &mut Tx,
    deps: &Deps,
    row: &InvitationRow,
    token: &LinkToken,
    language: &str,
    now: UnixTime,
) -> Result<(), sqlx::Error> {
    let content = EmailContent::Invitation {
        company: row.company_name.clone(),
        invited_by: row.invited_by.as_ref().map(|(name, _)| name.clone()),
        name: row.name.clone(),
        invitation_id: row.id,
        token_sealed: seal::seal(
            &deps.key,
            &seal::invitation_owner(row.id),
            token.text().as_bytes(),
            &mut deps.rng(),
        ),
        expires_at: row.expires_at,
    };
    let to = Recipient {
        user_id: None,
        email: &row.email,
        language,
    };
    let key = format!("invitation:{}:{}", row.id, &token.hash()[..16]);
    notify::enqueue(tx, to, &content, &key, None, now, now).await?;
    Ok(())
}

/// The language a user reads in.
async fn language_of(tx: &mut Tx, user_id: i64) -> Result<String, sqlx::Error> {
    Ok(tx
        .user(user_id)
        .await?
        .map_or_else(|| Language::En.code().to_owned(), |u| u.language))
}

/// The company's pending invitations (its admins only), newest first.
pub async fn pending(
    deps: &Deps,
    session: &LiveSession,
    company_id: i64,
) -> Result<Vec<InvitationRow>, InviteError> {
    let mut tx = deps.read().await?;
    company_policy::admin_of(&mut tx, session.user_id, company_id).await?;
    Ok(tx.pending_invitations(company_id).await?)
}

/// "Resend invitation": a new link (the old one stops working), valid
/// seven days from now.
pub async fn resend(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    company_id: i64,
    id: i64,
) -> Result<InvitationRow, InviteError> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    company_policy::admin_of(&mut tx, session.user_id, company_id).await?;
    let token = LinkToken::generate(&mut deps.rng());
    let renewed = tx
        .renew_invitation(
            id,
            &token.hash(),
            Some(session.user_id),
            now,
            now + invitation::LIFETIME_SECS,
        )
        .await?;
    let row = tx
        .invitation(company_id, id)
        .await?
        .filter(|_| renewed)
        .ok_or(InviteError::NotFound)?;
    let language = language_of(&mut tx, session.user_id).await?;
    send(&mut tx, deps, &row, &token, &language, now).await?;
    tx.audit_in(
        company_id,
        Some(session.user_id),
        AuditKind::InvitationSent,
        &format!("company={company_id} invitation={id} resent"),
        ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// "Revoke invitation": its link stops working.
pub async fn revoke(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    company_id: i64,
    id: i64,
) -> Result<(), InviteError> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    company_policy::admin_of(&mut tx, session.user_id, company_id).await?;
    let ours = tx.invitation(company_id, id).await?.is_some();
    if !ours || !tx.end_invitation(id, "revoked", now).await? {
        return Err(InviteError::NotFound);
    }
    tx.audit_in(
        company_id,
        Some(session.user_id),
        AuditKind::InvitationRevoked,
        &format!("company={company_id} invitation={id}"),
        ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What the link's page shows: the invitation whatever its standing, and
/// whether an account has its email. Unknown links are `NotFound`.
pub async fn view(
    deps: &Deps,
    token: &LinkToken,
) -> Result<(InvitationRow, Standing, bool), InviteError> {
    let mut tx = deps.read().await?;
    let row = tx
        .invitation_by_token(&token.hash())
        .await?
        .ok_or(InviteError::NotFound)?;
    let standing = invitation::standing(&row.state, row.expires_at, deps.now());
    let email = Email::parse(&row.email).map_err(|e| anyhow::anyhow!("stored email: {e}"))?;
    let account = tx.user_id_by_email(&email).await?.is_some();
    Ok((row, standing, account))
}

/// The invitation behind `token`, still pending, locked in `tx`.
async fn pending_by_token(
    tx: &mut Tx,
    token: &LinkToken,
    now: UnixTime,
) -> Result<InvitationRow, InviteError> {
    let row = tx
        .invitation_by_token(&token.hash())
        .await?
        .ok_or(InviteError::LinkExpired)?;
    match invitation::standing(&row.state, row.expires_at, now) {
        Standing::Pending => Ok(row),
        _ => Err(InviteError::LinkExpired),
    }
}

/// "Create account": a new account with the chosen password, in the
/// invitation's company with its role, signed in at once (the company's
/// rules apply: a payee, or a member past the deadline, must enroll). A
/// password the rule refuses leaves the invitation as it was.
pub async fn join(
    deps: &Deps,
    attempt: sign_in::Attempt<'_>,
    token: &LinkToken,
    name: &str,
    password: String,
) -> Result<PasswordAccepted, InviteError> {
    let name = person_name(name)?.to_owned();
    let row = {
        let mut tx = deps.read().await?;
        pending_by_token(&mut tx, token, deps.now()).await?
    };
    let email = Email::parse(&row.email).map_err(|e| anyhow::anyhow!("stored email: {e}"))?;
    let chosen = password::choose(password, &[email.as_str(), &name])?;
    let salt = Salt::generate(&mut deps.rng());
    let hash = deps
        .hashing
        .run(move |memory| password::hash(&chosen, salt, memory))
        .await??;
    let now = deps.now();
    let mut tx = deps.begin().await?;
    let row = pending_by_token(&mut tx, token, now).await?;
    if tx.user_id_by_email(&email).await?.is_some() {
        return Err(InviteError::AccountExists);
    }
    if !tx.end_invitation(row.id, "accepted", now).await? {
        return Err(InviteError::LinkExpired);
    }
    let user_id = tx.create_user(&email, &name, &hash, now).await?;
    let (is_admin, payee) = invitation::membership(&row.role);
    tx.upsert_membership(user_id, row.company_id, is_admin, payee, now)
        .await?;
    tx.audit_in(
        row.company_id,
        Some(user_id),
        AuditKind::InvitationAccepted,
        &format!(
            "company={} invitation={} new_account",
            row.company_id, row.id
        ),
        attempt.ip,
        now,
    )
    .await?;
    tracing::info!(user_id, company_id = row.company_id, "joined a company");
    Ok(sign_in::accepted(tx, deps, attempt, user_id, 0).await?)
}

/// The signed-in person accepts an invitation to their own address: the
/// membership is added (their password stays theirs).
pub async fn accept(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    token: &LinkToken,
) -> Result<Me, InviteError> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    let row = pending_by_token(&mut tx, token, now).await?;
    let user = tx
        .user(session.user_id)
        .await?
        .ok_or(InviteError::WrongAccount)?;
    if user.email != row.email {
        return Err(InviteError::WrongAccount);
    }
    if !tx.end_invitation(row.id, "accepted", now).await? {
        return Err(InviteError::LinkExpired);
    }
    let already = tx
        .memberships(session.user_id)
        .await?
        .iter()
        .any(|m| m.company_id == row.company_id);
    if !already {
        let (is_admin, payee) = invitation::membership(&row.role);
        tx.upsert_membership(session.user_id, row.company_id, is_admin, payee, now)
            .await?;
    }
    tx.audit_in(
        row.company_id,
        Some(session.user_id),
        AuditKind::InvitationAccepted,
        &format!(
            "company={} invitation={} existing_account",
            row.company_id, row.id
        ),
        ip,
        now,
    )
    .await?;
    let me = profile::load_existing(&mut tx, session.user_id, session.stage, now).await?;
    tx.commit().await?;
    Ok(me)
}

/// The operator's `create-company`: the company and an invitation for its
/// first admin (emailed); the link, to print once.
pub async fn create_company(
    deps: &Deps,
    name: &str,
    admin_email: &Email,
    admin_name: Option<&str>,
) -> Result<String, InviteError> {
    let company = name.trim();
    if company.is_empty() || company.chars().count() > 200 {
        return Err(InviteError::Name);
    }
    let admin_name = match admin_name {
        Some(name) => person_name(name)?.to_owned(),
        None => admin_email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned(),
    };
    let now = deps.now();
    let mut tx = deps.begin().await?;
    if tx.company_named(company).await?.is_some() {
        return Err(InviteError::CompanyExists);
    }
    let company_id = tx.create_company(company, now).await?;
    let invitee = Invitee {
        email: admin_email,
        name: &admin_name,
        role: CompanyRole::Admin,
    };
    let (row, token) = create(
        &mut tx,
        deps,
        company_id,
        invitee,
        None,
        Language::En.code(),
    )
    .await?;
    tx.audit_in(
        company_id,
        None,
        AuditKind::InvitationSent,
        &format!(
            "company={company_id} invitation={} role=admin by_operator",
            row.id
        ),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(format!("{}/invitation/{}", deps.public_url, token.text()))
}
