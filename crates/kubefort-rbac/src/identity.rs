//! Who is asking: a user name and the groups the API server would give it.

use crate::policy::{Subject, SubjectKind};
use serde::Serialize;

pub const AUTHENTICATED: &str = "system:authenticated";
pub const UNAUTHENTICATED: &str = "system:unauthenticated";
pub const ANONYMOUS: &str = "system:anonymous";
pub const ALL_SERVICE_ACCOUNTS: &str = "system:serviceaccounts";
pub const SA_PREFIX: &str = "system:serviceaccount:";

/// A group and why the identity is in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub group: String,
    /// `None` when the group was asked for; otherwise why the API server
    /// adds it (`every service account`, `every authenticated user`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub implicit: Option<&'static str>,
}

/// The user an authorization question is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// The subject as asked (`sa:ns:name`, `user:x`, `group:g`).
    pub subject: Subject,
    /// The user name; `None` when asking about a group's members.
    pub user: Option<String>,
    pub groups: Vec<Membership>,
}

impl Identity {
    /// Parses `sa:NS:NAME`, `system:serviceaccount:NS:NAME`, `user:NAME` or `group:NAME`.
    pub fn parse(spec: &str) -> Result<Identity, String> {
        if let Some(rest) = spec.strip_prefix("sa:").or_else(|| spec.strip_prefix(SA_PREFIX)) {
            return match rest.split_once(':') {
                Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains(':') => {
                    Ok(Identity::service_account(ns, name))
                }
                _ => Err(format!("`{spec}`: a service account is sa:NAMESPACE:NAME")),
            };
        }
        if let Some(name) = spec.strip_prefix("user:").filter(|n| !n.is_empty()) {
            return Ok(Identity::user(name));
        }
        if let Some(name) = spec.strip_prefix("group:").filter(|n| !n.is_empty()) {
            return Ok(Identity::group(name));
        }
        Err(format!(
            "`{spec}`: SUBJECT is sa:NAMESPACE:NAME, system:serviceaccount:NAMESPACE:NAME, user:NAME or group:NAME"
        ))
    }

    pub fn service_account(namespace: &str, name: &str) -> Identity {
        Identity {
            subject: Subject {
                kind: SubjectKind::ServiceAccount,
                name: name.to_owned(),
                namespace: Some(namespace.to_owned()),
            },
            user: Some(format!("{SA_PREFIX}{namespace}:{name}")),
            groups: vec![
                Membership { group: ALL_SERVICE_ACCOUNTS.to_owned(), implicit: Some("every service account") },
                Membership {
                    group: format!("system:serviceaccounts:{namespace}"),
                    implicit: Some("every service account of the namespace"),
                },
                Membership { group: AUTHENTICATED.to_owned(), implicit: Some("every authenticated user") },
            ],
        }
    }

    /// A user; `system:serviceaccount:NS:NAME` is a service account,
    /// `system:anonymous` is unauthenticated.
    pub fn user(name: &str) -> Identity {
        if let Some((ns, sa)) = name.strip_prefix(SA_PREFIX).and_then(|r| r.split_once(':')) {
            if !ns.is_empty() && !sa.is_empty() && !sa.contains(':') {
                return Identity::service_account(ns, sa);
            }
        }
        let implicit = if name == ANONYMOUS {
            Membership { group: UNAUTHENTICATED.to_owned(), implicit: Some("the anonymous user") }
        } else {
            Membership { group: AUTHENTICATED.to_owned(), implicit: Some("every authenticated user") }
        };
        Identity {
            subject: Subject { kind: SubjectKind::User, name: name.to_owned(), namespace: None },
            user: Some(name.to_owned()),
            groups: vec![implicit],
        }
    }

    /// Any member of a group: the group itself and, unless it is
    /// `system:unauthenticated`, `system:authenticated`.
    pub fn group(name: &str) -> Identity {
        let mut groups = vec![Membership { group: name.to_owned(), implicit: None }];
        if name != UNAUTHENTICATED && name != AUTHENTICATED {
            groups.push(Membership { group: AUTHENTICATED.to_owned(), implicit: Some("every authenticated user") });
        }
        Identity {
            subject: Subject { kind: SubjectKind::Group, name: name.to_owned(), namespace: None },
            user: None,
            groups,
        }
    }

    /// Adds groups the user is known to belong to (`--group`).
    pub fn with_groups(mut self, groups: &[String]) -> Identity {
        for g in groups {
            if !self.groups.iter().any(|m| &m.group == g) {
                self.groups.push(Membership { group: g.clone(), implicit: None });
            }
        }
        self
    }

    pub fn display(&self) -> String {
        self.subject.display()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_subjects_with_their_implicit_groups() {
        let sa = Identity::parse("sa:ci:builder").unwrap();
        assert_eq!(sa.user.as_deref(), Some("system:serviceaccount:ci:builder"));
        let groups: Vec<_> = sa.groups.iter().map(|m| m.group.as_str()).collect();
        assert_eq!(groups, ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"]);
        assert_eq!(Identity::parse("system:serviceaccount:ci:builder").unwrap(), sa);
        assert_eq!(Identity::parse("user:system:serviceaccount:ci:builder").unwrap(), sa);

        let anon = Identity::parse("user:system:anonymous").unwrap();
        assert_eq!(anon.groups[0].group, "system:unauthenticated");
        assert_eq!(anon.groups.len(), 1);
        let alice = Identity::parse("user:alice").unwrap();
        assert_eq!(alice.groups[0].group, "system:authenticated");
        let devs = Identity::parse("group:devs").unwrap();
        assert_eq!(devs.user, None);
        assert_eq!(devs.groups.len(), 2);

        for bad in ["sa:ns", "sa::x", "sa:ns:", "bob", "user:", "group:", "sa:a:b:c"] {
            assert!(Identity::parse(bad).is_err(), "{bad}");
        }
    }
}
