//! Summaries of alerts: counts per rule and the subjects behind them.

use crate::Alert;
use kubefort_model::Severity;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// Counts alerts as they stream past (not the alerts themselves).
#[derive(Debug, Default)]
pub struct Summary {
    pub per_rule: BTreeMap<&'static str, (Severity, u64)>,
    pub subjects: HashMap<String, u64>,
    pub alerts: u64,
    pub max_severity: Option<Severity>,
}

impl Summary {
    pub fn add(&mut self, alert: &Alert) {
        self.alerts += 1;
        let entry = self.per_rule.entry(alert.rule).or_insert((alert.severity, 0));
        entry.1 += 1;
        if let Some(n) = self.subjects.get_mut(&alert.user) {
            *n += 1;
        } else if self.subjects.len() < 100_000 {
            self.subjects.insert(alert.user.clone(), 1);
        }
        self.max_severity = self.max_severity.max(Some(alert.severity));
    }

    pub fn at_or_above(&self, severity: Severity) -> u64 {
        self.per_rule.values().filter(|(s, _)| *s >= severity).map(|(_, n)| n).sum()
    }

    /// The human summary: counts per rule, then the top subjects.
    pub fn render(&self, title: impl Fn(&str) -> String, top: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} alert(s)", self.alerts);
        for (rule, (severity, n)) in &self.per_rule {
            let _ = writeln!(out, "  {rule:<11} {:<8} {n:>8}  {}", severity.as_str(), title(rule));
        }
        if !self.subjects.is_empty() {
            let mut subjects: Vec<(&String, &u64)> = self.subjects.iter().collect();
            subjects.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let _ = writeln!(out, "top subjects:");
            for (user, n) in subjects.into_iter().take(top) {
                let user = if user.is_empty() { "(none)" } else { user };
                let _ = writeln!(out, "  {n:>8}  {user}");
            }
        }
        out
    }
}
