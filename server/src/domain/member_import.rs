//! Members imported from a CSV file: `email,name,role` with a header row
//! (role optional, `member` by default), as spreadsheets write it: UTF-8
//! with or without a byte-order mark, commas or semicolons, fields quoted
//! with `"` (and `""` inside). Each row is an invitation to make, or why
//! not; checking against the company (a member already, invited already)
//! is the service's.

use mfa_api::CompanyRole;

use super::email::Email;

/// The most rows one file may hold.
pub const MAX_ROWS: usize = 10_000;

/// One row of the file, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRow {
    /// Its line in the file (the header is line 1).
    pub line: usize,
    pub email: String,
    pub name: String,
    pub outcome: Result<(Email, CompanyRole), RowError>,
}

/// Why a row cannot be an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowError {
    InvalidEmail,
    UnknownRole,
    /// The same address on an earlier row.
    Duplicate,
    MissingName,
}

impl RowError {
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidEmail => "invalid_email",
            Self::UnknownRole => "unknown_role",
            Self::Duplicate => "duplicate",
            Self::MissingName => "missing_name",
        }
    }
}

/// Why the file as a whole cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file has no header row with an email column")]
    NoEmailColumn,
    #[error("the file has more than {MAX_ROWS} rows")]
    TooManyRows,
}

/// Reads the whole file.
pub fn parse(text: &str) -> Result<Vec<ImportRow>, FileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = records(text).into_iter();
    let (_, header) = records.next().ok_or(FileError::NoEmailColumn)?;
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let email_at = column("email").ok_or(FileError::NoEmailColumn)?;
    let name_at = column("name");
    let role_at = column("role");
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::new();
    for (line, fields) in records {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
        let field = |at: Option<usize>| at.and_then(|i| fields.get(i)).map_or("", |f| f.trim());
        let email = field(Some(email_at)).to_owned();
        let name = field(name_at).to_owned();
        let outcome = match (Email::parse(&email), role(field(role_at))) {
            (Err(_), _) => Err(RowError::InvalidEmail),
            (_, None) => Err(RowError::UnknownRole),
            (Ok(_), _) if name.is_empty() => Err(RowError::MissingName),
            (Ok(email), Some(role)) => {
                if seen.insert(email.as_str().to_owned()) {
                    Ok((email, role))
                } else {
                    Err(RowError::Duplicate)
                }
            }
        };
        rows.push(ImportRow {
            line,
            email,
            name,
            outcome,
        });
    }
    Ok(rows)
}

/// A role as people write it in a spreadsheet (either language); empty is
/// a member.
fn role(text: &str) -> Option<CompanyRole> {
    match text.trim().to_lowercase().as_str() {
        "" | "member" | "membre" => Some(CompanyRole::Member),
        "admin" | "company admin" | "administrator" | "administrateur" => Some(CompanyRole::Admin),
        "payee" | "bénéficiaire" | "beneficiaire" => Some(CompanyRole::Payee),
        _ => None,
    }
}

/// The file's records, each with the line it starts on. The separator is
/// the header line's: a semicolon when it has one outside quotes and no
/// comma, else a comma.
fn records(text: &str) -> Vec<(usize, Vec<String>)> {
    let first_line = text.lines().next().unwrap_or_default();
    let separator = if first_line.contains(';') && !first_line.contains(',') {
        ';'
    } else {
        ','
    };
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut starts_on = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, c) if c == separator => fields.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                records.push((starts_on, std::mem::take(&mut fields)));
                line += 1;
                starts_on = line;
            }
            (_, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((starts_on, fields));
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(text: &str) -> Vec<(usize, String, Result<CompanyRole, RowError>)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|r| (r.line, r.email, r.outcome.map(|(_, role)| role)))
            .collect()
    }

    #[test]
    fn reads_what_spreadsheets_write() {
        let file = "\u{feff}Email;Name;Role\r\nada@acme.test;\"Lovelace; Ada\";admin\r\n\r\nbob@acme.test;Bob;\r\n";
        assert_eq!(
            outcomes(file),
            [
                (2, "ada@acme.test".to_owned(), Ok(CompanyRole::Admin)),
                (4, "bob@acme.test".to_owned(), Ok(CompanyRole::Member)),
            ]
        );
        let rows = parse(file).unwrap();
        assert_eq!(rows[0].name, "Lovelace; Ada");
        let commas = "email,name\n\"c@acme.test\",\"Chris \"\"the boss\"\"\"\n";
        assert_eq!(parse(commas).unwrap()[0].name, "Chris \"the boss\"");
        let multiline = "email,name\nd@acme.test,\"Dana\nDoe\"\ne@acme.test,Eve";
        assert_eq!(
            outcomes(multiline).iter().map(|r| r.0).collect::<Vec<_>>(),
            [2, 4]
        );
    }

    #[test]
    fn bad_rows_say_why_and_the_rest_stand() {
        let file = "email,name,role\nnot-an-email,X,member\nf@acme.test,F,boss\ng@acme.test,G,payee\nG@acme.test,G again,member\nh@acme.test,,member\n";
        assert_eq!(
            outcomes(file).into_iter().map(|r| r.2).collect::<Vec<_>>(),
            [
                Err(RowError::InvalidEmail),
                Err(RowError::UnknownRole),
                Ok(CompanyRole::Payee),
                Err(RowError::Duplicate),
                Err(RowError::MissingName),
            ]
        );
    }

    #[test]
    fn a_file_without_an_email_column_or_too_long_is_refused() {
        assert_eq!(parse(""), Err(FileError::NoEmailColumn));
        assert_eq!(parse("name,role\nx,y"), Err(FileError::NoEmailColumn));
        let mut big = String::from("email,name\n");
        for i in 0..MAX_ROWS {
            big.push_str(&format!("p{i}@acme.test,P {i}\n"));
        }
        assert_eq!(parse(&big).unwrap().len(), MAX_ROWS);
        big.push_str("one@more.test,One\n");
        assert_eq!(parse(&big), Err(FileError::TooManyRows));
    }
}
