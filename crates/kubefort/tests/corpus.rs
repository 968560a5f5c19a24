//! Scans the shared corpus of real manifests (`../shared/corpus`, 380-odd
//! files from public projects): no crash, and no parse error on any file
//! that is valid YAML. Some corpus files are unrendered templates
//! (`{{ … }}`), which are legitimately errors, and a few repeat a key: every
//! diagnostic must be one of those two, and the template errors must be in
//! files that really hold `{{`. Every output format of the same scan must be
//! well-formed, and the SARIF must match the schema.

mod common;

use common::{check_xml_well_formed, run_in, shared_dir, validate_sarif};

#[test]
fn corpus_scans_without_crash_or_spurious_parse_errors() {
    let Some(shared) = shared_dir("corpus") else { return };
    let corpus = shared.join("corpus");
    let r = run_in(&shared, &["scan", "corpus", "-o", "json", "-v"], None);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    let doc = r.json();
    assert!(doc["summary"]["files"].as_u64().unwrap() > 300, "{}", doc["summary"]);
    assert!(doc["summary"]["objects"].as_u64().unwrap() > 800, "{}", doc["summary"]);
    let mut templates = 0;
    for e in doc["errors"].as_array().unwrap() {
        let message = e["message"].as_str().unwrap();
        let file = e["file"].as_str().unwrap();
        match e["level"].as_str().unwrap() {
            "error" => {
                assert!(message.contains("unrendered template"), "parse error on a file that is not a template: {e}");
                let text = std::fs::read_to_string(shared.join(file)).unwrap();
                assert!(text.contains("{{"), "{file} holds no template expression: {e}");
                templates += 1;
            }
            "warning" => assert!(message.starts_with("duplicate key"), "unexpected warning: {e}"),
            "note" => assert!(
                message.starts_with("skipped: document") || message.starts_with("empty file"),
                "unexpected note: {e}"
            ),
            other => panic!("level {other}: {e}"),
        }
    }
    assert!(templates > 0, "the corpus holds unrendered templates; they must be reported");
    assert!(corpus.is_dir());
}

#[test]
fn corpus_sarif_matches_the_schema_and_junit_is_well_formed() {
    let Some(shared) = shared_dir("corpus") else { return };
    let sarif = run_in(&shared, &["scan", "corpus", "-o", "sarif", "-v"], None);
    assert!(sarif.code == 0 || sarif.code == 1, "{}", sarif.stderr);
    let doc = sarif.json();
    assert!(!doc["runs"][0]["results"].as_array().unwrap().is_empty());
    validate_sarif(&doc);
    for result in doc["runs"][0]["results"].as_array().unwrap() {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("corpus/") && !uri.contains('\\'), "relative, forward slashes: {uri}");
    }
    let junit = run_in(&shared, &["scan", "corpus", "-o", "junit", "-v"], None);
    check_xml_well_formed(&junit.stdout);
}
