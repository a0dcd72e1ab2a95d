//! Passwords as typed, hashed with the one slow hash (`slow_hash`, argon2id),
//! and the one rule for a password someone chooses (NIST SP 800-63B
//! 5.1.1.2). Passwords are compared in Unicode NFKC, so the same password
//! typed on another keyboard or system is the same password. Hashing is
//! CPU-bound: callers run these functions off the async executor.

use rand::{CryptoRng, RngCore};
use unicode_normalization::UnicodeNormalization;
use zxcvbn::feedback::{Suggestion, Warning};

use super::secret::SecretString;
use super::slow_hash::{self, Memory, Salt};

/// Longest password we hash: generous for passphrases, bounded against abuse.
pub const MAX_PASSWORD_CHARS: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("enter your password")]
    Empty,
    #[error("the password is longer than {MAX_PASSWORD_CHARS} characters")]
    TooLong,
}

/// A password as typed, checked for length once at the edge and
/// normalised (NFKC).
#[derive(Clone, Debug)]
pub struct Password {
    normalised: SecretString,
    /// As typed, when normalising changed it: hashes made before passwords
    /// were normalised were made of this.
    typed: Option<SecretString>,
}

impl Password {
    pub fn parse(input: String) -> Result<Self, PasswordError> {
        if input.is_empty() {
            return Err(PasswordError::Empty);
        }
        if input.chars().count() > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong);
        }
        let normalised: String = input.nfkc().collect();
        let typed = (normalised != input).then(|| SecretString::new(input));
        Ok(Self {
            normalised: SecretString::new(normalised),
            typed,
        })
    }

    fn bytes(&self) -> &[u8] {
        self.normalised.expose().as_bytes()
    }

    fn chars(&self) -> usize {
        self.normalised.expose().chars().count()
    }
}

/// Hashes a password into a PHC string (algorithm, parameters, salt, hash).
pub fn hash(password: &Password, salt: Salt, memory: &mut Memory) -> anyhow::Result<String> {
    slow_hash::hash(password.bytes(), salt, memory)
}

/// True when `password` matches the PHC string. A malformed stored hash
/// never matches. (A password whose hash predates normalisation matches
/// as typed.)
pub fn verify(password: &Password, phc: &str, memory: &mut Memory) -> bool {
    slow_hash::verify(password.bytes(), phc, memory)
        || password
            .typed
            .as_ref()
            .is_some_and(|typed| slow_hash::verify(typed.expose().as_bytes(), phc, memory))
}

/// The shortest password one may choose.
pub const MIN_CHOSEN_CHARS: usize = 8;
/// The longest password one may choose (typing one in stays possible up
/// to [`MAX_PASSWORD_CHARS`]).
pub const MAX_CHOSEN_CHARS: usize = 128;
/// zxcvbn's score (0 to 4) a chosen password must reach.
const MIN_SCORE: u8 = 3;

/// Why a chosen password is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejected {
    #[error("choose a password of at least {MIN_CHOSEN_CHARS} characters")]
    TooShort,
    #[error("choose a password of at most {MAX_CHOSEN_CHARS} characters")]
    TooLong,
    /// Common, or easily guessed (from the person's own email or name, a
    /// keyboard row, a date...).
    #[error("this password is too easy to guess")]
    Guessable(Feedback),
}

/// What zxcvbn says about a guessable password, as stable codes the app
/// words in the reader's language.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Feedback {
    pub warning: Option<&'static str>,
    pub suggestions: Vec<&'static str>,
}

/// The one rule for a password someone chooses (at joining, changing it,
/// or after a reset): 8 to 128 characters after normalisation, any
/// characters, no composition rules, and not commonly used or easily
/// guessed: zxcvbn must score it at least 3 of 4, with `hints` (the
/// person's email and name) counted as guessable words.
pub fn choose(input: String, hints: &[&str]) -> Result<Password, PasswordRejected> {
    let password = Password::parse(input).map_err(|e| match e {
        PasswordError::Empty => PasswordRejected::TooShort,
        PasswordError::TooLong => PasswordRejected::TooLong,
    })?;
    match password.chars() {
        n if n < MIN_CHOSEN_CHARS => return Err(PasswordRejected::TooShort),
        n if n > MAX_CHOSEN_CHARS => return Err(PasswordRejected::TooLong),
        _ => {}
    }
    let mut words: Vec<String> = vec!["twostep".to_owned()];
    for hint in hints {
        let hint = hint.to_lowercase();
        words.extend(
            hint.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() >= 3)
                .map(str::to_owned),
        );
        words.push(hint);
    }
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let entropy = zxcvbn::zxcvbn(password.normalised.expose(), &words);
    if u8::from(entropy.score()) >= MIN_SCORE {
        return Ok(password);
    }
    let feedback = entropy
        .feedback()
        .map_or_else(Feedback::default, |f| Feedback {
            warning: f.warning().map(warning_code),
            suggestions: f
                .suggestions()
                .iter()
                .copied()
                .map(suggestion_code)
                .collect(),
        });
    Err(PasswordRejected::Guessable(feedback))
}

fn warning_code(warning: Warning) -> &'static str {
    match warning {
        Warning::StraightRowsOfKeysAreEasyToGuess => "straight_rows_of_keys",
        Warning::ShortKeyboardPatternsAreEasyToGuess => "short_keyboard_patterns",
        Warning::RepeatsLikeAaaAreEasyToGuess => "repeated_characters",
        Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => "repeated_patterns",
        Warning::ThisIsATop10Password
        | Warning::ThisIsATop100Password
        | Warning::ThisIsACommonPassword => "common_password",
        Warning::ThisIsSimilarToACommonlyUsedPassword => "similar_to_common_password",
        Warning::SequencesLikeAbcAreEasyToGuess => "sequences",
        Warning::RecentYearsAreEasyToGuess => "recent_years",
        Warning::AWordByItselfIsEasyToGuess => "single_word",
        Warning::DatesAreOftenEasyToGuess => "dates",
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
        | Warning::CommonNamesAndSurnamesAreEasyToGuess => "names",
    }
}

