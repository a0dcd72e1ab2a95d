//! Phone numbers for texted codes: where texts are offered, and numbers
//! parsed, validated and typed by libphonenumber's metadata (the
//! `phonenumber` crate), never by rules of our own.

use mfa_api::{PAYEE_SMS_COUNTRIES, SMS_COUNTRIES, SmsCountryInfo};
use phonenumber::{Mode, PhoneNumber, Type, country};

/// The countries a user may have codes texted to: payees the United States
/// only, everyone else the supported countries.
pub fn countries_for(payee: bool) -> impl Iterator<Item = &'static SmsCountryInfo> {
    SMS_COUNTRIES
        .iter()
        .filter(move |c| !payee || PAYEE_SMS_COUNTRIES.contains(&c.iso))
}

/// Whether texts to `iso` are offered to this user.
pub fn available(iso: &str, payee: bool) -> Option<&'static SmsCountryInfo> {
    countries_for(payee).find(|c| c.iso.eq_ignore_ascii_case(iso))
}

/// A valid number that can receive texts, in E.164 (`+33612345678`).
#[derive(Clone, PartialEq, Eq)]
pub struct Phone {
    e164: String,
    international: String,
    /// ISO code of the number's country.
    country: String,
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

/// Why a number was refused, in words a person can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("Enter a phone number.")]
    Empty,
    #[error("That is not a valid phone number for the country chosen.")]
    Invalid,
    #[error("That number belongs to another country than the one chosen.")]
    OtherCountry,
    #[error("Premium-rate, toll-free and shared-cost numbers cannot receive codes.")]
    SpecialRate,
    #[error("That looks like a landline: use a mobile number.")]
    FixedLine,
    #[error("That kind of number (internet, pager or forwarding) cannot receive codes reliably.")]
    CannotReceiveTexts,
}

/// Typed input longer than this is refused before parsing.
const MAX_INPUT: usize = 40;

