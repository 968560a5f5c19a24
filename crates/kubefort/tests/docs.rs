//! `docs/rules.md` is generated from the rules' doc comments; this test keeps
//! it in step. Regenerate with `UPDATE_DOCS=1 cargo test -p kubefort --test docs`.

use std::process::Command;

#[test]
fn rule_catalog_page_is_up_to_date() {
    let output = Command::new(env!("CARGO_BIN_EXE_kubefort")).args(["rules", "--format", "markdown"]).output().unwrap();
    assert!(output.status.success());
    let generated = String::from_utf8(output.stdout).unwrap();
    assert!(generated.contains("## KF-POD-001"), "catalog lists the rules");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(committed == generated, "docs/rules.md is stale: run `UPDATE_DOCS=1 cargo test -p kubefort --test docs`");
}