fn suggestion_code(suggestion: Suggestion) -> &'static str {
    match suggestion {
        Suggestion::UseAFewWordsAvoidCommonPhrases => "use_a_few_words",
        Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => "no_symbols_needed",
        Suggestion::AddAnotherWordOrTwo => "add_a_word",
        Suggestion::CapitalizationDoesntHelpVeryMuch
        | Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => "capitals_do_not_help",
        Suggestion::ReversedWordsArentMuchHarderToGuess => "reversed_words",
        Suggestion::PredictableSubstitutionsDontHelpVeryMuch => "predictable_substitutions",
        Suggestion::UseALongerKeyboardPatternWithMoreTurns => "longer_keyboard_pattern",
        Suggestion::AvoidRepeatedWordsAndCharacters => "avoid_repeats",
        Suggestion::AvoidSequences => "avoid_sequences",
        Suggestion::AvoidRecentYears
        | Suggestion::AvoidYearsThatAreAssociatedWithYou
        | Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => "avoid_dates",
    }
}

/// A random password and a salt, whose hash is verified against when the
/// email is unknown, so that "no such user" takes as long as "wrong password".
pub fn decoy(rng: &mut (impl RngCore + CryptoRng)) -> (Password, Salt) {
    let mut random = [0u8; 32];
    rng.fill_bytes(&mut random);
    (
        Password {
            normalised: SecretString::new(hex::encode(random)),
            typed: None,
        },
        Salt::generate(rng),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    #[test]
    fn verifies_the_right_password_only() {
        let pw = Password::parse("correct horse".into()).unwrap();
        let phc = hash(&pw, Salt::generate(&mut OsRng), &mut Memory::new()).unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(!phc.contains("correct horse"));
        assert!(verify(&pw, &phc, &mut Memory::new()));
        assert!(!verify(
            &Password::parse("Correct horse".into()).unwrap(),
            &phc,
            &mut Memory::new()
        ));
    }

    #[test]
    fn same_password_hashes_differently() {
        let pw = Password::parse("same".into()).unwrap();
        assert_ne!(
            hash(&pw, Salt::generate(&mut OsRng), &mut Memory::new()).unwrap(),
            hash(&pw, Salt::generate(&mut OsRng), &mut Memory::new()).unwrap()
        );
    }

    #[test]
    fn malformed_hash_never_matches() {
        let pw = Password::parse("x".into()).unwrap();
        assert!(!verify(&pw, "not-a-phc-string", &mut Memory::new()));
        assert!(!verify(&pw, "", &mut Memory::new()));
    }

    #[test]
    fn length_is_checked_at_parse() {
        assert_eq!(
            Password::parse(String::new()).unwrap_err(),
            PasswordError::Empty
        );
        assert!(Password::parse("é".repeat(MAX_PASSWORD_CHARS)).is_ok());
        assert_eq!(
            Password::parse("a".repeat(MAX_PASSWORD_CHARS + 1)).unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn a_chosen_password_is_long_enough_and_hard_to_guess() {
        let hints = ["member@demo.test", "Morgan Member"];
        assert_eq!(
            choose("short1!".into(), &hints).unwrap_err(),
            PasswordRejected::TooShort
        );
        assert_eq!(
            choose("a".repeat(129), &hints).unwrap_err(),
            PasswordRejected::TooLong
        );
        for weak in [
            "password1",
            "qwertyuiop",
            "12345678910",
            "Password2026!",
            "morganmember1",
        ] {
            assert!(
                matches!(
                    choose(weak.into(), &hints),
                    Err(PasswordRejected::Guessable(_))
                ),
                "{weak}"
            );
        }
        let Err(PasswordRejected::Guessable(feedback)) = choose("password1".into(), &hints) else {
            panic!("common");
        };
        assert_eq!(feedback.warning, Some("common_password"));
        // The person's own email, with a little added, is refused too.
        assert!(choose("member@demo.test".into(), &hints).is_err());
        // Long passphrases of any script, no composition rule.
        assert!(choose("correct horse battery staple".into(), &hints).is_ok());
        assert!(choose("ящик-для-чая на крыше".into(), &hints).is_ok());
        assert!(choose("猫が屋根の上で眠っている夏の午後".into(), &hints).is_ok());
    }

    #[test]
    fn passwords_are_compared_in_nfkc() {
        // A ligature and a full-width letter normalise to plain letters.
        let typed = Password::parse("ﬁne Ｐassword".into()).unwrap();
        let plain = Password::parse("fine Password".into()).unwrap();
        let phc = hash(&plain, Salt::generate(&mut OsRng), &mut Memory::new()).unwrap();
        assert!(verify(&typed, &phc, &mut Memory::new()));
        // A hash made of the raw form (before normalisation) still matches.
        let legacy = slow_hash::hash(
            "ﬁne Ｐassword".as_bytes(),
            Salt::generate(&mut OsRng),
            &mut Memory::new(),
        )
        .unwrap();
        assert!(verify(&typed, &legacy, &mut Memory::new()));
        assert!(!verify(&plain, &legacy, &mut Memory::new()));
    }

    #[test]
    fn debug_hides_the_password() {
        let pw = Password::parse("hunter2".into()).unwrap();
        assert!(!format!("{pw:?}").contains("hunter2"));
    }
}
