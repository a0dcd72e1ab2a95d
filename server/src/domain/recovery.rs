//! The recovery code: 80 random bits as 16 base32 characters, shown as
//! XXXX-XXXX-XXXX-XXXX, stored only as an argon2id hash (OWASP ASVS asks for
//! a salted slow hash for codes under 112 bits). Single use.

use std::fmt;

use rand::{CryptoRng, RngCore};

use super::slow_hash::{self, Memory, Salt};

const RANDOM_BYTES: usize = 10; // 80 bits
const CHARS: usize = 16; // 80 bits / 5 bits per base32 character
const GROUP: usize = 4;
const ALPHABET: base32::Alphabet = base32::Alphabet::Rfc4648 { padding: false };

/// A recovery code in canonical form (16 upper-case base32 characters).
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("enter the 16-character recovery code")]
pub struct RecoveryCodeError;

impl RecoveryCode {
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut bytes = [0u8; RANDOM_BYTES];
        rng.fill_bytes(&mut bytes);
        Self(base32::encode(ALPHABET, &bytes))
    }

    /// Accepts any case, with or without the dashes and spaces of the display
    /// form. The digits 0, 1 and 8 are not in the alphabet, so they can only
    /// be a misread O, I or B, and are taken as those.
    pub fn parse(input: &str) -> Result<Self, RecoveryCodeError> {
        let canonical: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| match c.to_ascii_uppercase() {
                '0' => 'O',
                '1' => 'I',
                '8' => 'B',
                other => other,
            })
            .collect();
        let valid = canonical.len() == CHARS
            && base32::decode(ALPHABET, &canonical).is_some_and(|b| b.len() == RANDOM_BYTES);
        if valid {
            Ok(Self(canonical))
        } else {
            Err(RecoveryCodeError)
        }
    }

    /// XXXX-XXXX-XXXX-XXXX, for people to read and copy.
    pub fn display(&self) -> String {
        self.0
            .as_bytes()
            .chunks(GROUP)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("-")
    }

    pub fn hash(&self, salt: Salt, memory: &mut Memory) -> anyhow::Result<String> {
        slow_hash::hash(self.0.as_bytes(), salt, memory)
    }

    pub fn matches(&self, phc: &str, memory: &mut Memory) -> bool {
        slow_hash::verify(self.0.as_bytes(), phc, memory)
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn generated_codes_are_grouped_base32() {
        let mut rng = StdRng::seed_from_u64(11);
        let code = RecoveryCode::generate(&mut rng);
        let shown = code.display();
        assert_eq!(shown.len(), 19);
        assert_eq!(shown.split('-').count(), 4);
        assert!(shown.split('-').all(|g| g.len() == 4));
        assert_ne!(RecoveryCode::generate(&mut rng), code);
        assert_eq!(format!("{code:?}"), "RecoveryCode(<redacted>)");
    }

    #[test]
    fn parsing_forgives_case_dashes_and_spaces() {
        let code = RecoveryCode::generate(&mut StdRng::seed_from_u64(12));
        let shown = code.display();
        assert_eq!(RecoveryCode::parse(&shown).unwrap(), code);
        assert_eq!(RecoveryCode::parse(&shown.to_lowercase()).unwrap(), code);
        assert_eq!(RecoveryCode::parse(&shown.replace('-', " ")).unwrap(), code);
        for bad in [
            "",
            "ABCD-EFGH",
            "ABCD-EFGH-IJKL-MNO9",
            "ABCD-EFGH-IJKL-MNOPQ",
        ] {
            assert!(RecoveryCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn look_alike_digits_are_read_as_the_letters_they_resemble() {
        let code = RecoveryCode::parse("OIBA-AAAA-AAAA-AAAA").unwrap();
        assert_eq!(RecoveryCode::parse("01ba-AAAA-AAAA-AAAA").unwrap(), code);
        assert_eq!(RecoveryCode::parse("0 1 8 A AAAA AAAA AAAA").unwrap(), code);
    }

    #[test]
    fn only_the_hash_is_kept_and_it_matches_once_parsed() {
        let code = RecoveryCode::generate(&mut StdRng::seed_from_u64(13));
        let mut memory = Memory::new();
        let phc = code
            .hash(Salt::generate(&mut StdRng::seed_from_u64(15)), &mut memory)
            .unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(!phc.contains(&code.0));
        assert!(
            RecoveryCode::parse(&code.display().to_lowercase())
                .unwrap()
                .matches(&phc, &mut memory)
        );
        assert!(!RecoveryCode::generate(&mut StdRng::seed_from_u64(14)).matches(&phc, &mut memory));
    }
}
