//! `kubefort fix`: check, diff, write, exit codes, a broken file left alone,
//! stdin to stdout, and the scan of the fixed files.

mod common;

use common::run_in;
use std::path::{Path, PathBuf};

/// The golden before/after pairs of the kubefort-fix crate.
fn golden(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kubefort-fix/tests/golden").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn workdir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("manifests")).expect("create workdir");
    for file in ["block.yaml", "pod.json"] {
        std::fs::write(dir.join("manifests").join(file), golden(file)).expect("write input");
    }
    dir
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join("manifests").join(file)).expect("read")
}

#[test]
fn check_and_diff_write_nothing_and_fix_writes_the_golden_result() {
    let dir = workdir("fix-cli");
    let check = run_in(&dir, &["fix", "--check", "manifests"], None);
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("manifests/block.yaml: would add 4 secure defaults"), "{}", check.stdout);
    assert!(check.stdout.contains("manifests/pod.json: would add 5 secure defaults"), "{}", check.stdout);

    let diff = run_in(&dir, &["fix", "--diff", "manifests"], None);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert!(diff.stdout.contains("--- a/manifests/block.yaml\n+++ b/manifests/block.yaml\n"), "{}", diff.stdout);
    assert!(diff.stdout.contains("+          allowPrivilegeEscalation: false\n"), "{}", diff.stdout);
    assert_eq!(read(&dir, "block.yaml"), golden("block.yaml"), "--diff wrote the file");
    assert_eq!(read(&dir, "pod.json"), golden("pod.json"), "--check wrote the file");

    // A file that does not parse is reported and left alone; the others are fixed.
    let broken = "apiVersion: v1\nkind: Pod\nspec: {containers: [\n";
    std::fs::write(dir.join("manifests/broken.yaml"), broken).expect("write");
    let fix = run_in(&dir, &["fix", "manifests"], None);
    assert_eq!(fix.code, 2, "{}", fix.stderr);
    assert!(fix.stderr.contains("manifests/broken.yaml:4:1: error: invalid YAML"), "{}", fix.stderr);
    assert_eq!(read(&dir, "broken.yaml"), broken);
    assert_eq!(read(&dir, "block.yaml"), golden("block.fixed.yaml"));
    assert_eq!(read(&dir, "pod.json"), golden("pod.fixed.json"));

    let again = run_in(&dir, &["fix", "--check", "manifests/block.yaml", "manifests/pod.json"], None);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "fixing twice changes nothing");

    // The defaults' own rule is gone; the capabilities rule is left only on
    // the init container whose drop list the user wrote (never overridden).
    let scan = run_in(
        &dir,
        &["scan", "manifests/block.yaml", "manifests/pod.json", "--select", "KF-POD-004,KF-POD-007", "-o", "json"],
        None,
    );
    let findings = scan.json()["findings"].as_array().cloned().unwrap_or_default();
    let got: Vec<(&str, &str)> =
        findings.iter().map(|f| (f["rule"].as_str().unwrap_or(""), f["pointer"].as_str().unwrap_or(""))).collect();
    assert_eq!(got, [("KF-POD-004", "/spec/template/spec/initContainers/0/securityContext/capabilities/drop")]);
}

#[test]
fn stdin_is_fixed_to_stdout_with_the_configured_defaults() {
    let dir = workdir("fix-stdin");
    let input = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n";
    let run =
        run_in(&dir, &["fix", "-", "--run-as-user", "10001", "--disable-token-automount"], Some(input.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [ALL]\n  automountServiceAccountToken: false\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n    seccompProfile:\n      type: RuntimeDefault\n"
    );
    let bad = run_in(&dir, &["fix", "-", "--run-as-user", "0"], None);
    assert_eq!(bad.code, 2, "a root UID is a usage error");
}

#[test]
fn a_byte_order_mark_is_kept_and_invalid_utf8_is_reported_at_its_position() {
    let dir = workdir("fix-encoding");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n";
    std::fs::write(dir.join("manifests/bom.yaml"), format!("\u{feff}{pod}")).expect("write");
    let bad = b"apiVersion: v1\nkind: Pod\nmetadata: {name: \xff}\n";
    std::fs::write(dir.join("manifests/latin1.yaml"), bad).expect("write");
    let fix = run_in(&dir, &["fix", "manifests/bom.yaml", "manifests/latin1.yaml"], None);
    assert_eq!(fix.code, 2, "{}", fix.stderr);
    assert!(fix.stderr.contains("manifests/latin1.yaml:3:18: error: not valid UTF-8"), "{}", fix.stderr);
    assert_eq!(std::fs::read(dir.join("manifests/latin1.yaml")).expect("read"), bad, "left alone");
    let fixed = read(&dir, "bom.yaml");
    assert!(fixed.starts_with(&format!("\u{feff}{pod}")), "{fixed:?}");
    assert!(fixed.contains("    securityContext:\n      allowPrivilegeEscalation: false\n"), "{fixed:?}");
}
