//! The multi-step flows as plain state machines: each screen of a flow is a
//! state, each answer from the server an event. Pages hold one in a signal,
//! feed it what their actions return and render its state; the transitions
//! are tested here, on the host.

use mfa_api::{
    CodeTexted, CompanyRole, ErrorCode, FactorChange, MfaPolicyRequest, NewAppRequest,
    ReauthStatus, TotpEnrollment,
};

use crate::api::ApiError;

/// The second step of sign-in, and what follows a recovery code.
mod second_step;

use crate::passkey::PasskeyError;
pub use second_step::{AfterRecovery, Method, SecondStep};

/// Adding (or replacing) the authenticator app.
#[derive(Clone, Debug, PartialEq)]
pub enum AddAuthenticator {
    /// Asking the server for a new secret.
    Starting,
    /// The re-authentication window is closed: confirm the password, then start again.
    ConfirmPassword,
    /// "Secure your Account": scan, then type a code.
    Scan(TotpEnrollment),
    /// The first factor brought the recovery code: save it.
    SaveRecoveryCode(String),
    /// Back to the Password & Security tab.
    Done,
    Failed(ApiError),
}

impl AddAuthenticator {
    /// The answer to "start": the secret, or why not.
    pub fn started(&mut self, answer: Result<TotpEnrollment, ApiError>) {
        *self = match answer {
            Ok(enrollment) => Self::Scan(enrollment),
            Err(e) if e.is(ErrorCode::ReauthRequired) => Self::ConfirmPassword,
            Err(e) => Self::Failed(e),
        };
    }

    /// The password was confirmed: start again.
    pub fn reauthenticated(&mut self) {
        *self = Self::Starting;
    }

    /// A right code confirmed the authenticator.
    pub fn confirmed(&mut self, change: &FactorChange) {
        *self = match &change.recovery_code {
            Some(code) => Self::SaveRecoveryCode(code.0.clone()),
            None => Self::Done,
        };
    }

    pub fn recovery_code_saved(&mut self) {
        *self = Self::Done;
    }
}

/// Adding (or changing) the phone number: confirm the password when the
/// window is closed, choose the country and type the number, type the
/// texted code, then save the recovery code if this is the first factor.
#[derive(Clone, Debug, PartialEq)]
pub enum AddPhone {
    /// Asking whether the password was confirmed recently.
    Checking,
    ConfirmPassword,
    /// "Country code", "Phone number", "Send Text Message".
    EnterNumber,
    /// A code went to `to`; another may be sent from `resend_at` (Unix seconds).
    EnterCode {
        to: String,
        resend_at: i64,
    },
    SaveRecoveryCode(String),
    Done,
    Failed(ApiError),
}

impl AddPhone {
    /// The answer to "may sensitive actions go ahead now?".
    pub fn checked(&mut self, answer: Result<ReauthStatus, ApiError>) {
        *self = match answer {
            Ok(ReauthStatus {
                valid_until: Some(_),
            }) => Self::EnterNumber,
            Ok(_) => Self::ConfirmPassword,
            Err(e) => Self::Failed(e),
        };
    }

    pub fn reauthenticated(&mut self) {
        *self = Self::EnterNumber;
    }

    /// The answer to "Send Text Message" or "Resend", at `now`. Other
    /// refusals stay on the screen that asked, which shows them.
    pub fn sent(&mut self, answer: &Result<CodeTexted, ApiError>, now: i64) {
        match answer {
            Ok(texted) => {
                *self = Self::EnterCode {
                    to: texted.to.clone(),
                    resend_at: now + texted.resend_after,
                };
            }
            Err(e) if e.is(ErrorCode::ReauthRequired) => *self = Self::ConfirmPassword,
            Err(e) => {
                // Told to wait: the countdown says how long.
                if let (Self::EnterCode { resend_at, .. }, Some(wait)) =
                    (&mut *self, e.retry_after())
                {
                    *resend_at = now + wait;
                }
            }
        }
    }

