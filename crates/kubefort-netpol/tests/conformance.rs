//! np-guard netpol-analyzer's connlist truth tables: for each case directory
//! of `$KUBEFORT_CONFORMANCE_DIR/netpol/`, the SET of `connlist` lines must
//! equal `expected_connlist.txt` (including the `{ingress-controller}`
//! lines, which come from Ingress objects and Services).

use kubefort_load::{load, Input, Limits};
use kubefort_netpol::{connlist, Network, Options};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn conformance_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KUBEFORT_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance")));
    let dir = dir.join("netpol");
    dir.is_dir().then_some(dir)
}

fn relevant(line: &str) -> bool {
    !line.trim().is_empty()
}

#[test]
fn netpol_analyzer_connlist_cases() {
    let Some(root) = conformance_dir() else {
        println!("netpol conformance: skipped (no conformance directory)");
        return;
    };
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("read conformance dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("expected_connlist.txt").is_file())
        .collect();
    cases.sort();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expected_text = std::fs::read_to_string(case.join("expected_connlist.txt")).unwrap();
        let expected: BTreeSet<String> = expected_text.lines().filter(|l| relevant(l)).map(str::to_owned).collect();
        let loaded = load(&[Input::Path(case.clone())], Limits::default());
        let net = Network::with_options(&loaded.objects, Options::analyzer_compatible());
        let actual: BTreeSet<String> = connlist(&net).iter().map(|c| c.line()).filter(|l| relevant(l)).collect();
        if actual != expected {
            let missing: Vec<_> = expected.difference(&actual).collect();
            let extra: Vec<_> = actual.difference(&expected).collect();
            let mut report = format!("{name}: {} missing, {} unexpected", missing.len(), extra.len());
            for l in missing.iter().take(8) {
                report.push_str(&format!("\n    - {l}"));
            }
            for l in extra.iter().take(8) {
                report.push_str(&format!("\n    + {l}"));
            }
            failures.push(report);
        }
    }
    println!("netpol conformance: {}/{} cases", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "connlist mismatches:\n{}", failures.join("\n"));
}
