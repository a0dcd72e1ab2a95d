use serde::{Deserialize, Serialize};

/// A person's role in a company (the one an invitation gives): a payee is
/// a member with the payee flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CompanyRole {
    Member,
    Admin,
    Payee,
}

/// `POST /api/companies/{id}/invitations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteRequest {
    pub email: String,
    pub name: String,
    #[serde(default = "member")]
    pub role: CompanyRole,
}

fn member() -> CompanyRole {
    CompanyRole::Member
}

/// An invitation not answered yet, for the company's admins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingInvitation {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: CompanyRole,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitations {
    pub invitations: Vec<PendingInvitation>,
}

/// Where an invitation stands, for its link's page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Expired,
    Accepted,
    Revoked,
}

/// `GET /api/invitations/{token}`: what the link's page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinRequest {
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub language: Option<String>,
}

/// `PUT /api/companies/{id}/members/{user}/role`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleRequest {
    pub role: CompanyRole,
}

/// One member, for the company's admins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberSummary {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: CompanyRole,
    /// Has a second factor.
    pub enrolled: bool,
    pub last_sign_in_at: Option<i64>,
}

/// `GET /api/companies/{id}/members?filter=&page=1`: one page (50) of the
/// members matching the filter (name or email), by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompanyMembers {
    pub matching: usize,
    pub page: u32,
    pub members: Vec<MemberSummary>,
}

/// The query of `GET /api/companies/{id}/members`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema, utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct MembersQuery {
    #[serde(default)]
    pub filter: String,
    #[serde(default = "first_page")]
    pub page: u32,
}

fn first_page() -> u32 {
    1
}

/// `POST /api/companies/{id}/imports/preview` and `.../imports`: the CSV
/// file's text (`email,name,role`, a header row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRequest {
    pub csv: String,
}

/// What importing a row would do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// An invitation will be sent.
    Invite,
    AlreadyMember,
    AlreadyInvited,
    /// See `error`.
    Error,
}

/// One row of the preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRow {
    /// Its line in the file (the header is line 1).
    pub line: usize,
    pub email: String,
    pub name: String,
    pub role: Option<CompanyRole>,
    pub status: ImportStatus,
    /// With `error`: `invalid_email`, `unknown_role`, `duplicate` or
    /// `missing_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The preview: a row per row of the file, and how many will be invited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportPreview {
    pub rows: Vec<ImportRow>,
    pub to_invite: usize,
}

/// `POST /api/companies/{id}/imports`: how many invitations went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportDone {
    pub invited: usize,
}
