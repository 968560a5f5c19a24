//! Label selectors (`matchLabels` and `matchExpressions`).

use kubefort_model::Node;
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    DoesNotExist,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: Op,
}

/// A parsed `metav1.LabelSelector`. The empty selector matches everything.
/// A selector the API server would reject matches nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
    /// Why the selector is invalid, when it is.
    pub invalid: Option<String>,
}

impl Selector {
    pub fn everything() -> Selector {
        Selector::default()
    }
    pub fn is_everything(&self) -> bool {
        self.requirements.is_empty() && self.invalid.is_none()
    }

    pub fn parse(node: &Node) -> Selector {
        let mut s = Selector::default();
        if node.is_null() {
            return s;
        }
        if node.as_map().is_none() {
            s.invalid = Some(format!("a selector must be a map, not a {}", node.type_name()));
            return s;
        }
        if let Some(ml) = node.get("matchLabels") {
            match ml.as_map() {
                Some(m) => {
                    for (k, v) in m.iter() {
                        match v.scalar_text() {
                            Some(v) => s.requirements.push(Requirement { key: k.to_owned(), op: Op::In(vec![v]) }),
                            None => s.invalid = Some(format!("matchLabels.{k} is not a string")),
                        }
                    }
                }
                None if ml.is_null() => {}
                None => s.invalid = Some("matchLabels must be a map".into()),
            }
        }
        for e in node.get("matchExpressions").map(Node::as_seq).unwrap_or(&[]) {
            let key = e.get("key").and_then(Node::as_str).unwrap_or("").to_owned();
            let values: Vec<String> =
                e.get("values").map(Node::as_seq).unwrap_or(&[]).iter().filter_map(Node::scalar_text).collect();
            let op = match e.get("operator").and_then(Node::as_str) {
                Some("In") => Op::In(values.clone()),
                Some("NotIn") => Op::NotIn(values.clone()),
                Some("Exists") => Op::Exists,
                Some("DoesNotExist") => Op::DoesNotExist,
                other => {
                    s.invalid = Some(format!("unknown matchExpressions operator {other:?}"));
                    continue;
                }
            };
            if key.is_empty() {
                s.invalid = Some("a matchExpressions entry has no key".into());
            } else if matches!(op, Op::In(_) | Op::NotIn(_)) && values.is_empty() {
                s.invalid = Some(format!("matchExpressions on `{key}`: In and NotIn need values"));
            } else if matches!(op, Op::Exists | Op::DoesNotExist) && !values.is_empty() {
                s.invalid = Some(format!("matchExpressions on `{key}`: Exists and DoesNotExist take no values"));
            }
            s.requirements.push(Requirement { key, op });
        }
        s
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        if self.invalid.is_some() {
            return false;
        }
        self.requirements.iter().all(|r| {
            let v = labels.get(&r.key);
            match &r.op {
                Op::In(vals) => v.is_some_and(|v| vals.contains(v)),
                Op::NotIn(vals) => v.is_none_or(|v| !vals.contains(v)),
                Op::Exists => v.is_some(),
                Op::DoesNotExist => v.is_none(),
            }
        })
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(why) = &self.invalid {
            return write!(f, "<invalid: {why}>");
        }
        if self.requirements.is_empty() {
            return f.write_str("{}");
        }
        let parts: Vec<String> = self
            .requirements
            .iter()
            .map(|r| match &r.op {
                Op::In(v) if v.len() == 1 => format!("{}={}", r.key, v[0]),
                Op::In(v) => format!("{} in ({})", r.key, v.join(",")),
                Op::NotIn(v) => format!("{} notin ({})", r.key, v.join(",")),
                Op::Exists => r.key.clone(),
                Op::DoesNotExist => format!("!{}", r.key),
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubefort_model::Pos;

    fn sel(json: serde_json::Value) -> Selector {
        Selector::parse(&Node::from_json(&json, Pos::default()))
    }
    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn every_operator() {
        let s = sel(serde_json::json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["a", "b"]},
                {"key": "env", "operator": "NotIn", "values": ["prod"]},
                {"key": "team", "operator": "Exists"},
                {"key": "legacy", "operator": "DoesNotExist"}
            ]
        }));
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "b"), ("team", "x")])));
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "a"), ("team", "x"), ("env", "dev")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "c"), ("team", "x")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "a"), ("team", "x"), ("env", "prod")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "a")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "a"), ("team", "x"), ("legacy", "1")])));
        assert!(!s.matches(&labels(&[("app", "db"), ("tier", "a"), ("team", "x")])));
        assert_eq!(s.to_string(), "app=web,tier in (a,b),env notin (prod),team,!legacy");
    }

    #[test]
    fn empty_matches_all_and_invalid_matches_nothing() {
        assert!(sel(serde_json::json!({})).matches(&labels(&[])));
        assert!(sel(serde_json::json!(null)).is_everything());
        let bad = sel(serde_json::json!({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]}));
        assert!(bad.invalid.is_some());
        assert!(!bad.matches(&labels(&[("a", "x")])));
        assert!(sel(serde_json::json!({"matchExpressions": [{"key": "a", "operator": "In"}]})).invalid.is_some());
        assert!(sel(serde_json::json!(["x"])).invalid.is_some());
    }
}
