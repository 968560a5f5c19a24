//! Scan integration: severities by admission mode, exemptions, one finding
//! per field, and the fold of `pss:` findings into KF rules that reference them.

use crate::{all_rules, run, Selection};
use kubefort_load::{load_texts, Limits};
use kubefort_model::{Finding, Inventory, Settings, Severity};
use std::sync::Arc;

fn scan_with(yaml: &str, settings: &Settings, selection: &Selection) -> Vec<Finding> {
    let loaded = load_texts(vec![(Arc::from("test.yaml"), yaml.to_owned())], Limits::default());
    assert!(loaded.diagnostics.iter().all(|d| d.level != kubefort_load::Level::Error), "{:?}", loaded.diagnostics);
    run(&Inventory::new(loaded.objects), &selection.rules(), settings).findings
}

/// The PSS rules, the namespace rules and one KF rule that references a PSS
/// check (privileged); the other KF-POD rules would fold the `pss:` findings
/// these tests look at into their own.
fn pss_rules() -> Selection {
    Selection { select: vec!["pss:".into(), "KF-PSA".into(), "KF-POD-001".into()], ignore: vec![] }
}

fn scan(yaml: &str) -> Vec<Finding> {
    scan_with(yaml, &Settings::default(), &pss_rules())
}

/// `(rule, severity, pointer)` of the findings about `name`.
fn of(findings: &[Finding], name: &str) -> Vec<(String, Severity, String)> {
    findings
        .iter()
        .filter(|f| f.object.name == name)
        .map(|f| (f.rule.to_owned(), f.severity, f.pointer.clone()))
        .collect()
}

fn namespace(name: &str, labels: &[(&str, &str)]) -> String {
    let mut out = format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n");
    if !labels.is_empty() {
        out.push_str("  labels:\n");
        for (k, v) in labels {
            out.push_str(&format!("    pod-security.kubernetes.io/{k}: \"{v}\"\n"));
        }
    }
    out.push_str("---\n");
    out
}

/// A pod with hostNetwork and hostPID (baseline) and no runAsNonRoot,
/// seccomp, capabilities or allowPrivilegeEscalation (restricted).
fn pod(name: &str, ns: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  hostNetwork: true\n  hostPID: true\n  containers:\n  - name: app\n    image: nginx:1.27\n---\n"
    )
}

fn severity_of(findings: &[(String, Severity, String)], rule: &str) -> Vec<Severity> {
    findings.iter().filter(|f| f.0 == rule).map(|f| f.1).collect()
}

#[test]
fn enforce_label_makes_violations_critical_and_one_finding_per_field() {
    let yaml = namespace("shop", &[("enforce", "baseline")]) + &pod("p", "shop");
    let findings = scan(&yaml);
    let p = of(&findings, "p");
    assert_eq!(
        p.iter().filter(|f| f.0 == "pss:hostNamespaces").map(|f| (f.1, f.2.as_str())).collect::<Vec<_>>(),
        [(Severity::Critical, "/spec/hostNetwork"), (Severity::Critical, "/spec/hostPID")]
    );
    // Baseline is what the namespace enforces: restricted checks do not run.
    assert!(p.iter().all(|f| f.0 == "pss:hostNamespaces"), "{p:?}");
    let f = findings.iter().find(|f| f.rule == "pss:hostNamespaces").unwrap();
    assert!(f.message.contains("namespace \"shop\" enforces baseline:latest"), "{}", f.message);
    assert_eq!(f.location.line, 14, "points at hostNetwork");
}