    /// "Use a different number".
    pub fn change_number(&mut self) {
        *self = Self::EnterNumber;
    }

    pub fn confirmed(&mut self, change: &FactorChange) {
        *self = match &change.recovery_code {
            Some(code) => Self::SaveRecoveryCode(code.0.clone()),
            None => Self::Done,
        };
    }

    pub fn recovery_code_saved(&mut self) {
        *self = Self::Done;
    }
}

/// Adding a passkey: confirm the password when the window is closed, the
/// browser's dialog, then "Name this passkey" (the passkey is saved already,
/// under the browser's and platform's name), then the recovery code when
/// this is the first factor.
#[derive(Clone, Debug, PartialEq)]
pub enum AddPasskey {
    /// Asking whether the password was confirmed recently.
    Checking,
    ConfirmPassword,
    /// The browser's dialog is open.
    Creating,
    /// The dialog was closed, or the passkey refused: "Try again".
    Retry(PasskeyError),
    /// "Name this passkey", prefilled.
    Name {
        factor_id: i64,
        name: String,
        recovery_code: Option<String>,
    },
    SaveRecoveryCode(String),
    Done,
    Failed(ApiError),
}

impl AddPasskey {
    /// "Rename" on one of the user's passkeys: only its name.
    pub fn rename(factor_id: i64, name: String) -> Self {
        Self::Name {
            factor_id,
            name,
            recovery_code: None,
        }
    }

    pub fn checked(&mut self, answer: Result<ReauthStatus, ApiError>) {
        *self = match answer {
            Ok(ReauthStatus {
                valid_until: Some(_),
            }) => Self::Creating,
            Ok(_) => Self::ConfirmPassword,
            Err(e) => Self::Failed(e),
        };
    }

    /// The password was confirmed, or "Try again".
    pub fn create(&mut self) {
        *self = Self::Creating;
    }

    /// The server's answer to the new passkey, saved under `name`.
    pub fn created(&mut self, answer: Result<FactorChange, PasskeyError>, name: String) {
        *self = match answer {
            Ok(change) => match change.factor_id {
                Some(factor_id) => Self::Name {
                    factor_id,
                    name,
                    recovery_code: change.recovery_code.map(|c| c.0),
                },
                None => Self::Failed(ApiError::BadResponse { status: 200 }),
            },
            Err(PasskeyError::Api(e)) if e.is(ErrorCode::ReauthRequired) => Self::ConfirmPassword,
            Err(e) => Self::Retry(e),
        };
    }

    /// The name was saved.
    pub fn named(&mut self) {
        *self = match self {
            Self::Name {
                recovery_code: Some(code),
                ..
            } => Self::SaveRecoveryCode(code.clone()),
            _ => Self::Done,
        };
    }

    pub fn recovery_code_saved(&mut self) {
        *self = Self::Done;
    }
}

/// Generating a new recovery code.
#[derive(Clone, Debug, PartialEq)]
pub enum NewRecoveryCode {
    Generating,
    ConfirmPassword,
    Show(String),
    Done,
    Failed(ApiError),
}

impl NewRecoveryCode {
    pub fn generated(&mut self, answer: Result<FactorChange, ApiError>) {
        *self = match answer {
            Ok(FactorChange {
                recovery_code: Some(code),
                ..
            }) => Self::Show(code.0),
            Ok(_) => Self::Failed(ApiError::BadResponse { status: 200 }),
            Err(e) if e.is(ErrorCode::ReauthRequired) => Self::ConfirmPassword,
            Err(e) => Self::Failed(e),
        };
    }

    pub fn reauthenticated(&mut self) {
        *self = Self::Generating;
    }

    pub fn saved(&mut self) {
        *self = Self::Done;
    }
}

