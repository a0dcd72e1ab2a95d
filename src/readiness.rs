//! The readiness list's view state: its filter, sort order and page, as the
//! query the server answers (it filters, sorts and pages; a company may have
//! 100,000 members). Plain functions, tested on the host.

use mfa_api::{READINESS_PAGE_SIZE, ReadinessQuery, ReadinessSort};

/// A column the list can be sorted by.
pub type Column = ReadinessSort;

/// How the list is shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View(pub ReadinessQuery);

impl View {
    /// A click on a column's header: that column, or the other direction;
    /// back to the first page.
    pub fn sort_by(&mut self, column: Column) {
        if self.0.sort == column {
            self.0.descending = !self.0.descending;
        } else {
            self.0.sort = column;
            self.0.descending = false;
        }
        self.0.page = 1;
    }

    /// `aria-sort` for a column's header.
    pub fn aria_sort(&self, column: Column) -> &'static str {
        match (self.0.sort == column, self.0.descending) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }

    pub fn set_filter(&mut self, filter: String) {
        self.0.filter = filter;
        self.0.page = 1;
    }

    pub fn set_everyone(&mut self, everyone: bool) {
        self.0.everyone = everyone;
        self.0.page = 1;
    }

    /// Pages of `matching` members.
    pub fn pages(matching: usize) -> u32 {
        u32::try_from(matching.div_ceil(READINESS_PAGE_SIZE as usize))
            .unwrap_or(u32::MAX)
            .max(1)
    }

    /// The page after `self`'s, when `matching` members fill more pages.
    pub fn next(&self, matching: usize) -> Option<Self> {
        (self.0.page < Self::pages(matching)).then(|| self.at_page(self.0.page + 1))
    }

    pub fn previous(&self) -> Option<Self> {
        (self.0.page > 1).then(|| self.at_page(self.0.page - 1))
    }

    fn at_page(&self, page: u32) -> Self {
        let mut view = self.clone();
        view.0.page = page;
        view
    }

    /// The rows shown, from 1: `(first, last)`; `None` when none match.
    pub fn shown(&self, rows: usize) -> Option<(usize, usize)> {
        let first = (self.0.page as usize - 1) * READINESS_PAGE_SIZE as usize + 1;
        (rows > 0).then(|| (first, first + rows - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_toggles_and_returns_to_the_first_page() {
        let mut view = View::default();
        assert_eq!(view.aria_sort(Column::Name), "ascending");
        view.0.page = 3;
        view.sort_by(Column::Name);
        assert_eq!(view.aria_sort(Column::Name), "descending");
        assert_eq!(view.0.page, 1);
        view.sort_by(Column::Reminders);
        assert_eq!(view.aria_sort(Column::Name), "none");
        assert_eq!(view.aria_sort(Column::Reminders), "ascending");
        view.0.page = 2;
        view.set_filter("pat".into());
        assert_eq!(view.0.page, 1);
    }

    #[test]
    fn pages_follow_the_matching_count() {
        let view = View::default();
        assert_eq!(View::pages(0), 1);
        assert_eq!(View::pages(50), 1);
        assert_eq!(View::pages(51), 2);
        assert!(view.previous().is_none());
        assert!(view.next(50).is_none());
        let second = view.next(90_000).unwrap();
        assert_eq!(second.0.page, 2);
        assert_eq!(second.shown(50), Some((51, 100)));
        assert_eq!(second.previous().unwrap().0.page, 1);
        let last = View(ReadinessQuery {
            page: 1800,
            ..Default::default()
        });
        assert!(last.next(90_000).is_none());
        assert_eq!(view.shown(0), None);
    }

    #[test]
    fn the_query_string_encodes_the_filter() {
        let mut view = View::default();
        view.set_filter("Pat & co%".into());
        assert_eq!(
            view.0.to_query_string(),
            "filter=Pat%20%26%20co%25&everyone=false&sort=name&descending=false&page=1"
        );
    }
}