impl Phone {
    /// Parses `input` for the country `iso` (national or `+` international;
    /// spaces, dots, dashes and brackets allowed) and keeps it only if it is
    /// a valid number of that country that can receive texts.
    pub fn parse(iso: &str, input: &str) -> Result<Self, PhoneError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(PhoneError::Empty);
        }
        if input.len() > MAX_INPUT
            || !input
                .chars()
                .all(|c| c.is_ascii_digit() || " .-()+/".contains(c))
        {
            return Err(PhoneError::Invalid);
        }
        let id: country::Id = iso.parse().map_err(|_| PhoneError::Invalid)?;
        let number = phonenumber::parse(Some(id), input).map_err(|_| PhoneError::Invalid)?;
        if number.extension().is_some() || !number.is_valid() {
            return Err(PhoneError::Invalid);
        }
        if number.country().id() != Some(id) {
            return Err(PhoneError::OtherCountry);
        }
        match number.number_type(&phonenumber::metadata::DATABASE) {
            Type::Mobile | Type::FixedLineOrMobile => {}
            Type::PremiumRate | Type::TollFree | Type::SharedCost => {
                return Err(PhoneError::SpecialRate);
            }
            Type::FixedLine => return Err(PhoneError::FixedLine),
            _ => return Err(PhoneError::CannotReceiveTexts),
        }
        Ok(Self::from_number(&number, id))
    }

    fn from_number(number: &PhoneNumber, country: country::Id) -> Self {
        Self {
            e164: number.format().mode(Mode::E164).to_string(),
            international: number.format().mode(Mode::International).to_string(),
            country: country.as_ref().to_owned(),
        }
    }

    /// A number stored in E.164 by [`Phone::e164`].
    pub fn from_e164(e164: &str) -> Option<Self> {
        let number = phonenumber::parse(None, e164).ok()?;
        let country = number.country().id()?;
        Some(Self::from_number(&number, country))
    }

    /// ISO code of the number's country (`"FR"`).
    pub fn country(&self) -> &str {
        &self.country
    }

    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// For showing once it is saved: the calling code and the last two
    /// digits, every other digit a dot, in the usual grouping
    /// (`+33 • •• •• •• 78`).
    pub fn masked(&self) -> String {
        let (code, rest) = self
            .international
            .split_once(' ')
            .unwrap_or((&self.international, ""));
        let digits = rest.chars().filter(char::is_ascii_digit).count();
        let mut seen = 0;
        let masked: String = rest
            .chars()
            .map(|c| {
                if !c.is_ascii_digit() {
                    return if c == ' ' { ' ' } else { c };
                }
                seen += 1;
                if seen + 2 > digits { c } else { '•' }
            })
            .collect();
        format!("{code} {masked}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A mobile number of each supported country (national form where it
    /// has one), from the numbering plans' published mobile ranges.
    const MOBILES: [(&str, &str); 13] = [
        ("US", "(201) 555-0123"),
        ("CA", "506-234-5678"),
        ("MX", "+52 55 1234 5678"),
        ("GB", "07400 123456"),
        ("IE", "085 012 3456"),
        ("FR", "06 12 34 56 78"),
        ("DE", "01512 3456789"),
        ("ES", "612 34 56 78"),
        ("IT", "312 345 6789"),
        ("AU", "0412 345 678"),
        ("NZ", "021 123 4567"),
        ("SG", "8123 4567"),
        ("HK", "5123 4567"),
    ];

    #[test]
    fn a_mobile_number_of_each_supported_country_is_accepted() {
        for (iso, number) in MOBILES {
            let phone = Phone::parse(iso, number).unwrap_or_else(|e| panic!("{iso} {number}: {e}"));
            let info = SmsCountryInfo::find(iso).unwrap();
            assert!(
                phone.e164().starts_with(&format!("+{}", info.calling_code)),
                "{iso}: {}",
                phone.e164()
            );
        }
    }

    #[test]
    fn the_shared_list_agrees_with_the_numbering_metadata() {
        for info in SMS_COUNTRIES {
            let id: country::Id = info.iso.parse().unwrap();
            let meta = phonenumber::metadata::DATABASE.by_id(id.as_ref()).unwrap();
            assert_eq!(meta.country_code(), info.calling_code, "{}", info.iso);
        }
    }

    #[test]
    fn international_input_with_separators_is_stored_in_e164() {
        let phone = Phone::parse("FR", "+33 6.12.34.56.78").unwrap();
        assert_eq!(phone.e164(), "+33612345678");
        assert_eq!(Phone::parse("FR", "06-12-34-56-78").unwrap(), phone);
        assert_eq!(Phone::from_e164("+33612345678").unwrap(), phone);
    }

    #[test]
    fn the_mask_keeps_the_calling_code_and_the_last_two_digits() {
        let phone = Phone::parse("FR", "0612345678").unwrap();
        assert_eq!(phone.masked(), "+33 • •• •• •• 78");
        assert!(!format!("{phone:?}").contains("1234"));
    }

    #[test]
    fn numbers_that_cannot_receive_texts_are_refused() {
        assert_eq!(
            Phone::parse("FR", "08 99 12 34 56"),
            Err(PhoneError::SpecialRate)
        );
        assert_eq!(
            Phone::parse("FR", "0800 12 34 56"),
            Err(PhoneError::SpecialRate)
        );
        assert_eq!(
            Phone::parse("US", "(800) 234-5678"),
            Err(PhoneError::SpecialRate)
        );
        assert_eq!(
            Phone::parse("GB", "0909 876 5432"),
            Err(PhoneError::SpecialRate)
        );
        assert_eq!(
            Phone::parse("FR", "01 42 68 53 00"),
            Err(PhoneError::FixedLine)
        );
        assert_eq!(
            Phone::parse("GB", "056 1234 5678"),
            Err(PhoneError::CannotReceiveTexts)
        );
    }

    #[test]
    fn a_number_of_another_country_or_nonsense_is_refused() {
        assert_eq!(
            Phone::parse("FR", "+44 7400 123456"),
            Err(PhoneError::OtherCountry)
        );
        assert_eq!(
            Phone::parse("CA", "(201) 555-0123"),
            Err(PhoneError::OtherCountry)
        );
        assert_eq!(Phone::parse("FR", "06 12"), Err(PhoneError::Invalid));
        assert_eq!(Phone::parse("FR", "hello"), Err(PhoneError::Invalid));
        assert_eq!(Phone::parse("FR", "  "), Err(PhoneError::Empty));
        assert_eq!(Phone::parse("ZZ", "0612345678"), Err(PhoneError::Invalid));
    }

    #[test]
    fn payees_get_the_united_states_only() {
        let payee: Vec<_> = countries_for(true).map(|c| c.iso).collect();
        assert_eq!(payee, ["US"]);
        assert_eq!(countries_for(false).count(), 13);
        assert!(available("fr", false).is_some());
        assert!(available("FR", true).is_none());
        assert!(available("CI", false).is_none());
    }

    proptest! {
        #[test]
        fn parsing_never_panics(iso in "[A-Z]{2}", input in "\\PC{0,60}") {
            let _ = Phone::parse(&iso, &input);
        }

        #[test]
        fn parsing_digit_soup_never_panics(input in "[+0-9 .()-]{0,40}") {
            for info in SMS_COUNTRIES {
                if let Ok(phone) = Phone::parse(info.iso, &input) {
                    prop_assert_eq!(Phone::from_e164(phone.e164()), Some(phone));
                }
            }
        }
    }
}
