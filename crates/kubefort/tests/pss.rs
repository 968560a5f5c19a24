//! `kubefort pss`: exit codes, the JSON shape, and how the level of each
//! workload is decided (namespace labels, AdmissionConfiguration defaults
//! and exemptions, `--level`).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("kf-pss-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn kubefort(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubefort")).args(args).current_dir(cwd).stdin(Stdio::null()).output().unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

/// `name → (level, version, allowed, [checks])`.
fn verdicts(report: &Value) -> Vec<(String, String, String, bool, Vec<String>)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["level"].as_str().unwrap().to_owned(),
                r["version"].as_str().unwrap().to_owned(),
                r["allowed"].as_bool().unwrap(),
                r["forbidden"].as_array().unwrap().iter().map(|f| f["check"].as_str().unwrap().to_owned()).collect(),
            )
        })
        .collect()
}

const NAMESPACES: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: legacy
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.22
---
apiVersion: v1
kind: Namespace
metadata:
  name: strict
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
";

/// Runs as root with default capabilities: fine for baseline, not restricted.
fn plain(name: &str, ns: &str) -> String {
    format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n---\n")
}

const HOST_PID: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: host
  namespace: legacy
spec:
  hostPID: true
  containers:
    - name: a
      image: busybox:1
";

#[test]
fn namespace_labels_decide_the_level_and_the_exit_code() {
    let dir = Dir::new("labels");
    let file =
        dir.file("app.yaml", &(NAMESPACES.to_owned() + &plain("old", "legacy") + &plain("new", "strict") + HOST_PID));
    let out = kubefort(&["pss", &file, "-o", "json"], &dir.0);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    let v = verdicts(&report);
    assert_eq!(v[0], ("old".into(), "baseline".into(), "v1.22".into(), true, vec![]));
    assert_eq!(v[1].0, "new");
    assert_eq!((v[1].1.as_str(), v[1].2.as_str(), v[1].3), ("restricted", "latest", false));
    assert!(v[1].4.contains(&"runAsNonRoot".to_owned()), "{:?}", v[1].4);
    assert_eq!(v[2], ("host".into(), "baseline".into(), "v1.22".into(), false, vec!["hostNamespaces".into()]));

    // The JSON shape: every documented field, with the right types.
    let r = &report["results"][2];
    assert_eq!(r["file"], file.as_str());
    assert_eq!(r["line"], 40);
    assert_eq!(r["kind"], "Pod");
    assert_eq!(r["namespace"], "legacy");
    assert_eq!(r["source"], "namespace label");
    let f = &r["forbidden"][0];
    assert_eq!(f["check"], "hostNamespaces");
    assert_eq!(f["reason"], "host namespaces (hostPID=true)");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(46), Some(12)));

    // Only the allowed workloads: exit 0.
    let ok = dir.file("ok.yaml", &(NAMESPACES.to_owned() + &plain("old", "legacy")));
    assert_eq!(kubefort(&["pss", &ok], &dir.0).status.code(), Some(0));
}

#[test]
fn level_flag_overrides_namespaces_and_human_output_has_positions() {
    let dir = Dir::new("level");
    let file = dir.file("app.yaml", &(NAMESPACES.to_owned() + &plain("old", "legacy")));
    let out = kubefort(&["pss", &file, "--level", "restricted", "--version", "v1.25"], &dir.0);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].ends_with("app.yaml:16: Deployment legacy/old: DENIED by restricted:v1.25 (--level)"), "{text}");
    assert!(lines[1].trim_start().starts_with("25:11  allowPrivilegeEscalation: "), "{text}");
    assert_eq!(lines.last(), Some(&"1 workload: 0 allowed, 1 denied"));

    let out = kubefort(&["pss", &file, "--level", "baseline", "-o", "json"], &dir.0);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(verdicts(&json(&out))[0].1, "baseline");
}

