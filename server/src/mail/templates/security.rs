//! The notice of a change to the account's security (a factor added or
//! removed, the recovery code used, a lockout, a reset, a new password).

use mfa_api::{FactorKind, PRODUCT_NAME};

use super::{Language, Letter, Rendered, SecurityEvent, when};
use crate::domain::clock::UnixTime;

pub(super) fn security_event(
    event: SecurityEvent,
    name: &str,
    at: UnixTime,
    ip: Option<&str>,
    language: Language,
    public_url: &str,
) -> Rendered {
    use FactorKind::*;
    use SecurityEvent::*;
    let security = format!("{public_url}/profile/security");
    let when = when(at);
    let (what, greeting, details, unexpected, button) = match language {
        Language::En => (
            match event {
                FactorAdded {
                    factor: AuthenticatorApp,
                } => "An authenticator app was added to your account",
                FactorAdded { factor: Sms } => {
                    "A phone number for text-message codes was added to your account"
                }
                FactorAdded { factor: Passkey } => "A passkey was added to your account",
                FactorRemoved {
                    factor: AuthenticatorApp,
                } => "An authenticator app was removed from your account",
                FactorRemoved { factor: Sms } => {
                    "A phone number for text-message codes was removed from your account"
                }
                FactorRemoved { factor: Passkey } => "A passkey was removed from your account",
                RecoveryCodeUsed => "Your recovery code was used to sign in to your account",
                RecoveryCodeRegenerated => {
                    "A new recovery code was made for your account; the old one no longer works"
                }
                Lockout => {
                    "Sign-in codes on your account were locked after too many wrong attempts"
                }
                MfaReset { by_operator: false } => {
                    "Your company's administrator reset two-factor authentication on your account: set it up again at your next sign-in"
                }
                MfaReset { by_operator: true } => {
                    "The server's operator reset two-factor authentication on your account: set it up again at your next sign-in"
                }
                PasswordChanged { by_reset: false } => "Your password was changed",
                PasswordChanged { by_reset: true } => {
                    "Your password was changed with a forgotten-password link"
                }
            },
            format!("Hello {name},"),
            match ip {
                Some(ip) => format!("When: {when}. From the address: {ip}."),
                None => format!("When: {when}."),
            },
            "If this was you, there is nothing to do. If this wasn't you, sign in, change your password, check the methods on your Password & Security tab, and tell your company's administrator at once.",
            "Open Password & Security",
        ),
        Language::Fr => (
            match event {
                FactorAdded {
                    factor: AuthenticatorApp,
                } => "Une application d'authentification a été ajoutée à votre compte",
                FactorAdded { factor: Sms } => {
                    "Un numéro de téléphone pour les codes par SMS a été ajouté à votre compte"
                }
                FactorAdded { factor: Passkey } => "Une clé d'accès a été ajoutée à votre compte",
                FactorRemoved {
                    factor: AuthenticatorApp,
                } => "Une application d'authentification a été retirée de votre compte",
                FactorRemoved { factor: Sms } => {
                    "Un numéro de téléphone pour les codes par SMS a été retiré de votre compte"
                }
                FactorRemoved { factor: Passkey } => {
                    "Une clé d'accès a été retirée de votre compte"
                }
                RecoveryCodeUsed => {
                    "Votre code de récupération a servi à vous connecter à votre compte"
                }
                RecoveryCodeRegenerated => {
                    "Un nouveau code de récupération a été créé pour votre compte ; l'ancien ne fonctionne plus"
                }
                Lockout => {
                    "Les codes de connexion de votre compte ont été bloqués après trop de tentatives erronées"
                }
                MfaReset { by_operator: false } => {
                    "L'administrateur de votre entreprise a réinitialisé l'authentification à deux facteurs de votre compte : activez-la de nouveau à votre prochaine connexion"
                }
                MfaReset { by_operator: true } => {
                    "L'exploitant du serveur a réinitialisé l'authentification à deux facteurs de votre compte : activez-la de nouveau à votre prochaine connexion"
                }
                PasswordChanged { by_reset: false } => "Votre mot de passe a été modifié",
                PasswordChanged { by_reset: true } => {
                    "Votre mot de passe a été modifié avec un lien de mot de passe oublié"
                }
            },
            format!("Bonjour {name},"),
            match ip {
                Some(ip) => format!("Quand : {when}. Depuis l'adresse : {ip}."),
                None => format!("Quand : {when}."),
            },
            "Si c'était vous, il n'y a rien à faire. Si ce n'était pas vous, connectez-vous, changez votre mot de passe, vérifiez les méthodes de l'onglet Mot de passe et sécurité, et prévenez tout de suite l'administrateur de votre entreprise.",
            "Ouvrir Mot de passe et sécurité",
        ),
    };
    let subject = match (event, language) {
        (PasswordChanged { .. }, Language::En) => {
            format!("Your {PRODUCT_NAME} password was changed")
        }
        (PasswordChanged { .. }, Language::Fr) => {
            format!("Votre mot de passe {PRODUCT_NAME} a été modifié")
        }
        _ => format!("{PRODUCT_NAME}: {what}"),
    };
    Letter {
        subject,
        greeting,
        paragraphs: vec![format!("{what}."), details, unexpected.to_owned()],
        button: Some((button.to_owned(), security)),
    }
    .render()
}
