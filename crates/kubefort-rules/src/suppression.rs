//! The `kubefort.io/ignore` annotation: `"KF-POD-002=reason; KF-IMG-001=reason until 2027-01-31"`.

use kubefort_model::Date;

pub const ANNOTATION: &str = "kubefort.io/ignore";

/// One entry of the annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Rule id or name as written.
    pub rule: String,
    /// Empty when the user gave none (such an entry does not suppress).
    pub reason: String,
    pub until: Option<Date>,
    /// A problem with the entry itself (e.g. an unreadable date).
    pub problem: Option<String>,
}

impl Entry {
    /// Whether this entry silences findings of the rule on `today`.
    pub fn suppresses(&self, today: Date) -> bool {
        self.problem.is_none() && !self.reason.is_empty() && self.until.is_none_or(|u| today <= u)
    }
}

/// Parses the annotation value. Never fails: problems are kept per entry.
pub fn parse(value: &str) -> Vec<Entry> {
    value
        .split([';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (rule, rest) = item.split_once('=').unwrap_or((item, ""));
            let rest = rest.trim();
            let (reason, until, problem) = match rest.rsplit_once(" until ") {
                Some((reason, date)) => match Date::parse(date) {
                    Some(d) => (reason.trim(), Some(d), None),
                    None => (reason.trim(), None, Some(format!("`{}` is not a date (YYYY-MM-DD)", date.trim()))),
                },
                None => (rest, None, None),
            };
            Entry { rule: rule.trim().to_owned(), reason: reason.to_owned(), until, problem }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_with_reasons_and_expiry() {
        let today = Date::parse("2026-11-25").unwrap();
        let e = parse("KF-POD-002=needs ptrace for the profiler; KF-IMG-001=vendor image until 2027-01-31;KF-POD-009; KF-POD-010=x until 2026-01-01; KF-POD-011=y until soon");
        assert_eq!(e.len(), 5);
        assert_eq!(e[0].rule, "KF-POD-002");
        assert_eq!(e[0].reason, "needs ptrace for the profiler");
        assert!(e[0].suppresses(today));
        assert_eq!(e[1].until, Date::parse("2027-01-31"));
        assert!(e[1].suppresses(today));
        assert_eq!(e[2].reason, "");
        assert!(!e[2].suppresses(today));
        assert!(!e[3].suppresses(today), "expired");
        assert!(e[4].problem.is_some());
        assert!(!e[4].suppresses(today));
    }
}