/// A change that is confirmed first and may need the password: removing a
/// factor (its id), resetting a member's MFA, changing a member's role or
/// removing them from the company (`T` says which and whom).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Removal<T = i64> {
    #[default]
    Idle,
    /// The question ("Remove the authenticator app?") is on screen.
    Asking(T),
    ConfirmPassword(T),
    Removing(T),
    /// The server refused; the page shows why.
    Failed(ApiError),
}

impl<T: Clone> Removal<T> {
    pub fn ask(&mut self, change: T) {
        *self = Self::Asking(change);
    }

    pub fn cancel(&mut self) {
        *self = Self::Idle;
    }

    /// Confirmed (or the password, after it was asked for): the change to
    /// make now.
    pub fn proceed(&mut self) -> Option<T> {
        match self {
            Self::Asking(change) | Self::ConfirmPassword(change) => {
                let change = change.clone();
                *self = Self::Removing(change.clone());
                Some(change)
            }
            _ => None,
        }
    }

    pub fn finished<A>(&mut self, answer: &Result<A, ApiError>) {
        let Self::Removing(change) = self else {
            return;
        };
        *self = match answer {
            Ok(_) => Self::Idle,
            Err(e) if e.is(ErrorCode::ReauthRequired) => Self::ConfirmPassword(change.clone()),
            Err(e) => Self::Failed(e.clone()),
        };
    }

    pub fn error(&self) -> Option<&ApiError> {
        match self {
            Self::Failed(e) => Some(e),
            _ => None,
        }
    }
}

/// What an admin changes about a member, from Company Settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberChange {
    Role {
        user_id: i64,
        name: String,
        role: CompanyRole,
    },
    Remove {
        user_id: i64,
        name: String,
    },
}

/// What an admin changes about the company's apps (each needs the password
/// confirmed recently; rotating and deleting are asked first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppChange {
    Add(NewAppRequest),
    Rotate { id: i64, name: String },
    Delete { id: i64, name: String },
}

/// Saving a company's policy: when the server wants the admin's password
/// first, the change waits while it is confirmed, then goes again as it was.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum PolicySave {
    #[default]
    Idle,
    ConfirmPassword(MfaPolicyRequest),
}

impl PolicySave {
    /// The server's answer to saving `request`.
    pub fn answered<T>(&mut self, request: &MfaPolicyRequest, answer: &Result<T, ApiError>) {
        *self = match answer {
            Err(e) if e.is(ErrorCode::ReauthRequired) => Self::ConfirmPassword(request.clone()),
            _ => Self::Idle,
        };
    }

