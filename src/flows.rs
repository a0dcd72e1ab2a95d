//! The multi-step flows as plain state machines: each screen of a flow is a
//! state, each answer from the server an event. Pages hold one in a signal,
//! feed it what their actions return and render its state; the transitions
//! are tested here, on the host.

use mfa_api::{ErrorCode, FactorChange, TotpEnrollment};

use crate::api::ApiError;

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

/// Removing a factor from the Password & Security tab.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Removal {
    #[default]
    Idle,
    /// "Remove the authenticator app?" is on screen.
    Asking(i64),
    ConfirmPassword(i64),
    Removing(i64),
    /// The server refused; the tab shows why.
    Failed(ApiError),
}

impl Removal {
    pub fn ask(&mut self, id: i64) {
        *self = Self::Asking(id);
    }

    pub fn cancel(&mut self) {
        *self = Self::Idle;
    }

    /// "Remove" was confirmed (or the password, after it was asked for):
    /// the id to remove now.
    pub fn proceed(&mut self) -> Option<i64> {
        match *self {
            Self::Asking(id) | Self::ConfirmPassword(id) => {
                *self = Self::Removing(id);
                Some(id)
            }
            _ => None,
        }
    }

    pub fn finished<T>(&mut self, answer: &Result<T, ApiError>) {
        let Self::Removing(id) = *self else {
            return;
        };
        *self = match answer {
            Ok(_) => Self::Idle,
            Err(e) if e.is(ErrorCode::ReauthRequired) => Self::ConfirmPassword(id),
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

/// Right after signing in with the recovery code: save its replacement,
/// then replace the lost authenticator (or not now).
#[derive(Clone, Debug, PartialEq)]
pub enum AfterRecovery {
    SaveNewCode(String),
    OfferReplacement,
}

impl AfterRecovery {
    pub fn saved(&mut self) {
        *self = Self::OfferReplacement;
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
            },
            recovery_code: code.map(|c| RecoveryCodeText(c.into())),
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

    #[test]
    fn after_a_recovery_code_the_new_one_is_saved_first() {
        let mut flow = AfterRecovery::SaveNewCode("X".into());
        flow.saved();
        assert_eq!(flow, AfterRecovery::OfferReplacement);
    }
}
