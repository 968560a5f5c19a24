use crate::{Date, Finding, Inventory, Object, ObjectRef, Severity};
use std::sync::Arc;

/// A rule's identity and documentation. Built by [`declare_rule!`](crate::declare_rule)
/// from the rule's doc comment, so `kubefort explain` and the rule catalog
/// can never drift from the code.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable id, grouped by area: `KF-POD-001`.
    pub id: &'static str,
    /// Kebab-case name: `privileged-container`.
    pub name: &'static str,
    /// One line saying what is wrong when the rule fires.
    pub title: &'static str,
    pub severity: Severity,
    /// One line saying how to fix it.
    pub fix: &'static str,
    /// Equivalent checks of other tools and benchmarks (`checkov:CKV_K8S_16`).
    pub references: &'static [&'static str],
    /// The doc comment, with sections `## What it does`, `## Why is this bad?`,
    /// `## Example`, `## Use instead`, `## References`.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The doc comment with rustdoc's leading space removed from each line.
    pub fn documentation(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim_end().to_owned()
    }

    /// The text of one `## Heading` section of the documentation.
    pub fn section(&self, heading: &str) -> Option<String> {
        let doc = self.documentation();
        let mut lines = doc.lines().skip_while(|l| l.trim() != format!("## {heading}"));
        lines.next()?;
        let body: Vec<&str> = lines.take_while(|l| !l.starts_with("## ")).collect();
        Some(body.join("\n").trim().to_owned())
    }
}

/// Settings from `.kubefort.yaml` that change what rules check.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Registries images may come from (`registry.example.com`, `ghcr.io/org`).
    /// Empty: the trusted-registry rule is off.
    pub trusted_registries: Vec<String>,
    /// The day suppressions' `until` dates are compared with.
    pub today: Date,
    /// Pod Security Standards level (`baseline`, `restricted`) and version
    /// (`v1.N`, `latest`) for namespaces that pin none (`.kubefort.yaml`
    /// `pss`); `None` means restricted and latest.
    pub pss_level: Option<String>,
    pub pss_version: Option<String>,
    /// Namespaces where privileged workloads are expected (`.kubefort.yaml`
    /// `privilegedNamespaces`; empty means `kube-system`).
    pub privileged_namespaces: Vec<String>,
    /// Age in days after which a Secret should have been rotated
    /// (`.kubefort.yaml` `secretRotationDays`, default 90).
    pub secret_rotation_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            trusted_registries: Vec::new(),
            today: Date::today(),
            pss_level: None,
            pss_version: None,
            privileged_namespaces: Vec::new(),
            secret_rotation_days: 90,
        }
    }
}

impl Settings {
    /// The configured privileged namespaces, `kube-system` when none are.
    pub fn is_privileged_namespace(&self, namespace: &str) -> bool {
        if self.privileged_namespaces.is_empty() {
            namespace == "kube-system"
        } else {
            self.privileged_namespaces.iter().any(|n| n == namespace)
        }
    }
}

/// What a rule sees while checking one object.
pub struct Context<'a> {
    pub object: &'a Object,
    pub inventory: &'a Inventory,
    pub settings: &'a Settings,
}

/// A check that runs on every object. Implemented by [`declare_rule!`](crate::declare_rule).
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>);
    /// Work on the whole inventory this rule needs done before objects are
    /// checked (see [`Prepare`]).
    fn prepare(&self) -> Option<Prepare> {
        None
    }
}

/// A per-run model that rules share (a cluster's network, its RBAC graph),
/// built into the inventory's memo. The engine runs every selected rule's
/// `Prepare` once, side by side, before checking any object: built lazily
/// by the first object that needs it, a model held the other threads up
/// while one thread built it. Rules that share a model give the same `name`.
#[derive(Debug, Clone, Copy)]
pub struct Prepare {
    pub name: &'static str,
    pub run: fn(&Inventory),
}

/// Collects the findings of the rules run on one object.
pub struct Sink<'a> {
    object: &'a Object,
    /// Built on the first finding and shared by the object's others.
    reference: Option<Arc<ObjectRef>>,
    findings: Vec<Finding>,
}

