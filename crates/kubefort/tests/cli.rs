//! The command-line contract (ARCHITECTURE.md): exit codes, selection,
//! malformed input, stdin, configuration, suppressions, baselines, and the
//! rule catalog. Every test runs the real binary.

mod common;

use common::{run_in, Run, TempDir};
use serde_json::Value;
use std::path::Path;

const PRIVILEGED_LATEST: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:latest
          securityContext:
            privileged: true
";

const CLEAN: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.2.3
          securityContext:
            privileged: false
";

const LATEST_ONLY: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: busybox
";

/// These tests are about the command-line contract, not the catalog: scans
/// run two well-known rules and the KF-CFG suppression checks unless a test
/// selects its own, so rules added later do not change what they assert.
const CONTRACT_RULES: &str = "KF-POD-001,KF-IMG-001,KF-CFG";

fn with_contract_rules<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut args = args.to_vec();
    if args.first() == Some(&"scan") && !args.contains(&"--select") {
        args.extend(["--select", CONTRACT_RULES]);
    }
    args
}

fn run(dir: &TempDir, args: &[&str]) -> Run {
    run_in(dir.path(), &with_contract_rules(args), None)
}

/// `(rule, file, line)` of every finding of a JSON report.
fn findings(run: &Run) -> Vec<(String, String, u64)> {
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn rules_of(run: &Run) -> Vec<String> {
    findings(run).into_iter().map(|(r, _, _)| r).collect()
}

// ---- exit codes and selection -------------------------------------------------

#[test]
fn clean_manifest_exits_zero() {
    let dir = TempDir::new("clean");
    dir.write("clean.yaml", CLEAN);
    let r = run(&dir, &["scan", "clean.yaml"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("0 findings in 1 object from 1 file"), "{}", r.stdout);
}

#[test]
fn findings_at_or_above_fail_on_exit_one() {
    let dir = TempDir::new("fail-on");
    dir.write("pod.yaml", LATEST_ONLY); // one medium finding
    assert_eq!(run(&dir, &["scan", "pod.yaml"]).code, 1, "default threshold is low");
    assert_eq!(run(&dir, &["scan", "pod.yaml", "--fail-on", "medium"]).code, 1);
    assert_eq!(run(&dir, &["scan", "pod.yaml", "--fail-on", "high"]).code, 0);
    dir.write("priv.yaml", PRIVILEGED_LATEST); // critical + medium
    assert_eq!(run(&dir, &["scan", "priv.yaml", "--fail-on", "critical"]).code, 1);
}

#[test]
fn min_severity_select_and_ignore_filter_findings() {
    let dir = TempDir::new("select");
    dir.write("priv.yaml", PRIVILEGED_LATEST);
    let all = rules_of(&run(&dir, &["scan", "priv.yaml", "-o", "json"]));
    assert_eq!(all, ["KF-IMG-001", "KF-POD-001"]);
    let high = run(&dir, &["scan", "priv.yaml", "-o", "json", "--min-severity", "high"]);
    assert_eq!(rules_of(&high), ["KF-POD-001"]);
    let selected = run(&dir, &["scan", "priv.yaml", "-o", "json", "--select", "KF-IMG-001"]);
    assert_eq!(rules_of(&selected), ["KF-IMG-001"]);
    let by_name = run(&dir, &["scan", "priv.yaml", "-o", "json", "--select", "privileged-container"]);
    assert_eq!(rules_of(&by_name), ["KF-POD-001"]);
    let ignored = run(&dir, &["scan", "priv.yaml", "-o", "json", "--ignore", "KF-POD-001"]);
    assert_eq!(rules_of(&ignored), ["KF-IMG-001"]);
    let none = run(&dir, &["scan", "priv.yaml", "--ignore", "KF-POD-001,KF-IMG-001"]);
    assert_eq!(none.code, 0);
}

#[test]
fn unknown_rule_patterns_are_usage_errors() {
    let dir = TempDir::new("unknown-rule");
    dir.write("priv.yaml", PRIVILEGED_LATEST);
    for flag in ["--select", "--ignore"] {
        let r = run(&dir, &["scan", "priv.yaml", flag, "KF-NOPE-999"]);
        assert_eq!(r.code, 2, "{flag}");
        assert!(r.stderr.contains("KF-NOPE-999"), "{flag}: {}", r.stderr);
        assert_eq!(r.stdout, "", "no report on a usage error");
    }
}

#[test]
fn usage_errors_exit_two() {
    let dir = TempDir::new("usage");
    dir.write("priv.yaml", PRIVILEGED_LATEST);
    for args in [
        &["scan", "--no-such-flag"][..],
        &["scan", "priv.yaml", "--fail-on", "severe"],
        &["scan", "priv.yaml", "-o", "xml"],
        &["no-such-command"],
        &[],
    ] {
        let r = run(&dir, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.is_empty(), "{args:?} explains itself");
    }
    let help = run(&dir, &["scan", "--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("sarif") && help.stdout.contains("junit"), "{}", help.stdout);
}

#[test]
fn nothing_readable_exits_two_but_one_missing_path_among_good_ones_does_not() {
    let dir = TempDir::new("missing");
    let r = run(&dir, &["scan", "missing.yaml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.yaml") && r.stderr.contains("no input could be read"), "{}", r.stderr);

    dir.write("priv.yaml", PRIVILEGED_LATEST);
    let r = run(&dir, &["scan", "missing.yaml", "priv.yaml", "-o", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(rules_of(&r).len(), 2, "the readable file is still scanned");
    let errors = r.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["file"], "missing.yaml");
}

// ---- malformed input ----------------------------------------------------------

fn billion_laughs() -> String {
    let mut s = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        s.push_str(&format!("  {}: &{} [{refs}]\n", w[1], w[1]));
    }
    s
}

#[test]
fn each_malformed_file_gets_its_own_positioned_error_and_good_files_are_still_scanned() {
    let dir = TempDir::new("malformed");
    dir.write("good.yaml", PRIVILEGED_LATEST);
    dir.write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: [unclosed\n  b: c\n");
    dir.write("binary.yaml", b"apiVersion: v1\n\x00\x01\x02\xff".as_slice());
    dir.write("bomb.yaml", billion_laughs());
    dir.write("deep-seq.yaml", format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)));
    let deep_map: String = (0..10_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    dir.write("deep-map.yaml", deep_map);
    dir.write("empty.yaml", "");
    dir.write("values.yaml", "replicaCount: 3\nimage:\n  repository: nginx\n");
    dir.write("kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nresources:\n  - good.yaml\n");

    let started = std::time::Instant::now();
    let r = run(&dir, &["scan", ".", "-o", "json"]);
    assert!(started.elapsed().as_secs() < 60, "hostile input must not take long");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(rules_of(&r), ["KF-IMG-001", "KF-POD-001"], "good.yaml is still scanned");
    let errors = r.json()["errors"].as_array().unwrap().clone();
    let error_for = |file: &str| -> Value {
        let matching: Vec<&Value> = errors.iter().filter(|e| e["file"] == format!("./{file}")).collect();
        assert_eq!(matching.len(), 1, "{file}: exactly one diagnostic: {errors:#?}");
        matching[0].clone()
    };
    for (file, needle) in [
        ("broken.yaml", "invalid YAML"),
        ("binary.yaml", "binary file"),
        ("bomb.yaml", "billion laughs"),
        ("deep-seq.yaml", "nesting"),
        ("deep-map.yaml", "nesting"),
    ] {
        let e = error_for(file);
        assert_eq!(e["level"], "error", "{file}");
        assert!(e["line"].as_u64().unwrap() > 0 && e["column"].as_u64().unwrap() > 0, "{file}: positioned: {e}");
        assert!(e["message"].as_str().unwrap().contains(needle), "{file}: {e}");
    }
    assert_eq!(error_for("broken.yaml")["line"], 7);
    // Empty and non-Kubernetes files are not errors: silent by default ...
    for quiet in ["empty.yaml", "values.yaml", "kustomization.yaml"] {
        assert!(errors.iter().all(|e| e["file"] != format!("./{quiet}")), "{quiet} is not an error");
    }
    // ... and notes with -v.
    let verbose = run(&dir, &["scan", ".", "-v"]);
    for (file, needle) in [
        ("./empty.yaml: note: empty file", ""),
        ("./values.yaml:1:1: note:", "not a Kubernetes object"),
        ("./kustomization.yaml:1:1: note:", "no apiVersion"),
    ] {
        let line = verbose
            .stdout
            .lines()
            .find(|l| l.starts_with(file))
            .unwrap_or_else(|| panic!("{file}: {}", verbose.stdout));
        assert!(line.contains(needle), "{line}");
    }
    for file in ["broken.yaml", "binary.yaml", "bomb.yaml", "deep-seq.yaml", "deep-map.yaml"] {
        let prefix = format!("./{file}:");
        let line = verbose.stdout.lines().find(|l| l.starts_with(&prefix)).expect(file);
        let mut parts = line.splitn(4, ':');
        let (_, l, c) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
        assert!(l.parse::<u32>().is_ok() && c.parse::<u32>().is_ok(), "file:line:col: {line}");
        assert!(line.contains(": error: "), "{line}");
    }
}

#[test]
fn a_lone_empty_or_non_kubernetes_file_is_clean() {
    let dir = TempDir::new("lone-empty");
    dir.write("empty.yaml", "");
    dir.write("values.yaml", "replicaCount: 3\n");
    let r = run(&dir, &["scan", "empty.yaml", "values.yaml"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(!r.stdout.contains("note:"), "notes only with -v: {}", r.stdout);
}

// ---- stdin and Helm ------------------------------------------------------------

#[test]
fn stdin_is_read_with_dash() {
    let dir = TempDir::new("stdin");
    let r = run_in(dir.path(), &with_contract_rules(&["scan", "-", "-o", "json"]), Some(PRIVILEGED_LATEST.as_bytes()));
    assert_eq!(r.code, 1);
    let f = findings(&r);
    assert_eq!(f.len(), 2);
    assert!(f.iter().all(|(_, file, _)| file == "<stdin>"), "{f:?}");
    assert_eq!(f[1], ("KF-POD-001".to_owned(), "<stdin>".to_owned(), 13));
}

#[test]
fn helm_output_on_stdin_names_the_template() {
    let helm = format!(
        "---\n# Source: shop/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n# Source: shop/templates/deployment.yaml\n{PRIVILEGED_LATEST}"
    );
    let dir = TempDir::new("helm");
    let r = run_in(dir.path(), &with_contract_rules(&["scan", "-", "-o", "json"]), Some(helm.as_bytes()));
    assert_eq!(r.code, 1);
    let doc = r.json();
    let templates: Vec<&str> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["template"].as_str().unwrap()).collect();
    assert_eq!(templates, ["shop/templates/deployment.yaml"; 2]);
    let human = run_in(dir.path(), &with_contract_rules(&["scan", "-"]), Some(helm.as_bytes()));
    assert!(human.stdout.contains("(from shop/templates/deployment.yaml)"), "{}", human.stdout);
    let sarif = run_in(dir.path(), &with_contract_rules(&["scan", "-", "-o", "sarif"]), Some(helm.as_bytes()));
    assert!(sarif.stdout.contains("rendered from Helm template shop/templates/deployment.yaml"));
    let junit = run_in(dir.path(), &with_contract_rules(&["scan", "-", "-o", "junit"]), Some(helm.as_bytes()));
    assert!(junit.stdout.contains("template: shop/templates/deployment.yaml"));
}

// ---- configuration and suppression ---------------------------------------------

#[test]
fn config_is_discovered_upward_and_overridden_by_flag() {
    let dir = TempDir::new("config");
    dir.write(".kubefort.yaml", "ignore: [KF-IMG-001]\n");
    dir.write("apps/shop/priv.yaml", PRIVILEGED_LATEST);
    dir.write("other.yaml", "failOn: critical\nignore: [KF-POD-001]\n");
    let discovered = run(&dir, &["scan", "apps/shop/priv.yaml", "-o", "json"]);
    assert_eq!(rules_of(&discovered), ["KF-POD-001"], "found from a subdirectory");
    let explicit = run(&dir, &["scan", "apps/shop/priv.yaml", "-o", "json", "--config", "other.yaml"]);
    assert_eq!(rules_of(&explicit), ["KF-IMG-001"], "--config replaces discovery");
    assert_eq!(explicit.code, 0, "failOn from the config: a medium finding passes");

    dir.write("bad.yaml", "ignore: [KF-IMG-001]\nfailOnn: high\n");
    let bad = run(&dir, &["scan", "apps", "--config", "bad.yaml"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("bad.yaml:2:"), "positioned config error: {}", bad.stderr);
}

#[test]
fn config_privileged_namespaces_reach_the_rbac_rules() {
    let dir = TempDir::new("privileged-namespaces");
    dir.write(
        "rbac.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: ci, namespace: cni}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}\nsubjects: [{kind: User, name: ci}]\n",
    );
    let args = ["scan", "rbac.yaml", "-o", "json", "--select", "KF-RBAC-004,KF-RBAC-013"];
    let default = run(&dir, &args);
    assert_eq!(rules_of(&default), Vec::<String>::new(), "default: kube-system only");
    dir.write(".kubefort.yaml", "privilegedNamespaces: [kube-system, cni]\n");
    let configured = run(&dir, &args);
    assert_eq!(rules_of(&configured), ["KF-RBAC-004", "KF-RBAC-013"], "{}", configured.stdout);
    assert_eq!(configured.code, 1);
}

#[test]
fn config_exemptions_take_findings_out() {
    let dir = TempDir::new("exempt");
    dir.write(
        ".kubefort.yaml",
        "exemptions:\n  - rules: [KF-POD-001]\n    namespaces: [shop]\n    reason: the shop needs it\n",
    );
    dir.write("priv.yaml", PRIVILEGED_LATEST);
    let r = run(&dir, &["scan", "priv.yaml", "-o", "json"]);
    assert_eq!(rules_of(&r), ["KF-IMG-001"]);
    assert_eq!(r.json()["summary"]["exempted"], 1);
}

fn annotated(value: &str) -> String {
    PRIVILEGED_LATEST.replacen(
        "  namespace: shop\n",
        &format!("  namespace: shop\n  annotations:\n    kubefort.io/ignore: \"{value}\"\n"),
        1,
    )
}

#[test]
fn annotation_suppression_needs_a_reason_and_expires() {
    let dir = TempDir::new("annotation");
    dir.write("reason.yaml", annotated("KF-POD-001=needs the host device"));
    let r = run(&dir, &["scan", "reason.yaml", "-o", "json"]);
    assert_eq!(rules_of(&r), ["KF-IMG-001"]);
    assert_eq!(r.json()["summary"]["suppressed"], 1);

    dir.write("future.yaml", annotated("privileged-container=needs the host device until 2999-12-31"));
    assert_eq!(
        rules_of(&run(&dir, &["scan", "future.yaml", "-o", "json"])),
        ["KF-IMG-001"],
        "by name, not yet expired"
    );

    dir.write("no-reason.yaml", annotated("KF-POD-001"));
    let mut rules = rules_of(&run(&dir, &["scan", "no-reason.yaml", "-o", "json"]));
    rules.sort();
    assert_eq!(rules, ["KF-CFG-001", "KF-IMG-001", "KF-POD-001"], "no reason: not suppressed, and flagged");

    dir.write("expired.yaml", annotated("KF-POD-001=temporary until 2000-01-01"));
    let mut rules = rules_of(&run(&dir, &["scan", "expired.yaml", "-o", "json"]));
    rules.sort();
    assert_eq!(rules, ["KF-CFG-002", "KF-IMG-001", "KF-POD-001"], "expired: not suppressed, and flagged");
}

// ---- baselines -------------------------------------------------------------------

#[test]
fn baseline_reports_only_new_findings_and_survives_moved_lines() {
    let dir = TempDir::new("baseline");
    dir.write("app.yaml", PRIVILEGED_LATEST);
    let first = run(&dir, &["scan", "app.yaml", "--write-baseline", "baseline.json"]);
    assert_eq!(first.code, 1, "writing a baseline still reports");
    assert!(dir.path().join("baseline.json").is_file());

    let same = run(&dir, &["scan", "app.yaml", "--baseline", "baseline.json", "-o", "json"]);
    assert_eq!(same.code, 0, "{}", same.stdout);
    assert!(rules_of(&same).is_empty());
    assert_eq!(same.json()["summary"]["baselined"], 2);

    // Lines inserted at the top move every finding; the baseline still matches.
    let moved = format!("# owned by the shop team\n# reviewed 2024-01-01\n\n{PRIVILEGED_LATEST}");
    dir.write("app.yaml", &moved);
    let r = run(&dir, &["scan", "app.yaml", "--baseline", "baseline.json", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json()["summary"]["baselined"], 2);

    // A new problem is reported, alone.
    dir.write("app.yaml", format!("{moved}        - name: debug\n          image: busybox:1.36\n          securityContext:\n            privileged: true\n"));
    let r = run(&dir, &["scan", "app.yaml", "--baseline", "baseline.json", "-o", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(findings(&r), [("KF-POD-001".to_owned(), "app.yaml".to_owned(), 20)]);

    let missing = run(&dir, &["scan", "app.yaml", "--baseline", "nope.json"]);
    assert_eq!(missing.code, 2);
}

// ---- notes with -v ------------------------------------------------------------------

#[test]
fn verbose_notes_reach_every_format() {
    let dir = TempDir::new("verbose");
    dir.write("values.yaml", "replicaCount: 3\n");
    let json = run(&dir, &["scan", "values.yaml", "-v", "-o", "json"]);
    assert_eq!(json.json()["errors"][0]["level"], "note");
    let quiet = run(&dir, &["scan", "values.yaml", "-o", "json"]);
    assert_eq!(quiet.json()["errors"].as_array().unwrap().len(), 0);
    let sarif = run(&dir, &["scan", "values.yaml", "-v", "-o", "sarif"]);
    assert_eq!(sarif.json()["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["level"], "note");
}

// ---- the rule catalog ------------------------------------------------------------------

#[test]
fn rules_json_lists_every_rule_with_references() {
    let dir = TempDir::new("rules");
    let r = run(&dir, &["rules", "--format", "json"]);
    assert_eq!(r.code, 0);
    let doc = r.json();
    let rules = doc["rules"].as_array().unwrap();
    assert!(rules.len() >= 5);
    let pod = rules.iter().find(|r| r["id"] == "KF-POD-001").expect("KF-POD-001 listed");
    assert_eq!(pod["name"], "privileged-container");
    assert_eq!(pod["severity"], "critical");
    let refs: Vec<&str> = pod["references"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(refs.iter().any(|r| r.starts_with("checkov:")), "{refs:?}");
    for rule in rules {
        assert!(
            rule["references"].is_array() && rule["documentation"].as_str().is_some_and(|d| !d.is_empty()),
            "{rule}"
        );
    }
    let human = run(&dir, &["rules"]);
    assert!(human.stdout.lines().any(|l| l.starts_with("KF-POD-001")));
}

#[test]
fn explain_prints_the_doc_sections() {
    let dir = TempDir::new("explain");
    let r = run(&dir, &["explain", "KF-POD-001"]);
    assert_eq!(r.code, 0);
    for section in ["## What it does", "## Why is this bad?", "## Example", "## Use instead"] {
        assert!(r.stdout.contains(section), "{section}: {}", r.stdout);
    }
    assert!(r.stdout.contains("privileged-container"));
    assert_eq!(run(&dir, &["explain", "privileged-container"]).stdout, r.stdout, "by name too");
    let unknown = run(&dir, &["explain", "KF-NOPE-001"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("KF-NOPE-001"));
}

#[test]
fn report_written_to_output_file_even_when_cwd_differs() {
    let dir = TempDir::new("output");
    dir.write("priv.yaml", PRIVILEGED_LATEST);
    let r = run(&dir, &["scan", "priv.yaml", "-o", "junit", "--output", "out/report.xml"]);
    assert_eq!(r.code, 2, "a report that cannot be written is an error");
    assert!(r.stderr.contains("cannot write report"), "{}", r.stderr);
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let r = run(&dir, &["scan", "priv.yaml", "-o", "junit", "--output", "out/report.xml"]);
    assert_eq!(r.code, 1);
    assert!(Path::new(&dir.path().join("out/report.xml")).is_file());
}

// ---- pods made by a controller in the scan ------------------------------------

#[test]
fn a_pod_its_controller_stands_for_is_reported_there_and_listed_with_verbose() {
    let dir = TempDir::new("owned");
    let pod = "\
---
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: shop
  ownerReferences: [{kind: Deployment, name: web, controller: true}]
spec:
  nodeName: node-1
  containers:
    - name: app
      image: nginx:latest
      securityContext:
        privileged: true
";
    dir.write("dump.yaml", format!("{PRIVILEGED_LATEST}{pod}"));
    let r = run(&dir, &["scan", "dump.yaml", "-o", "json"]);
    let kinds: Vec<String> =
        r.json()["findings"].as_array().unwrap().iter().map(|f| f["object"]["kind"].as_str().unwrap().into()).collect();
    assert_eq!(kinds, ["Deployment", "Deployment"], "{}", r.stdout);
    let human = run(&dir, &["scan", "dump.yaml", "--color", "never"]);
    assert!(human.stdout.contains("; 1 checked at their controller (-v lists them)"), "{}", human.stdout);
    let verbose = run(&dir, &["scan", "dump.yaml", "--color", "never", "-v"]);
    let note =
        "dump.yaml:15:1: note: Pod shop/web-1: its pod spec is the template of Deployment shop/web, checked there";
    assert!(verbose.stdout.contains(note) || verbose.stderr.contains(note), "{}\n{}", verbose.stdout, verbose.stderr);
    // A pod that differs from its template (here: another image) is its own.
    dir.write("dump.yaml", format!("{PRIVILEGED_LATEST}{}", pod.replace("nginx:latest", "nginx:debug")));
    let r = run(&dir, &["scan", "dump.yaml", "-o", "json"]);
    assert_eq!(rules_of(&r).len(), 3, "{}", r.stdout);
}
