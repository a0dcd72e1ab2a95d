//! Rules shared by every kind of second factor.

/// After factors were added or removed: the factor to mark preferred when
/// none is (the oldest one, given oldest first), or `None` when one already
/// is or there are none. `factors` are `(id, preferred)` pairs.
pub fn preferred_to_set(factors: impl IntoIterator<Item = (i64, bool)>) -> Option<i64> {
    let mut first = None;
    for (id, preferred) in factors {
        if preferred {
            return None;
        }
        first.get_or_insert(id);
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_factor_is_always_preferred() {
        assert_eq!(preferred_to_set([]), None);
        assert_eq!(preferred_to_set([(4, false), (7, false)]), Some(4));
        assert_eq!(preferred_to_set([(4, false), (7, true)]), None);
    }
}