#[test]
fn audit_and_warn_levels_are_medium_and_low() {
    let yaml = namespace("a", &[("enforce", "baseline"), ("audit", "restricted")])
        + &pod("audited", "a")
        + &namespace("w", &[("enforce", "privileged"), ("warn", "restricted")])
        + &pod("warned", "w");
    let findings = scan(&yaml);
    let audited = of(&findings, "audited");
    assert_eq!(severity_of(&audited, "pss:hostNamespaces"), [Severity::Critical, Severity::Critical]);
    assert_eq!(severity_of(&audited, "pss:runAsNonRoot"), [Severity::Medium]);
    let warned = of(&findings, "warned");
    assert_eq!(severity_of(&warned, "pss:hostNamespaces"), [Severity::Low, Severity::Low]);
    assert_eq!(severity_of(&warned, "pss:runAsNonRoot"), [Severity::Low]);
    assert!(findings.iter().any(|f| f.rule == "KF-PSA-002" && f.object.name == "w"));
}

#[test]
fn without_labels_kubefort_level_applies_baseline_high_restricted_medium() {
    let yaml = pod("loose", "nowhere")
        + "apiVersion: v1\nkind: Pod\nmetadata: {name: vol}\nspec:\n  volumes: [{name: h, hostPath: {path: /}}]\n  containers: [{name: a, image: x}]\n";
    let findings = scan(&yaml);
    let loose = of(&findings, "loose");
    assert_eq!(severity_of(&loose, "pss:hostNamespaces"), [Severity::High, Severity::High]);
    assert_eq!(severity_of(&loose, "pss:runAsNonRoot"), [Severity::Medium]);
    assert_eq!(severity_of(&loose, "pss:seccompProfile_restricted"), [Severity::Medium]);
    // hostPath is a baseline violation even though restrictedVolumes overrides the check at restricted.
    let vol = of(&findings, "vol");
    assert_eq!(severity_of(&vol, "pss:hostPathVolumes"), [Severity::High], "{vol:?}");
    assert!(severity_of(&vol, "pss:restrictedVolumes").is_empty(), "one finding per field: {vol:?}");

    // `.kubefort.yaml` `pss: {level: baseline}`: restricted checks are not run.
    let settings = Settings { pss_level: Some("baseline".into()), ..Settings::default() };
    let findings = scan_with(&pod("loose", "nowhere"), &settings, &pss_rules());
    assert!(findings.iter().all(|f| f.rule == "pss:hostNamespaces"), "{:?}", of(&findings, "loose"));
}

#[test]
fn admission_configuration_defaults_and_exemptions_apply() {
    let config = "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  configuration:\n    apiVersion: pod-security.admission.config.k8s.io/v1\n    kind: PodSecurityConfiguration\n    defaults: {enforce: baseline}\n    exemptions: {namespaces: [tools], runtimeClasses: [kata]}\n---\n";
    let kata = "apiVersion: v1\nkind: Pod\nmetadata: {name: kata, namespace: app}\nspec:\n  runtimeClassName: kata\n  hostPID: true\n  containers: [{name: a, image: \"x:1\"}]\n---\n";
    let yaml = config.to_owned() + &pod("defaulted", "app") + &pod("exempt", "tools") + kata + &namespace("app", &[]);
    let findings = scan(&yaml);
    assert_eq!(
        severity_of(&of(&findings, "defaulted"), "pss:hostNamespaces"),
        [Severity::Critical, Severity::Critical]
    );
    assert!(of(&findings, "defaulted").iter().all(|f| f.0 == "pss:hostNamespaces"), "baseline by default");
    assert!(of(&findings, "exempt").is_empty());
    assert!(of(&findings, "kata").is_empty());
    // The defaults enforce baseline, so an unlabelled namespace is not flagged.
    assert!(!findings.iter().any(|f| f.rule == "KF-PSA-001"));
}

