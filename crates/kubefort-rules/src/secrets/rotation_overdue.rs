use super::{is_core_secret, is_managed};
use kubefort_model::{declare_rule, Context, Date, Node, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Secrets whose `metadata.creationTimestamp` is older than the
    /// rotation age (`secretRotationDays` in `.kubefort.yaml`, default 90
    /// days). Only objects that carry a creation timestamp are checked,
    /// which in practice means objects read from a cluster or exported
    /// from one. Managed Secrets (owned by a SealedSecret or
    /// ExternalSecret) are rotated by their manager and not flagged.
    ///
    /// ## Why is this bad?
    /// A credential that never changes stays valid for whoever copied it
    /// from a log, a backup or a former colleague's laptop. Periodic
    /// rotation bounds that exposure.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Secret
    /// metadata:
    ///   name: db
    ///   creationTimestamp: "2021-03-01T10:00:00Z"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # rotate the credential at its source and recreate the Secret,
    /// # or let an external secret manager rotate it on a schedule
    /// kind: ExternalSecret
    /// spec:
    ///   refreshInterval: 1h
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
    pub struct RotationOverdue {
        id: "KF-SEC-010",
        name: "secret-rotation-overdue",
        title: "Secret older than the rotation age",
        severity: Low,
        fix: "Rotate the credential and recreate the Secret, or have a secret manager rotate it",
        references: [],
        check: check,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days(date: Date) -> i64 {
    let (y, m, d) = (i64::from(date.year), i64::from(date.month), i64::from(date.day));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let object = cx.object;
    if !is_core_secret(object) || is_managed(object) {
        return;
    }
    let Some(created) = object.metadata().and_then(|m| m.get("creationTimestamp")).and_then(Node::as_str) else {
        return;
    };
    let Some(date) = created.get(..10).and_then(Date::parse) else { return };
    let age = days(cx.settings.today) - days(date);
    let limit = i64::from(cx.settings.secret_rotation_days);
    if age > limit {
        sink.report(
            &RotationOverdue::META,
            "/metadata/creationTimestamp",
            format!("Secret {} was created {age} days ago ({created}), over the {limit}-day rotation age", object.name),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check_with, pointers};
    use kubefort_model::Settings;

    #[test]
    fn flags_secrets_older_than_the_configured_age() {
        let yaml = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: old\n  creationTimestamp: \"2024-01-01T00:00:00Z\"\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: new\n  creationTimestamp: \"2024-03-25T00:00:00Z\"\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: none}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: bad, creationTimestamp: soon}\n";
        let settings = Settings { today: Date::parse("2024-04-10").unwrap(), ..Settings::default() };
        let findings = check_with(&RotationOverdue, yaml, &settings);
        assert_eq!(pointers(&findings), [("/metadata/creationTimestamp".to_owned(), 5)]);
        assert_eq!(
            findings[0].message,
            "Secret old was created 100 days ago (2024-01-01T00:00:00Z), over the 90-day rotation age"
        );
        let strict = Settings { secret_rotation_days: 10, ..settings };
        assert_eq!(check_with(&RotationOverdue, yaml, &strict).len(), 2);
        assert_eq!(days(Date::parse("1970-01-02").unwrap()), 1);
    }
}
