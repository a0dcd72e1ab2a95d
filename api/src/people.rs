use serde::{Deserialize, Serialize};

/// The role an invitation gives: a payee is a member with the payee flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationRole {
    Member,
    Admin,
    Payee,
}

/// `POST /api/companies/{id}/invitations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    pub email: String,
    pub name: String,
    #[serde(default = "member")]
    pub role: InvitationRole,
}

fn member() -> InvitationRole {
    InvitationRole::Member
}

/// An invitation not answered yet, for the company's admins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: InvitationRole,
    /// The admin who sent it last (none: the server's operator).
    pub invited_by: Option<String>,
    /// When it was sent last (Unix seconds).
    pub sent_at: i64,
    pub expires_at: i64,
    /// Past `expires_at`: "Resend invitation" makes a new link.
    pub expired: bool,
}

/// `GET /api/companies/{id}/invitations`: newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitations {
    pub invitations: Vec<PendingInvitation>,
}

/// Where an invitation stands, for its link's page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Expired,
    Accepted,
    Revoked,
}

/// `GET /api/invitations/{token}`: what the link's page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub status: InvitationStatus,
    pub company: String,
    pub email: String,
    pub name: String,
    /// Who sent it, to ask for a new one (none: the server's operator).
    pub invited_by: Option<String>,
    /// An account has this email already: sign in to accept.
    pub account_exists: bool,
}

/// `POST /api/invitations/{token}/join`: a new account.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub language: Option<String>,
}