#[test]
fn admission_configuration_defaults_and_exemptions() {
    let dir = Dir::new("admission");
    let admission = dir.file(
        "admission.yaml",
        "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n  - name: PodSecurity\n    configuration:\n      apiVersion: pod-security.admission.config.k8s.io/v1\n      kind: PodSecurityConfiguration\n      defaults:\n        enforce: baseline\n        enforce-version: v1.30\n      exemptions:\n        namespaces: [tools]\n        runtimeClasses: [kata]\n",
    );
    let kata = "apiVersion: v1\nkind: Pod\nmetadata: {name: sandboxed, namespace: apps}\nspec:\n  runtimeClassName: kata\n  hostPID: true\n  containers: [{name: a, image: 'x:1'}]\n";
    let workloads = dir.file(
        "workloads.yaml",
        &(plain("web", "apps") + &plain("tool", "tools") + &HOST_PID.replace("legacy", "tools") + "---\n" + kata),
    );
    let out = kubefort(&["pss", &workloads, "--admission-config", &admission, "-o", "json"], &dir.0);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    let v = verdicts(&report);
    assert_eq!(v[0], ("web".into(), "baseline".into(), "v1.30".into(), true, vec![]));
    assert_eq!(report["results"][0]["source"], "admission defaults");
    assert_eq!(report["results"][2]["exempt"], "namespace tools is exempt");
    assert_eq!(report["results"][3]["exempt"], "runtimeClass kata is exempt");
    assert!(v.iter().all(|r| r.3));

    // The same configuration found among the input objects applies too.
    let out = kubefort(&["pss", &admission, &workloads, "-o", "json"], &dir.0);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(verdicts(&json(&out))[0].2, "v1.30");

    // Without it, kubefort's default (restricted:latest) applies and hostPID is denied.
    let out = kubefort(&["pss", &workloads, "-o", "json"], &dir.0);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["results"][0]["source"], "kubefort default");
}

#[test]
fn bad_input_is_a_usage_error_with_positions() {
    let dir = Dir::new("bad");
    let bad_config = dir.file(
        "psa.yaml",
        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults:\n  enforce: strict\n",
    );
    let app = dir.file("app.yaml", &plain("web", "apps"));
    let out = kubefort(&["pss", &app, "--admission-config", &bad_config], &dir.0);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("psa.yaml:4:12: error: defaults.enforce: invalid level \"strict\""), "{stderr}");

    let not_config = dir.file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
    assert_eq!(kubefort(&["pss", &app, "--admission-config", &not_config], &dir.0).status.code(), Some(2));
    assert_eq!(kubefort(&["pss", &app, "--level", "strict"], &dir.0).status.code(), Some(2));
    assert_eq!(kubefort(&["pss", &app, "--version", "1.30"], &dir.0).status.code(), Some(2));
    assert_eq!(kubefort(&["pss", "does-not-exist.yaml"], &dir.0).status.code(), Some(2));

    // A broken file among good ones: reported with its position, the rest still evaluated, exit 1.
    let broken = dir.file("broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n");
    let out = kubefort(&["pss", &app, &broken, "--level", "baseline", "-o", "json"], &dir.0);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(verdicts(&json(&out)).len(), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.yaml:"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn invalid_namespace_labels_are_reported_and_read_as_the_plugin_does() {
    let dir = Dir::new("invalid");
    let file = dir.file(
        "app.yaml",
        &("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: typo\n  labels:\n    pod-security.kubernetes.io/enforce: Baseline\n---\n".to_owned()
            + &plain("web", "typo")),
    );
    let out = kubefort(&["pss", &file, "-o", "json"], &dir.0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("app.yaml:6:41: warning: namespace typo: \"Baseline\""), "{stderr}");
    assert!(stderr.contains("fails closed"), "{stderr}");
    // The plugin reads an invalid enforce level as restricted.
    let v = verdicts(&json(&out));
    assert_eq!((v[0].1.as_str(), v[0].3), ("restricted", false));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn stdin_and_scan_integration() {
    let dir = Dir::new("stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubefort"))
        .args(["pss", "-", "--level", "baseline", "-o", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(HOST_PID.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["results"][0]["file"], "<stdin>");

    // `kubefort scan` reports the same check under its pss: id, critical in an enforcing namespace.
    let file = dir.file("app.yaml", &(NAMESPACES.to_owned() + HOST_PID));
    let out = kubefort(&["scan", &file, "-o", "json", "--select", "pss"], &dir.0);
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "pss:hostNamespaces");
    assert_eq!(findings[0]["severity"], "critical");
    let explain = kubefort(&["explain", "pss:hostNamespaces"], &dir.0);
    assert!(String::from_utf8_lossy(&explain.stdout).contains("## Why is this bad?"));
}
