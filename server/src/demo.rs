//! Demo mode (`MFA_DEMO`): the company "Demo Construction" with an admin, a
//! member and a payee, so a newcomer can try the product at once. Seeding is
//! idempotent: a second start reuses the accounts.

use std::fmt;
use std::path::Path;

use anyhow::Context;
use rand::Rng;
use rand::rngs::OsRng;

use crate::config::Config;
use crate::domain::clock::UnixTime;
use crate::domain::email::Email;
use crate::domain::password::{self, Password};
use crate::domain::secret::SecretString;
use crate::keys::write_private;
use crate::store::Store;

pub const COMPANY: &str = "Demo Construction";

struct Account {
    email: &'static str,
    name: &'static str,
    is_admin: bool,
    payee: bool,
    description: &'static str,
}

const ACCOUNTS: [Account; 3] = [
    Account {
        email: "admin@demo.test",
        name: "Alex Admin",
        is_admin: true,
        payee: false,
        description: "company admin",
    },
    Account {
        email: "member@demo.test",
        name: "Morgan Member",
        is_admin: false,
        payee: false,
        description: "member",
    },
    Account {
        email: "payee@demo.test",
        name: "Pat Payee",
        is_admin: false,
        payee: true,
        description: "member, payee (payments product)",
    },
];

/// What the operator needs to sign in to the demo. Displayed once at start.
pub struct DemoAccounts {
    password: SecretString,
}

impl fmt::Display for DemoAccounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Demo company \"{COMPANY}\", accounts:")?;
        for a in &ACCOUNTS {
            writeln!(f, "  {:<18} {}", a.email, a.description)?;
        }
        write!(f, "Password of all three: {}", self.password.expose())
    }
}

impl fmt::Debug for DemoAccounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DemoAccounts(<redacted>)")
    }
}

/// Creates (or brings up to date) the demo company and its accounts.
pub async fn seed(store: &Store, config: &Config, now: UnixTime) -> anyhow::Result<DemoAccounts> {
    let password = match &config.demo_password {
        Some(p) => p.clone(),
        None => stored_or_new_password(&config.data_dir.join("demo-password"))?,
    };
    let parsed = Password::parse(password.expose().to_owned()).context("MFA_DEMO_PASSWORD")?;
    let company_id = match store.company_id_by_name(COMPANY).await? {
        Some(id) => id,
        None => store.create_company(COMPANY, now).await?,
    };
    for account in &ACCOUNTS {
        let email = Email::parse(account.email)?;
        let user_id = match store.credentials(&email).await? {
            Some((id, phc)) => {
                // MFA_DEMO_PASSWORD may have changed since the last start.
                if !verify(&parsed, phc).await? {
                    store.set_password_hash(id, &hash(&parsed).await?).await?;
                }
                id
            }
            None => {
                store
                    .create_user(&email, account.name, &hash(&parsed).await?, now)
                    .await?
            }
        };
        store
            .upsert_membership(user_id, company_id, account.is_admin, account.payee, now)
            .await?;
    }
    tracing::info!(company = COMPANY, "demo accounts ready");
    Ok(DemoAccounts { password })
}

async fn hash(password: &Password) -> anyhow::Result<String> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || password::hash(&password)).await?
}

async fn verify(password: &Password, phc: String) -> anyhow::Result<bool> {
    let password = password.clone();
    Ok(tokio::task::spawn_blocking(move || password::verify(&password, &phc)).await?)
}

/// The generated demo password, kept (0600) in the data dir so it survives restarts.
fn stored_or_new_password(path: &Path) -> anyhow::Result<SecretString> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let text = text.trim();
        if !text.is_empty() {
            return Ok(SecretString::new(text));
        }
        std::fs::remove_file(path)?;
    }
    let password = generate_password(&mut OsRng);
    write_private(path, password.expose())?;
    Ok(password)
}

/// Four groups of five from an alphabet without look-alikes (about 99 bits).
fn generate_password(rng: &mut impl Rng) -> SecretString {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let groups: Vec<String> = (0..4)
        .map(|_| {
            (0..5)
                .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
                .collect()
        })
        .collect();
    SecretString::new(groups.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn generated_passwords_are_grouped_and_differ() {
        let mut rng = StdRng::seed_from_u64(9);
        let a = generate_password(&mut rng);
        let b = generate_password(&mut rng);
        assert_eq!(a.expose().len(), 23);
        assert_eq!(a.expose().matches('-').count(), 3);
        assert_ne!(a, b);
    }

    #[test]
    fn the_password_is_generated_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo-password");
        let first = stored_or_new_password(&path).unwrap();
        let second = stored_or_new_password(&path).unwrap();
        assert_eq!(first, second);
    }
}
