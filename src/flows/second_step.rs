//! The second step of sign-in: the preferred method first, the others on
//! request; and, after the recovery code, saving its replacement.

use mfa_api::{CodeTexted, FactorKind, SignInFactor};

use crate::api::ApiError;

/// A way to finish signing in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    AuthenticatorApp,
    /// A code texted to this phone factor (its masked number).
    Text {
        factor_id: i64,
        to: String,
    },
    /// Any of the user's passkeys (the browser offers them).
    Passkey,
    RecoveryCode,
}

impl Method {
    fn of(factor: &SignInFactor) -> Self {
        match factor.kind {
            FactorKind::AuthenticatorApp => Self::AuthenticatorApp,
            FactorKind::Sms => Self::Text {
                factor_id: factor.id,
                to: factor.label.clone().unwrap_or_default(),
            },
            FactorKind::Passkey => Self::Passkey,
        }
    }
}

/// The second step of sign-in: the preferred factor first, the others (and
/// the recovery code) on request.
#[derive(Clone, Debug, PartialEq)]
pub struct SecondStep {
    factors: Vec<SignInFactor>,
    pub method: Method,
    /// "Use another method" is open.
    pub choosing: bool,
    /// A code was texted; another may go from then (Unix seconds).
    pub resend_at: Option<i64>,
}

impl SecondStep {
    /// `factors` preferred first (an empty list: the authenticator app).
    pub fn new(factors: Vec<SignInFactor>) -> Self {
        let method = factors.first().map_or(Method::AuthenticatorApp, Method::of);
        Self {
            factors,
            method,
            choosing: false,
            resend_at: None,
        }
    }

    /// The preferred way (what "Use ... instead" goes back to from the recovery code).
    pub fn preferred(&self) -> Method {
        self.factors
            .first()
            .map_or(Method::AuthenticatorApp, Method::of)
    }

    /// Every way to sign in, preferred first, each once (several
    /// passkeys are one method: the browser lets the person pick).
    fn methods(&self) -> Vec<Method> {
        let mut methods: Vec<Method> = Vec::new();
        for method in self.factors.iter().map(Method::of) {
            if !methods.contains(&method) {
                methods.push(method);
            }
        }
        methods
    }

    /// Every other way to sign in, the recovery code last.
    pub fn others(&self) -> Vec<Method> {
        self.methods()
            .into_iter()
            .chain([Method::RecoveryCode])
            .filter(|m| *m != self.method)
            .collect()
    }

    /// Whether "Use another method" has more to offer than the recovery code.
    pub fn has_other_factors(&self) -> bool {
        self.methods().len() > 1
    }

    pub fn choose(&mut self, method: Method) {
        self.method = method;
        self.choosing = false;
        self.resend_at = None;
    }

    /// The answer to "Text me a code" (or "Resend") at `now`.
    pub fn texted(&mut self, answer: &Result<CodeTexted, ApiError>, now: i64) {
        match answer {
            Ok(texted) => self.resend_at = Some(now + texted.resend_after),
            Err(e) => {
                if let Some(wait) = e.retry_after() {
                    self.resend_at = Some(now + wait);
                }
            }
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
    use super::*;

    fn factor(id: i64, kind: FactorKind) -> SignInFactor {
        SignInFactor {
            id,
            kind,
            label: (kind == FactorKind::Sms).then(|| "+33 • •• •• •• 78".into()),
        }
    }

    #[test]
    fn the_second_step_starts_with_the_preferred_factor() {
        let step = SecondStep::new(vec![
            factor(2, FactorKind::Sms),
            factor(1, FactorKind::AuthenticatorApp),
        ]);
        let text = Method::Text {
            factor_id: 2,
            to: "+33 • •• •• •• 78".into(),
        };
        assert_eq!(step.method, text);
        assert!(step.has_other_factors());
        assert_eq!(
            step.others(),
            [Method::AuthenticatorApp, Method::RecoveryCode]
        );
        let mut step = step;
        step.texted(
            &Ok(CodeTexted {
                to: "+33 • •• •• •• 78".into(),
                resend_after: 60,
                expires_at: 0,
            }),
            1000,
        );
        assert_eq!(step.resend_at, Some(1060));
        step.choose(Method::RecoveryCode);
        assert_eq!(step.resend_at, None);
        assert_eq!(step.preferred(), text);
        assert_eq!(step.others(), [text, Method::AuthenticatorApp]);

        let only_app = SecondStep::new(vec![factor(1, FactorKind::AuthenticatorApp)]);
        assert_eq!(only_app.method, Method::AuthenticatorApp);
        assert!(!only_app.has_other_factors());
        assert_eq!(SecondStep::new(vec![]).method, Method::AuthenticatorApp);
    }

    #[test]
    fn several_passkeys_are_one_method() {
        let step = SecondStep::new(vec![
            factor(3, FactorKind::Passkey),
            factor(4, FactorKind::Passkey),
        ]);
        assert_eq!(step.method, Method::Passkey);
        assert!(!step.has_other_factors());
        assert_eq!(step.others(), [Method::RecoveryCode]);
        let with_app = SecondStep::new(vec![
            factor(3, FactorKind::Passkey),
            factor(1, FactorKind::AuthenticatorApp),
            factor(4, FactorKind::Passkey),
        ]);
        assert!(with_app.has_other_factors());
        assert_eq!(
            with_app.others(),
            [Method::AuthenticatorApp, Method::RecoveryCode]
        );
    }

    #[test]
    fn after_a_recovery_code_the_new_one_is_saved_first() {
        let mut flow = AfterRecovery::SaveNewCode("X".into());
        flow.saved();
        assert_eq!(flow, AfterRecovery::OfferReplacement);
    }
}
