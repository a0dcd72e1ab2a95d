//! Demo mode (`MFA_DEMO`): the company "Demo Construction" with an admin, a
//! member and a payee, so a newcomer can try the product at once. Seeding is
//! idempotent: a second start reuses the accounts.

use std::fmt;
use std::path::Path;

use anyhow::Context;
use rand::Rng;

use crate::config::Config;
use crate::domain::clock::UnixTime;
use crate::domain::email::Email;
use crate::domain::password::{self, Password};
use crate::domain::random::{Draw, RandomSource};
use crate::domain::secret::SecretString;
use crate::domain::slow_hash::{Memory, Salt};
use crate::files::write_private;
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

/// Creates (or brings up to date) the demo company and its accounts, in one
/// transaction.
pub async fn seed(
    store: &Store,
    config: &Config,
    now: UnixTime,
    random: &dyn RandomSource,
) -> anyhow::Result<DemoAccounts> {
    let password = match &config.demo_password {
        Some(p) => p.clone(),
        None => stored_or_new_password(&config.data_dir.join("demo-password"), random)?,
    };
    let parsed = Password::parse(password.expose().to_owned()).context("MFA_DEMO_PASSWORD")?;
    let salt = Salt::generate(&mut Draw(random));
    let for_hash = parsed.clone();
    let (new_hash, mut memory) = tokio::task::spawn_blocking(move || {
        let mut memory = Memory::new();
        password::hash(&for_hash, salt, &mut memory).map(|hash| (hash, memory))
    })
    .await??;
    let mut tx = store.begin().await?;
    // Instances started together seed one at a time: the second finds the
    // first's company (company names are not unique).
    tx.lock_keys(&["demo accounts"]).await?;
    let company_id = match tx.company_id_by_name(COMPANY).await? {
        Some(id) => id,
        None => tx.create_company(COMPANY, now).await?,
    };
    for account in &ACCOUNTS {
        let email = Email::parse(account.email)?;
        let user_id = match tx.credentials(&email).await? {
            Some(known) => {
                // MFA_DEMO_PASSWORD may have changed since the last start:
                // a new password, so browsers known before no longer are.
                if !password::verify(&parsed, &known.password_hash, &mut memory) {
                    tx.set_password_hash(known.user_id, &new_hash).await?;
                    tx.bump_device_epoch(known.user_id).await?;
                }
                known.user_id
            }
            None => tx.create_user(&email, account.name, &new_hash, now).await?,
        };
        tx.upsert_membership(user_id, company_id, account.is_admin, account.payee, now)
            .await?;
    }
    tx.commit().await?;
    tracing::info!(company = COMPANY, "demo accounts ready");
    Ok(DemoAccounts { password })
}

/// The generated demo password, kept (0600) in the data dir so it survives restarts.
fn stored_or_new_password(path: &Path, random: &dyn RandomSource) -> anyhow::Result<SecretString> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let text = text.trim();
        if !text.is_empty() {
            return Ok(SecretString::new(text));
        }
        std::fs::remove_file(path)?;
    }
    let password = generate_password(&mut Draw(random));
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
        let random = crate::domain::random::SeededRandom::new(10);
        let first = stored_or_new_password(&path, &random).unwrap();
        let second = stored_or_new_password(&path, &random).unwrap();
        assert_eq!(first, second);
    }
}
