//! The recovery code's text file: what is in it and what it is called.

use mfa_api::PRODUCT_NAME;

use crate::i18n::{Locale, td_string};

/// `TwoStep-recovery-code-<account>.txt`, with anything odd in the account replaced.
pub fn file_name(account: &str) -> String {
    let safe: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{PRODUCT_NAME}-recovery-code-{safe}.txt")
}

/// The file's text, in the reader's language, with Windows-friendly line ends.
pub fn contents(locale: Locale, account: &str, date: &str, code: &str) -> String {
    let lines = [
        td_string!(locale, recovery_file_title, product = PRODUCT_NAME).to_string(),
        String::new(),
        format!("{}: {account}", td_string!(locale, recovery_file_account)),
        format!("{}: {date}", td_string!(locale, recovery_file_created)),
        String::new(),
        format!("    {code}"),
        String::new(),
        td_string!(locale, recovery_file_how).to_string(),
        String::new(),
        td_string!(locale, recovery_file_once).to_string(),
        String::new(),
    ];
    lines.join("\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_named_after_the_product_and_account() {
        assert_eq!(
            file_name("member@demo.test"),
            "TwoStep-recovery-code-member@demo.test.txt"
        );
        assert_eq!(
            file_name("a/b c@x.y"),
            "TwoStep-recovery-code-a_b_c@x.y.txt"
        );
    }

    #[test]
    fn the_file_says_what_the_code_is_and_how_to_use_it() {
        let text = contents(
            Locale::en,
            "member@demo.test",
            "2026-11-28",
            "ABCD-EFGH-IJKL-MNOP",
        );
        assert!(text.starts_with("TwoStep recovery code\r\n"));
        assert!(text.contains("Account: member@demo.test"));
        assert!(text.contains("Created: 2026-11-28"));
        assert!(text.contains("    ABCD-EFGH-IJKL-MNOP\r\n"));
        assert!(text.contains("Use your recovery code instead"));
        assert!(text.contains("works once"));
        let fr = contents(
            Locale::fr,
            "member@demo.test",
            "2026-11-28",
            "ABCD-EFGH-IJKL-MNOP",
        );
        assert!(
            fr.contains("Compte : member@demo.test") || fr.contains("Compte: member@demo.test")
        );
    }
}
