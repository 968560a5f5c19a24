//! kubefort's own manifests (`deploy/`) pass its own checks: `kubefort scan`
//! reports nothing and `kubefort pss --level restricted` admits every workload.

mod common;

use common::{run_in, Run};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn deploy_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

fn scan(dir: &Path) -> Run {
    run_in(dir, &["scan", ".", "-o", "json"], None)
}

/// Copies deploy/*.yaml into `to` (created), passing each text through `edit`.
fn copy_manifests(to: &Path, edit: impl Fn(&str) -> String) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(deploy_dir()).expect("read deploy/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).expect("read manifest");
            std::fs::write(to.join(path.file_name().expect("file name")), edit(&text)).expect("write the copy");
        }
    }
}

#[test]
fn deploy_scans_clean_and_is_admitted_at_restricted() {
    let dir = deploy_dir();
    let run = scan(&dir);
    let report = run.json();
    assert_eq!(report["findings"], Value::Array(vec![]), "{}", run.stdout);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(report["summary"]["errors"], 0, "{}", run.stdout);
    // The one suppression (no DNS egress: the webhook resolves no names) is the only one.
    assert_eq!(report["summary"]["suppressed"], 1, "{}", run.stdout);

    let run = run_in(&dir, &["pss", ".", "--level", "restricted", "-o", "json"], None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let results = run.json()["results"].as_array().cloned().unwrap_or_default();
    let workloads: Vec<&str> = results.iter().filter_map(|r| r["kind"].as_str()).collect();
    assert_eq!(workloads, ["Deployment"], "the Deployment is evaluated");
    assert!(results.iter().all(|r| r["allowed"] == true), "{}", run.stdout);
}

/// The clean scan above is only worth something if the scan would notice a
/// hardening line going missing: drop readOnlyRootFilesystem from a copy.
#[test]
fn a_copy_without_read_only_root_filesystem_is_reported() {
    let copy = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("deploy-without-read-only-root");
    let _ = std::fs::remove_dir_all(&copy);
    copy_manifests(&copy, |text| {
        text.lines().filter(|l| !l.contains("readOnlyRootFilesystem")).map(|l| format!("{l}\n")).collect()
    });
    let run = scan(&copy);
    let rules: Vec<String> = run.json()["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(rules, ["KF-POD-006"], "{}", run.stdout);
}

/// `kubefort certs --patch-webhooks` on a copy of deploy/: both webhook
/// configurations get the printed caBundle, and the copy still scans clean.
#[test]
fn certs_patch_the_webhook_configurations_with_the_printed_ca_bundle() {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("deploy-certs");
    let _ = std::fs::remove_dir_all(&base);
    let (copy, tls) = (base.join("deploy"), base.join("tls"));
    copy_manifests(&copy, |text| text.to_owned());
    let args =
        ["certs", "--out", "tls", "--service", "kubefort", "--namespace", "kubefort", "--patch-webhooks", "deploy"];
    let run = run_in(&base, &args, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bundle = run.stdout.trim();
    assert!(bundle.len() > 100 && !bundle.contains(char::is_whitespace), "{bundle}");
    let webhooks = std::fs::read_to_string(copy.join("webhooks.yaml")).expect("read");
    assert_eq!(webhooks.matches(&format!("caBundle: {bundle}\n")).count(), 2, "{webhooks}");
    assert_eq!(
        webhooks.lines().count(),
        std::fs::read_to_string(deploy_dir().join("webhooks.yaml")).expect("read").lines().count()
    );
    for file in ["ca.crt", "ca.key", "tls.crt", "tls.key"] {
        assert!(tls.join(file).is_file(), "{file}");
    }
    assert!(!run.stdout.contains("PRIVATE") && !run.stderr.contains("PRIVATE"));
    let scan = scan(&copy);
    assert_eq!(scan.json()["findings"], Value::Array(vec![]), "{}", scan.stdout);

    // A second run refuses to overwrite the keys.
    let again = run_in(&base, &args, None);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("exists"), "{}", again.stderr);
}
