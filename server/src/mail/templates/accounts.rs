//! The emails about a person's account itself: an invitation to join a
//! company, a link to choose a new password, a change of their membership,
//! the methods their company turned off.

use mfa_api::{FactorKind, PRODUCT_NAME};

use super::{Language, Letter, MembershipChange, Rendered, when};
use crate::domain::clock::UnixTime;

pub(super) fn membership(
    company: &str,
    name: &str,
    change: MembershipChange,
    language: Language,
    public_url: &str,
) -> Rendered {
    use mfa_api::CompanyRole::*;
    let letter = match language {
        Language::En => {
            let what = match change {
                MembershipChange::Role { role: Admin } => {
                    format!("You are now an admin of {company}")
                }
                MembershipChange::Role { role: Member } => {
                    format!("You are now a member of {company}")
                }
                MembershipChange::Role { role: Payee } => format!(
                    "You are now a payee of {company}: two-factor authentication is required for your account"
                ),
                MembershipChange::Removed => format!("You were removed from {company}"),
            };
            Letter {
                subject: format!("{PRODUCT_NAME}: {what}"),
                greeting: format!("Hello {name},"),
                paragraphs: vec![
                    format!("{what}. An administrator of the company made this change."),
                    "If you think it is a mistake, ask your company's administrator.".to_owned(),
                ],
                button: Some(("Open TwoStep".to_owned(), public_url.to_owned())),
            }
        }
        Language::Fr => {
            let what = match change {
                MembershipChange::Role { role: Admin } => {
                    format!("Vous êtes désormais administrateur de {company}")
                }
                MembershipChange::Role { role: Member } => {
                    format!("Vous êtes désormais membre de {company}")
                }
                MembershipChange::Role { role: Payee } => format!(
                    "Vous êtes désormais bénéficiaire de paiements de {company} : l'authentification à deux facteurs est exigée pour votre compte"
                ),
                MembershipChange::Removed => format!("Vous avez été retiré de {company}"),
            };
            Letter {
                subject: format!("{PRODUCT_NAME} : {what}"),
                greeting: format!("Bonjour {name},"),
                paragraphs: vec![
                    format!("{what}. Un administrateur de l'entreprise a fait ce changement."),
                    "Si vous pensez qu'il s'agit d'une erreur, adressez-vous à l'administrateur de votre entreprise.".to_owned(),
                ],
                button: Some(("Ouvrir TwoStep".to_owned(), public_url.to_owned())),
            }
        }
    };
    letter.render()
}

pub(super) fn invitation(
    company: &str,
    invited_by: Option<&str>,
    name: &str,
    expires_at: UnixTime,
    token: Option<&str>,
    language: Language,
    public_url: &str,
) -> Rendered {
    let link = match token {
        Some(token) => format!("{public_url}/invitation/{token}"),
        None => public_url.to_owned(),
    };
    let until = when(expires_at);
    let letter = match language {
        Language::En => Letter {
            subject: format!("You're invited to join {company} on {PRODUCT_NAME}"),
            greeting: format!("Hello {name},"),
            paragraphs: vec![
                match invited_by {
                    Some(admin) => format!("{admin} invites you to join {company} on {PRODUCT_NAME}, where you sign in to your company's apps."),
                    None => format!("You are invited to join {company} on {PRODUCT_NAME}, where you sign in to your company's apps."),
                },
                "Open the link to choose your password. If your company requires two-factor authentication, you will set it up right after.".to_owned(),
                format!("The link works once, until {until}. If it has expired, ask whoever invited you for a new one."),
            ],
            button: Some(("Accept the invitation".to_owned(), link)),
        },
        Language::Fr => Letter {
            subject: format!("Vous êtes invité à rejoindre {company} sur {PRODUCT_NAME}"),
            greeting: format!("Bonjour {name},"),
            paragraphs: vec![
                match invited_by {
                    Some(admin) => format!("{admin} vous invite à rejoindre {company} sur {PRODUCT_NAME}, où vous vous connectez aux applications de votre entreprise."),
                    None => format!("Vous êtes invité à rejoindre {company} sur {PRODUCT_NAME}, où vous vous connectez aux applications de votre entreprise."),
                },
                "Ouvrez le lien pour choisir votre mot de passe. Si votre entreprise exige l'authentification à deux facteurs, vous l'activerez juste après.".to_owned(),
                format!("Le lien ne sert qu'une fois, jusqu'au {until}. S'il a expiré, demandez-en un nouveau à la personne qui vous a invité."),
            ],
            button: Some(("Accepter l'invitation".to_owned(), link)),
        },
    };
    letter.render()
}