#[test]
fn kf_rule_absorbs_the_pss_finding_it_references() {
    let yaml = namespace("shop", &[("enforce", "restricted")])
        + "apiVersion: v1\nkind: Pod\nmetadata: {name: priv, namespace: shop}\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext: {privileged: true}\n";
    let findings = scan(&yaml);
    let at: Vec<_> = findings.iter().filter(|f| f.pointer == "/spec/containers/0/securityContext/privileged").collect();
    assert_eq!(at.len(), 1, "{at:?}");
    assert_eq!(at[0].rule, "KF-POD-001");
    assert_eq!(at[0].severity, Severity::Critical);
    assert!(
        at[0].message.ends_with("also violates Pod Security Standards baseline: pss:privileged")
            && findings.iter().any(|f| f.also_violates == ["pss:privileged"]),
        "{}",
        at[0].message
    );
    assert!(at[0].evidence.as_deref().unwrap().starts_with("pss:privileged: rejected"), "{:?}", at[0].evidence);

    // The pss finding stands on its own when the KF rule is not run.
    let selection = Selection { ignore: vec!["KF-POD-001".into()], ..pss_rules() };
    let findings = scan_with(&yaml, &Settings::default(), &selection);
    assert!(findings.iter().any(|f| f.rule == "pss:privileged" && f.severity == Severity::Critical));
}

#[test]
fn merge_keeps_the_higher_severity_and_only_matches_the_same_pointer() {
    use kubefort_model::RuleMeta;
    let base = scan(&pod("p", "x"));
    let mut kf = base[0].clone();
    kf.rule = "KF-POD-001";
    kf.severity = Severity::Low;
    let mut pss = base[0].clone();
    pss.rule = "pss:privileged";
    pss.severity = Severity::High;
    let mut elsewhere = pss.clone();
    elsewhere.pointer = "/spec/other".into();
    let meta_of = |id: &str| -> Option<&'static RuleMeta> { crate::find_rule(id).map(|r| r.meta()) };
    let merged = super::merge_referenced(vec![pss, kf, elsewhere], &meta_of);
    assert_eq!(merged.len(), 2);
    assert_eq!((merged[0].rule, merged[0].severity), ("KF-POD-001", Severity::High));
    assert_eq!(merged[1].pointer, "/spec/other");
}

#[test]
fn batched_pass_equals_each_check_run_alone() {
    let yaml = namespace("a", &[("enforce", "baseline"), ("warn", "restricted")]) + &pod("p", "a") + &pod("q", "b");
    let batched = scan(&yaml);
    let loaded = load_texts(vec![(Arc::from("test.yaml"), yaml.clone())], Limits::default());
    let inventory = Inventory::new(loaded.objects);
    let settings = Settings::default();
    let mut alone = Vec::new();
    for rule in super::check_rules() {
        for object in inventory.objects() {
            let mut sink = kubefort_model::Sink::new(object);
            rule.check(&kubefort_model::Context { object, inventory: &inventory, settings: &settings }, &mut sink);
            alone.extend(sink.into_findings());
        }
    }
    let key = |f: &Finding| (f.rule, f.pointer.clone(), f.severity, f.object.name.clone());
    let mut a: Vec<_> = batched.iter().filter(|f| f.rule.starts_with("pss:")).map(key).collect();
    let mut b: Vec<_> = alone.iter().map(key).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn namespace_rules() {
    let yaml = namespace("bare", &[])
        + &namespace("kube-system", &[])
        + &namespace("open", &[("enforce", "privileged")])
        + &namespace("typo", &[("enforce", "Restricted"), ("audit-version", "1.29")])
        + "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults:\n  warn: strict\n";
    let findings = scan(&yaml);
    let rules: Vec<_> = findings.iter().map(|f| (f.rule, f.object.name.as_str(), f.location.line)).collect();
    assert_eq!(
        rules,
        [
            ("KF-PSA-001", "bare", 4),
            ("KF-PSA-002", "open", 16),
            ("KF-PSA-003", "typo", 23),
            ("KF-PSA-003", "typo", 24),
            ("KF-PSA-004", "", 29),
        ]
    );
    let settings = Settings { privileged_namespaces: vec!["open".into()], ..Settings::default() };
    let findings = scan_with(&yaml, &settings, &pss_rules());
    assert!(findings.iter().any(|f| f.rule == "KF-PSA-001" && f.object.name == "kube-system"));
    assert!(!findings.iter().any(|f| f.rule == "KF-PSA-002"));
    assert!(all_rules().iter().any(|r| r.meta().id == "KF-PSA-004"));
}
