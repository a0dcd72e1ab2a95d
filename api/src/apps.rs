use serde::{Deserialize, Serialize};

/// Whether an app keeps a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppKind {
    /// "Web app with a secret": its server authenticates with the secret.
    WebApp,
    /// "App without a secret (PKCE only)": a single-page or native app.
    PublicApp,
}

/// `POST /api/companies/{id}/apps`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAppRequest {
    pub name: String,
    /// One exact URL per line.
    pub redirect_uris: String,
    /// Where the app may send people after signing out, one per line.
    #[serde(default)]
    pub logout_uris: String,
    pub kind: AppKind,
    /// Only people who signed in with a second factor may use the app.
    #[serde(default)]
    pub require_mfa: bool,
}

/// An app, for the company's admins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppSummary {
    pub id: i64,
    pub name: String,
    pub client_id: String,
    pub kind: AppKind,
    pub redirect_uris: Vec<String>,
    pub logout_uris: Vec<String>,
    pub require_mfa: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// `GET /api/companies/{id}/apps`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppList {
    pub apps: Vec<AppSummary>,
}

/// A new app, or a new secret: the secret is shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppCredentials {
    pub app: AppSummary,
    pub client_secret: Option<String>,
}

/// `GET /api/oidc/authorization?<the app's authorization request>`: what
/// the sign-in page shows for an app's request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorizationView {
    /// The app's name, when the request names a registered app.
    pub app: Option<String>,
    pub verdict: AuthorizationVerdict,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum AuthorizationVerdict {
    /// Sign in (or finish signing in), then continue to the app.
    SignIn,
    /// Signed in as the app needs: continue to it.
    Continue,
    /// The app cannot have this sign-in.
    Refused {
        reason: AuthorizationRefusal,
        /// Where "Return to the app" goes (the app learns `access_denied`);
        /// none when the request did not name a registered redirect URI.
        return_to: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthorizationRefusal {
    /// Not an app of ours, or a redirect URI it did not register.
    InvalidRequest,
    /// The person is not a member of the app's company.
    NotAMember,
    /// The app needs a second factor, and this sign-in had none.
    MfaRequired,
}
