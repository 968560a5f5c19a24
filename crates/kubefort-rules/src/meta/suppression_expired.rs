use crate::suppression::{self, ANNOTATION};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags `kubefort.io/ignore` entries whose `until` date has passed. An
    /// expired entry no longer suppresses its rule.
    ///
    /// ## Why is this bad?
    /// An expiry date is a promise to revisit an accepted risk. Once it
    /// passes, the finding is back and someone should decide again.
    ///
    /// ## Example
    /// ```yaml
    /// kubefort.io/ignore: "KF-IMG-001=vendor image until 2024-01-31"
    /// ```
    ///
    /// ## Use instead
    /// Fix the finding, or renew the decision with a new date:
    /// ```yaml
    /// kubefort.io/ignore: "KF-IMG-001=vendor ships no tags yet, ticket OPS-12 until 2027-03-31"
    /// ```
    pub struct SuppressionExpired {
        id: "KF-CFG-002",
        name: "suppression-expired",
        title: "Suppression has expired",
        severity: Low,
        fix: "Fix the finding or renew the suppression with a new `until` date",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(value) = cx.object.annotation(ANNOTATION) else { return };
    for entry in suppression::parse(value) {
        if let Some(until) = entry.until.filter(|u| *u < cx.settings.today) {
            sink.report(
                &SuppressionExpired::META,
                super::annotation_pointer(),
                format!("suppression of {} expired on {until}; it no longer applies", entry.rule),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::check_with;
    use kubefort_model::{Date, Settings};

    #[test]
    fn expired_entries_are_flagged_on_the_day_after() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    kubefort.io/ignore: \"KF-POD-001=a until 2026-11-24; KF-POD-002=b until 2026-11-25\"\n";
        let settings = Settings { today: Date::parse("2026-11-25").unwrap(), ..Settings::default() };
        let f = check_with(&SuppressionExpired, yaml, &settings);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("KF-POD-001 expired on 2026-11-24"));
    }
}
