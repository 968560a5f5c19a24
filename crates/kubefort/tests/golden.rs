//! Golden tests: every output format on one fixed input set
//! (`tests/fixtures/scan`: a Deployment with a privileged container and a
//! `latest` image, a Helm-rendered multi-document stream with `# Source:`
//! comments, and a file with broken YAML), compared byte for byte with
//! `tests/golden/`. `UPDATE_GOLDEN=1 cargo test -p kubefort --test golden`
//! rewrites them; review the diff before committing.
//!
//! The binary runs from `tests/fixtures` with relative paths, so no absolute
//! path appears; the tool version is replaced by `<version>`. Only the two
//! rules the fixtures are about run (`--select`), so adding a rule elsewhere
//! does not churn these files.

mod common;

use common::{check_xml_well_formed, run_in, shared_dir, tests_dir, validate_sarif, Run};

const INPUTS: [&str; 3] = ["scan/deployment.yaml", "scan/helm-rendered.yaml", "scan/broken.yaml"];

fn scan(format: &str) -> Run {
    let mut args = vec!["scan"];
    args.extend(INPUTS);
    args.extend(["--select", "KF-POD-001,KF-IMG-001", "--color", "never", "-o", format]);
    run_in(&tests_dir().join("fixtures"), &args, None)
}

fn normalise(text: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    text.replace(&format!("\"{version}\""), "\"<version>\"")
}

fn check_golden(name: &str, actual: &str) {
    let path = tests_dir().join("golden").join(name);
    let actual = normalise(actual);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).expect("write golden");
        eprintln!("updated {}", path.display());
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1 to create it", path.display()));
    if expected != actual {
        let first = expected.lines().zip(actual.lines()).position(|(a, b)| a != b);
        let line = first.unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {}:\n  golden: {:?}\n  actual: {:?}\n--- full output ---\n{actual}\nRun with UPDATE_GOLDEN=1 to accept it.",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line),
        );
    }
}

fn golden(format: &str, file: &str) -> Run {
    let run = scan(format);
    assert_eq!(run.code, 1, "findings and an input error exit 1; stderr: {}", run.stderr);
    assert_eq!(run.stderr, "", "reports go to stdout only");
    check_golden(file, &run.stdout);
    run
}

#[test]
fn human() {
    let run = golden("human", "scan.human.txt");
    assert!(!run.stdout.contains('\x1b'), "no colour codes without a terminal");
}

#[test]
fn json() {
    let run = golden("json", "scan.json");
    let doc = run.json();
    assert_eq!(doc["summary"]["findings"], 4);
    assert_eq!(doc["summary"]["errors"], 1);
}

#[test]
fn sarif() {
    let run = golden("sarif", "scan.sarif.json");
    let doc = run.json();
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 4);
    let helm: Vec<_> = results
        .iter()
        .filter(|r| r["message"]["text"].as_str().unwrap().contains("shop/templates/deployment.yaml"))
        .collect();
    assert_eq!(helm.len(), 2, "Helm findings name their template");
    assert_eq!(
        helm[0]["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "shop/templates/deployment.yaml"
    );
    validate_sarif(&doc);
}

#[test]
fn junit() {
    let run = golden("junit", "scan.junit.xml");
    assert!(run.stdout.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert_eq!(run.stdout.matches("<failure ").count(), 4);
    assert_eq!(run.stdout.matches("<error ").count(), 1);
    assert_eq!(run.stdout.matches("<testsuite ").count(), 3);
    check_xml_well_formed(&run.stdout);
}

#[test]
fn output_file_gets_the_same_report_as_stdout() {
    let dir = common::TempDir::new("output-file");
    for format in ["human", "json", "sarif", "junit"] {
        let out = dir.path().join(format!("report.{format}"));
        let mut args = vec!["scan"];
        args.extend(INPUTS);
        let out_arg = out.to_str().unwrap().to_owned();
        args.extend(["--select", "KF-POD-001,KF-IMG-001", "-o", format, "--output", &out_arg]);
        let run = run_in(&tests_dir().join("fixtures"), &args, None);
        assert_eq!(run.code, 1);
        assert_eq!(run.stdout, "", "{format}: nothing on stdout with --output");
        let written = std::fs::read_to_string(&out).expect("report written");
        assert_eq!(written, scan(format).stdout, "{format}");
    }
}

#[test]
fn schema_validation_rejects_invalid_sarif() {
    // The validator must be able to fail, or the test above proves nothing.
    if shared_dir("schemas/sarif-schema-2.1.0.json").is_none() {
        return;
    }
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"level": "fatal", "message": {"text": "m"}}]}]});
    let outcome = std::panic::catch_unwind(|| validate_sarif(&bad));
    assert!(outcome.is_err(), "an invalid level must be rejected");
}
