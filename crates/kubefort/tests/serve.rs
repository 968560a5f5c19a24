//! `kubefort serve`'s usage errors, from the real binary. (Serving itself is
//! tested end to end over HTTPS in `kubefort-server`'s tests.)

mod common;

use common::{run_in, TempDir};

#[test]
fn serve_needs_a_feature() {
    let dir = TempDir::new("serve-nothing");
    let out = run_in(dir.path(), &["serve", "--tls-cert", "c.pem", "--tls-key", "k.pem"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("nothing to serve"), "{}", out.stderr);
}

#[test]
fn admission_config_errors_point_at_the_line() {
    let dir = TempDir::new("serve-config");
    dir.write(".kubefort.yaml", "admission:\n  actions:\n    high: block\n");
    let out = run_in(dir.path(), &["serve", "--admission", "--tls-cert", "c.pem", "--tls-key", "k.pem"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains(".kubefort.yaml:3:"), "{}", out.stderr);
    assert!(out.stderr.contains("admission.actions.high"), "{}", out.stderr);

    dir.write(".kubefort.yaml", "admission:\n  ignore: [KF-NOPE]\n");
    let out = run_in(dir.path(), &["serve", "--admission", "--tls-cert", "c.pem", "--tls-key", "k.pem"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no rule matches KF-NOPE"), "{}", out.stderr);

    dir.write(".kubefort.yaml", "admission:\n  exemptNamespaces: [kube-system]\n");
    let out = run_in(dir.path(), &["serve", "--admission", "--tls-cert", "missing.pem", "--tls-key", "k.pem"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--tls-cert missing.pem"), "{}", out.stderr);
}
