//! The readiness list's filter and sorting, as plain functions tested on
//! the host.

use mfa_api::MemberReadiness;

/// A column the list can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Name,
    Email,
    LastSignIn,
    Reminders,
}

/// How the list is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    /// Matched against name and email, case-insensitively.
    pub filter: String,
    /// Enrolled members too (for "Reset MFA"), not only those not enrolled.
    pub everyone: bool,
    pub sort: Column,
    pub ascending: bool,
}

impl Default for View {
    fn default() -> Self {
        Self {
            filter: String::new(),
            everyone: false,
            sort: Column::Name,
            ascending: true,
        }
    }
}

impl View {
    /// A click on a column's header: that column, or the other direction.
    pub fn sort_by(&mut self, column: Column) {
        if self.sort == column {
            self.ascending = !self.ascending;
        } else {
            self.sort = column;
            self.ascending = true;
        }
    }

    /// `aria-sort` for a column's header.
    pub fn aria_sort(&self, column: Column) -> &'static str {
        match (self.sort == column, self.ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        }
    }

    /// The members to show, in order.
    pub fn apply(&self, members: &[MemberReadiness]) -> Vec<MemberReadiness> {
        let needle = self.filter.trim().to_lowercase();
        let mut shown: Vec<MemberReadiness> = members
            .iter()
            .filter(|m| self.everyone || !m.enrolled)
            .filter(|m| {
                needle.is_empty()
                    || m.name.to_lowercase().contains(&needle)
                    || m.email.to_lowercase().contains(&needle)
            })
            .cloned()
            .collect();
        shown.sort_by(|a, b| {
            let order = match self.sort {
                Column::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
                Column::Email => a.email.cmp(&b.email),
                Column::LastSignIn => a.last_sign_in_at.cmp(&b.last_sign_in_at),
                Column::Reminders => a.reminders_sent.cmp(&b.reminders_sent),
            };
            if self.ascending {
                order
            } else {
                order.reverse()
            }
        });
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, enrolled: bool, last: Option<i64>, reminders: i64) -> MemberReadiness {
        MemberReadiness {
            user_id: 0,
            name: name.into(),
            email: format!("{}@demo.test", name.to_lowercase()),
            enrolled,
            last_sign_in_at: last,
            reminders_sent: reminders,
        }
    }

    #[test]
    fn the_list_filters_and_sorts() {
        let members = [
            member("Pat", false, Some(5), 2),
            member("Morgan", false, None, 1),
            member("Alex", true, Some(9), 0),
        ];
        let mut view = View::default();
        let names = |view: &View| {
            view.apply(&members)
                .into_iter()
                .map(|m| m.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&view), ["Morgan", "Pat"], "not enrolled, by name");
        view.sort_by(Column::Name);
        assert_eq!(names(&view), ["Pat", "Morgan"]);
        assert_eq!(view.aria_sort(Column::Name), "descending");
        view.sort_by(Column::Reminders);
        assert_eq!(names(&view), ["Morgan", "Pat"]);
        assert_eq!(view.aria_sort(Column::Name), "none");
        view.everyone = true;
        view.sort_by(Column::LastSignIn);
        assert_eq!(
            names(&view),
            ["Morgan", "Pat", "Alex"],
            "never signed in first"
        );
        view.filter = "PAT@".into();
        assert_eq!(names(&view), ["Pat"]);
    }
}
