use crate::suppression::{self, ANNOTATION};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags `kubefort.io/ignore` entries that kubefort cannot apply: an
    /// unknown rule id or an `until` that is not a `YYYY-MM-DD` date.
    ///
    /// ## Why is this bad?
    /// A typo in a suppression silently suppresses nothing (or, worse, the
    /// author believes a risk was reviewed when the rule still fires).
    ///
    /// ## Example
    /// ```yaml
    /// kubefort.io/ignore: "KF-POD-01=legacy until next quarter"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kubefort.io/ignore: "KF-POD-010=legacy agent until 2027-03-31"
    /// ```
    pub struct SuppressionInvalid {
        id: "KF-CFG-003",
        name: "suppression-invalid",
        title: "Suppression names an unknown rule or a bad date",
        severity: Low,
        fix: "Use a rule id from `kubefort rules` and a YYYY-MM-DD date",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(value) = cx.object.annotation(ANNOTATION) else { return };
    for entry in suppression::parse(value) {
        let problem = match (&entry.problem, crate::find_rule(&entry.rule)) {
            (Some(p), _) => p.clone(),
            (None, None) if !entry.rule.contains(':') => format!("`{}` is not a kubefort rule", entry.rule),
            _ => continue,
        };
        sink.report(
            &SuppressionInvalid::META,
            super::annotation_pointer(),
            format!("suppression of {} cannot apply: {problem}", entry.rule),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::check;

    #[test]
    fn unknown_rules_and_bad_dates() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    kubefort.io/ignore: \"KF-POD-01=x; KF-POD-001=y until soon; privileged-container=ok; pss:privileged=ok\"\n";
        let f = check(&SuppressionInvalid, yaml);
        let messages: Vec<_> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("`KF-POD-01` is not a kubefort rule"));
        assert!(messages[1].contains("`soon` is not a date"));
    }
}