impl<'a> Sink<'a> {
    pub fn new(object: &'a Object) -> Self {
        Sink { object, reference: None, findings: Vec::new() }
    }
    /// Records a finding at `pointer` (the field at fault, which may be
    /// missing: the location falls back to its nearest existing parent).
    /// Returns it so a rule can raise the severity or attach evidence.
    pub fn report(
        &mut self,
        meta: &'static RuleMeta,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Finding {
        let object = self.object;
        let reference = self.reference.get_or_insert_with(|| Arc::new(object.reference())).clone();
        let pointer = pointer.into();
        let finding = Finding::new(meta, reference, object.location_of(&pointer), pointer, message.into());
        self.findings.push(finding);
        self.findings.last_mut().expect("just pushed")
    }
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Declares a rule: a unit struct carrying its doc comment and metadata, and
/// its [`Rule`] impl calling `check` (and, when given, naming its [`Prepare`]).
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub struct PrivilegedContainer {
///         id: "KF-POD-001",
///         name: "privileged-container",
///         title: "Container runs in privileged mode",
///         severity: Critical,
///         fix: "Set securityContext.privileged to false",
///         references: ["checkov:CKV_K8S_16"],
///         check: check,
///     }
/// }
/// fn check(cx: &Context, sink: &mut Sink) { ... }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            id: $id:literal,
            name: $slug:literal,
            title: $title:literal,
            severity: $severity:ident,
            fix: $fix:literal,
            references: [$($reference:literal),* $(,)?],
            check: $check:path
            $(, prepare: $prepare:path)? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Default, Clone, Copy)]
        $vis struct $name;

        impl $name {
            pub const META: $crate::RuleMeta = $crate::RuleMeta {
                id: $id,
                name: $slug,
                title: $title,
                severity: $crate::Severity::$severity,
                fix: $fix,
                references: &[$($reference),*],
                doc: concat!($($doc, "\n"),*),
            };
        }

        impl $crate::Rule for $name {
            fn meta(&self) -> &'static $crate::RuleMeta {
                &Self::META
            }
            fn check(&self, cx: &$crate::Context<'_>, sink: &mut $crate::Sink<'_>) {
                $check(cx, sink)
            }
            $(
                fn prepare(&self) -> Option<$crate::Prepare> {
                    Some($prepare)
                }
            )?
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::{Context, Inventory, Object, Rule, Settings, Sink, Source};

    declare_rule! {
        /// ## What it does
        /// Flags every object.
        ///
        /// ## Why is this bad?
        /// It is a test.
        pub struct Always {
            id: "KF-TEST-001",
            name: "always",
            title: "Always fires",
            severity: Low,
            fix: "Nothing",
            references: ["checkov:CKV_K8S_1"],
            check: check_always,
        }
    }

    fn check_always(cx: &Context<'_>, sink: &mut Sink<'_>) {
        sink.report(&Always::META, "/spec/missing", format!("saw {}", cx.object.name));
    }

    #[test]
    fn declared_rule_carries_its_doc_sections_and_reports_at_nearest_parent() {
        let meta = Always.meta();
        assert_eq!(meta.section("What it does").as_deref(), Some("Flags every object."));
        assert_eq!(meta.section("Why is this bad?").as_deref(), Some("It is a test."));
        assert_eq!(meta.references, &["checkov:CKV_K8S_1"]);

        let json = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}});
        let root = crate::Node::from_json(&json, crate::Pos::new(3, 1));
        let object = Object::from_node(root, Source::default(), String::new()).unwrap();
        let inventory = Inventory::default();
        let settings = Settings::default();
        let mut sink = Sink::new(&object);
        Always.check(&Context { object: &object, inventory: &inventory, settings: &settings }, &mut sink);
        let findings = sink.into_findings();
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].message, "saw p");
        assert_eq!(findings[0].location.line, 3);
        assert_eq!(findings[0].fingerprint.len(), 16);
    }
}