pub(super) fn password_reset(
    name: &str,
    expires_at: UnixTime,
    token: Option<&str>,
    language: Language,
    public_url: &str,
) -> Rendered {
    let link = match token {
        Some(token) => format!("{public_url}/reset-password/{token}"),
        None => format!("{public_url}/forgot-password"),
    };
    let until = when(expires_at);
    let letter = match language {
        Language::En => Letter {
            subject: format!("Choose a new {PRODUCT_NAME} password"),
            greeting: format!("Hello {name},"),
            paragraphs: vec![
                "Someone asked to reset the password of your account, perhaps you. The button below lets you choose a new one.".to_owned(),
                format!("The link works once, until {until}. A newer link replaces it."),
                "Your second factor stays as it is: after choosing a new password you still sign in with your code.".to_owned(),
                "If you did not ask for this, ignore this email: your password does not change.".to_owned(),
            ],
            button: Some(("Choose a new password".to_owned(), link)),
        },
        Language::Fr => Letter {
            subject: format!("Choisissez un nouveau mot de passe {PRODUCT_NAME}"),
            greeting: format!("Bonjour {name},"),
            paragraphs: vec![
                "Quelqu'un a demandé à réinitialiser le mot de passe de votre compte, peut-être vous. Le bouton ci-dessous vous permet d'en choisir un nouveau.".to_owned(),
                format!("Le lien ne sert qu'une fois, jusqu'au {until}. Un lien plus récent le remplace."),
                "Votre second facteur reste le même : après avoir choisi un nouveau mot de passe, vous vous connectez toujours avec votre code.".to_owned(),
                "Si vous n'avez rien demandé, ignorez cet e-mail : votre mot de passe ne change pas.".to_owned(),
            ],
            button: Some(("Choisir un nouveau mot de passe".to_owned(), link)),
        },
    };
    letter.render()
}

/// The company turned off every method the person had set up.
pub(super) fn methods_turned_off(
    company: &str,
    name: &str,
    allowed: &[FactorKind],
    until: Option<(&str, &str)>,
    language: Language,
    public_url: &str,
) -> Rendered {
    let security = format!("{public_url}/profile/security");
    let letter = match language {
        Language::En => {
            let methods = allowed
                .iter()
                .map(|kind| match kind {
                    FactorKind::AuthenticatorApp => "an authenticator app",
                    FactorKind::Sms => "text messages (SMS)",
                    FactorKind::Passkey => "a passkey",
                })
                .collect::<Vec<_>>()
                .join(", ");
            let when = match until {
                Some((date, zone)) => format!(
                    "Your current method keeps working until {date} ({zone}); after that, you will be asked to set up another one when you sign in."
                ),
                None => "Your current method no longer works for signing in: you will be asked to set up another one.".to_owned(),
            };
            Letter {
                subject: format!("{PRODUCT_NAME}: add another sign-in method for {company}"),
                greeting: format!("Hello {name},"),
                paragraphs: vec![
                    format!(
                        "{company} no longer accepts the two-factor method you set up. It accepts {methods}."
                    ),
                    when,
                ],
                button: Some(("Open Password & Security".to_owned(), security)),
            }
        }
        Language::Fr => {
            let methods = allowed
                .iter()
                .map(|kind| match kind {
                    FactorKind::AuthenticatorApp => "une application d'authentification",
                    FactorKind::Sms => "les SMS",
                    FactorKind::Passkey => "une clé d'accès",
                })
                .collect::<Vec<_>>()
                .join(", ");
            let when = match until {
                Some((date, zone)) => format!(
                    "Votre méthode actuelle fonctionne jusqu'au {date} ({zone}) ; ensuite, il vous sera demandé d'en configurer une autre à la connexion."
                ),
                None => "Votre méthode actuelle ne permet plus de vous connecter : il vous sera demandé d'en configurer une autre.".to_owned(),
            };
            Letter {
                subject: format!(
                    "{PRODUCT_NAME} : ajoutez une autre méthode de connexion pour {company}"
                ),
                greeting: format!("Bonjour {name},"),
                paragraphs: vec![
                    format!(
                        "{company} n'accepte plus la méthode à deux facteurs que vous avez configurée. Elle accepte : {methods}."
                    ),
                    when,
                ],
                button: Some(("Ouvrir Mot de passe et sécurité".to_owned(), security)),
            }
        }
    };
    letter.render()
}
