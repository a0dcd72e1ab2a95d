use serde::{Deserialize, Serialize};

/// `PUT /api/me/password`: the current password (always typed again, a
/// recent re-authentication is not enough) and the new one.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/password-reset`: where to send a reset link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForgotPasswordRequest {
    pub email: String,
    /// The language the app is shown in (`en`, `fr`), for an email to
    /// someone the server does not know the language of yet.
    #[serde(default)]
    pub language: Option<String>,
}

/// `POST /api/password-reset/{token}`: the new password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetPasswordRequest {
    pub password: String,
}

/// Why a chosen password is easy to guess, as codes the app words in the
/// reader's language (zxcvbn's warning and suggestions).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordFeedback {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    #[serde(default)]
    pub suggestions: Vec<String>,
}