    /// The password was confirmed: the change to save now.
    pub fn reauthenticated(&mut self) -> Option<MfaPolicyRequest> {
        match std::mem::take(self) {
            Self::ConfirmPassword(request) => Some(request),
            Self::Idle => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use mfa_api::{Me, RecoveryCodeText, SessionStage, TwoFactorStatus, User};

    use super::*;

    fn enrollment() -> TotpEnrollment {
        TotpEnrollment {
            factor_id: 3,
            otpauth_uri: "otpauth://totp/x".into(),
            secret: "ABCD".into(),
        }
    }

    fn change(code: Option<&str>) -> FactorChange {
        FactorChange {
            me: Me {
                user: User {
                    id: 1,
                    email: "a@b.test".into(),
                    name: "A".into(),
                },
                memberships: vec![],
                stage: SessionStage::Full,
                two_factor: TwoFactorStatus::default(),
                passkey_offer: false,
            },
            recovery_code: code.map(|c| RecoveryCodeText(c.into())),
            factor_id: None,
        }
    }

    #[test]
    fn adding_an_authenticator_asks_for_the_password_when_needed() {
        let mut flow = AddAuthenticator::Starting;
        flow.started(Err(ApiError::server(ErrorCode::ReauthRequired)));
        assert_eq!(flow, AddAuthenticator::ConfirmPassword);
        flow.reauthenticated();
        assert_eq!(flow, AddAuthenticator::Starting);
        flow.started(Ok(enrollment()));
        assert_eq!(flow, AddAuthenticator::Scan(enrollment()));
        flow.confirmed(&change(Some("AAAA-BBBB-CCCC-DDDD")));
        assert_eq!(
            flow,
            AddAuthenticator::SaveRecoveryCode("AAAA-BBBB-CCCC-DDDD".into())
        );
        flow.recovery_code_saved();
        assert_eq!(flow, AddAuthenticator::Done);
    }

    #[test]
    fn a_replacement_authenticator_brings_no_recovery_code() {
        let mut flow = AddAuthenticator::Scan(enrollment());
        flow.confirmed(&change(None));
        assert_eq!(flow, AddAuthenticator::Done);
        let mut flow = AddAuthenticator::Starting;
        flow.started(Err(ApiError::Network));
        assert_eq!(flow, AddAuthenticator::Failed(ApiError::Network));
    }

    #[test]
    fn a_new_recovery_code_is_shown_once_saved() {
        let mut flow = NewRecoveryCode::Generating;
        flow.generated(Err(ApiError::server(ErrorCode::ReauthRequired)));
        assert_eq!(flow, NewRecoveryCode::ConfirmPassword);
        flow.reauthenticated();
        flow.generated(Ok(change(Some("AAAA-BBBB-CCCC-DDDD"))));
        assert_eq!(flow, NewRecoveryCode::Show("AAAA-BBBB-CCCC-DDDD".into()));
        flow.saved();
        assert_eq!(flow, NewRecoveryCode::Done);
        let mut flow = NewRecoveryCode::Generating;
        flow.generated(Ok(change(None)));
        assert!(matches!(flow, NewRecoveryCode::Failed(_)));
    }

    #[test]
    fn removal_asks_then_confirms_the_password_if_needed() {
        let mut flow = Removal::default();
        assert_eq!(flow.proceed(), None, "nothing asked yet");
        flow.ask(7);
        flow.cancel();
        assert_eq!(flow, Removal::Idle);
        flow.ask(7);
        assert_eq!(flow.proceed(), Some(7));
        flow.finished::<()>(&Err(ApiError::server(ErrorCode::ReauthRequired)));
        assert_eq!(flow, Removal::ConfirmPassword(7));
        assert_eq!(flow.proceed(), Some(7));
        flow.finished::<()>(&Err(ApiError::server(ErrorCode::FactorRequired)));
        assert_eq!(
            flow.error(),
            Some(&ApiError::server(ErrorCode::FactorRequired))
        );
        flow.ask(7);
        flow.proceed();
        flow.finished(&Ok(()));
        assert_eq!(flow, Removal::Idle);
    }

    fn texted(resend_after: i64) -> Result<CodeTexted, ApiError> {
        Ok(CodeTexted {
            to: "+33 • •• •• •• 78".into(),
            resend_after,
            expires_at: 0,
        })
    }

    #[test]
    fn adding_a_phone_asks_for_the_password_only_when_needed() {
        let mut flow = AddPhone::Checking;
        flow.checked(Ok(ReauthStatus { valid_until: None }));
        assert_eq!(flow, AddPhone::ConfirmPassword);
        flow.reauthenticated();
        assert_eq!(flow, AddPhone::EnterNumber);
        let mut open = AddPhone::Checking;
        open.checked(Ok(ReauthStatus {
            valid_until: Some(5),
        }));
        assert_eq!(open, AddPhone::EnterNumber);
    }

    #[test]
    fn a_texted_code_counts_down_to_resend_then_brings_the_recovery_code() {
        let mut flow = AddPhone::EnterNumber;
        flow.sent(&Err(ApiError::server(ErrorCode::InvalidPhoneNumber)), 100);
        assert_eq!(flow, AddPhone::EnterNumber, "the form shows the error");
        flow.sent(&texted(60), 100);
        assert_eq!(
            flow,
            AddPhone::EnterCode {
                to: "+33 • •• •• •• 78".into(),
                resend_at: 160
            }
        );
        let wait = ApiError::Server {
            status: 429,
            code: ErrorCode::TooManyTexts,
            locked_until: None,
            retry_after: Some(900),
            clock_drift_minutes: None,
            password_feedback: None,
        };
        flow.sent(&Err(wait), 170);
        assert!(matches!(
            flow,
            AddPhone::EnterCode {
                resend_at: 1070,
                ..
            }
        ));
        flow.change_number();
        assert_eq!(flow, AddPhone::EnterNumber);
        flow.sent(&Err(ApiError::server(ErrorCode::ReauthRequired)), 200);
        assert_eq!(flow, AddPhone::ConfirmPassword);
        flow.confirmed(&change(Some("AAAA-BBBB-CCCC-DDDD")));
        assert_eq!(
            flow,
            AddPhone::SaveRecoveryCode("AAAA-BBBB-CCCC-DDDD".into())
        );
        flow.recovery_code_saved();
        assert_eq!(flow, AddPhone::Done);
    }

    fn added(factor_id: Option<i64>, code: Option<&str>) -> FactorChange {
        FactorChange {
            factor_id,
            ..change(code)
        }
    }

    #[test]
    fn a_passkey_is_named_then_the_first_brings_the_recovery_code() {
        let mut flow = AddPasskey::Checking;
        flow.checked(Ok(ReauthStatus { valid_until: None }));
        assert_eq!(flow, AddPasskey::ConfirmPassword);
        flow.create();
        assert_eq!(flow, AddPasskey::Creating);
        flow.created(Err(PasskeyError::NotAllowed), "Chrome on Linux".into());
        assert_eq!(flow, AddPasskey::Retry(PasskeyError::NotAllowed));
        flow.create();
        let reauth = PasskeyError::Api(ApiError::server(ErrorCode::ReauthRequired));
        flow.created(Err(reauth), "Chrome on Linux".into());
        assert_eq!(flow, AddPasskey::ConfirmPassword);
        flow.create();
        flow.created(
            Ok(added(Some(7), Some("AAAA-BBBB"))),
            "Chrome on Linux".into(),
        );
        assert_eq!(
            flow,
            AddPasskey::Name {
                factor_id: 7,
                name: "Chrome on Linux".into(),
                recovery_code: Some("AAAA-BBBB".into()),
            }
        );
        flow.named();
        assert_eq!(flow, AddPasskey::SaveRecoveryCode("AAAA-BBBB".into()));
        flow.recovery_code_saved();
        assert_eq!(flow, AddPasskey::Done);

        let mut renamed = AddPasskey::rename(8, "Phone".into());
        renamed.named();
        assert_eq!(renamed, AddPasskey::Done);

        let mut second = AddPasskey::Creating;
        second.created(Ok(added(Some(8), None)), "Phone".into());
        second.named();
        assert_eq!(second, AddPasskey::Done);
    }

    #[test]
    fn a_policy_change_waits_for_the_password_then_goes_as_it_was() {
        let request = MfaPolicyRequest {
            required: true,
            enforcement_date: Some("2026-12-20".into()),
            time_zone: Some("UTC".into()),
            grace_days: Some(14),
            allowed_methods: None,
            trusted_browser_days: Some(30),
        };
        let mut save = PolicySave::default();
        save.answered::<()>(&request, &Err(ApiError::server(ErrorCode::ReauthRequired)));
        assert_eq!(save, PolicySave::ConfirmPassword(request.clone()));
        assert_eq!(save.reauthenticated(), Some(request.clone()));
        assert_eq!(save, PolicySave::Idle);
        assert_eq!(save.reauthenticated(), None);
        save.answered::<()>(&request, &Err(ApiError::server(ErrorCode::Forbidden)));
        assert_eq!(
            save,
            PolicySave::Idle,
            "other errors are shown, not asked about"
        );
    }
}
