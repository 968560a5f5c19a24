use crate::suppression::{self, ANNOTATION};
use kubefort_model::{declare_rule, Context, Sink};

declare_rule! {
    /// ## What it does
    /// Flags entries of the `kubefort.io/ignore` annotation that name a rule
    /// but give no reason. Such an entry does not suppress anything.
    ///
    /// ## Why is this bad?
    /// A suppression is an accepted risk. Without a reason nobody can later
    /// tell whether it is still justified, and reviews wave it through.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     kubefort.io/ignore: "KF-POD-009"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     kubefort.io/ignore: "KF-POD-009=CNI agent needs the host network until 2027-01-31"
    /// ```
    pub struct SuppressionWithoutReason {
        id: "KF-CFG-001",
        name: "suppression-without-reason",
        title: "Suppression without a reason",
        severity: Medium,
        fix: "Write `RULE=reason` (optionally `until YYYY-MM-DD`) in the kubefort.io/ignore annotation",
        references: [],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(value) = cx.object.annotation(ANNOTATION) else { return };
    for entry in suppression::parse(value).into_iter().filter(|e| e.reason.is_empty()) {
        sink.report(
            &SuppressionWithoutReason::META,
            super::annotation_pointer(),
            format!("suppression of {} has no reason, so it does not apply", entry.rule),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::check;

    #[test]
    fn reasonless_entries_are_flagged_and_do_not_suppress_others() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    kubefort.io/ignore: \"KF-POD-001; KF-POD-002=ok; KF-CFG-001=\"\nspec: {}\n";
        let f = check(&SuppressionWithoutReason, yaml);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].message.contains("KF-POD-001"));
        assert!(f[1].message.contains("KF-CFG-001"), "an empty reason is no reason");
        assert_eq!(f[0].location.line, 6);
        assert_eq!(f[0].pointer, "/metadata/annotations/kubefort.io~1ignore");
    }
}
