//! The labelled set in `cases.tsv`, with its fake secrets generated from a
//! fixed seed. Shared by the precision/recall test (`tests/labelled.rs`) and
//! the example that writes the set to files (`examples/write-labelled.rs`).

use kubefort_secrets::fake::Fake;
use kubefort_secrets::DETECTORS;

pub struct Case {
    /// Line of `cases.tsv` the case comes from (1-based).
    pub line: usize,
    /// The detector that must fire, or `None` for a look-alike.
    pub expected: Option<String>,
    pub text: String,
}

pub fn cases() -> Vec<Case> {
    let raw = include_str!("cases.tsv");
    let mut fake = Fake::new(2024);
    let mut out = Vec::new();
    for (i, line) in raw.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (label, text) = line.split_once('\t').expect("label<TAB>text");
        let mut text = text.replace("\\n", "\n");
        while let Some(start) = text.find("%FAKE:") {
            let end = start + 1 + text[start + 1..].find('%').expect("closing %");
            let detector = text[start + 6..end].to_owned();
            assert!(DETECTORS.iter().any(|d| d.id == detector), "line {}: unknown detector {detector}", i + 1);
            text.replace_range(start..=end, &fake.secret(&detector));
        }
        let expected = (label != "-").then(|| label.to_owned());
        if let Some(e) = &expected {
            assert!(DETECTORS.iter().any(|d| d.id == e), "line {}: unknown detector {e}", i + 1);
        }
        out.push(Case { line: i + 1, expected, text });
    }
    out
}
