//! Precision and recall of the detectors on the labelled set in
//! `tests/labelled/cases.tsv` (fake secrets generated from a fixed seed,
//! and look-alikes that must not fire).

#[path = "labelled/cases.rs"]
mod cases;

use cases::cases;
use kubefort_secrets::scanner;

#[test]
fn precision_and_recall_on_the_labelled_set() {
    let (mut tp, mut fp, mut fn_, mut tn) = (0usize, 0usize, 0usize, 0usize);
    let mut report = Vec::new();
    for case in cases() {
        let found = scanner().scan(case.text.as_bytes());
        // Nothing in a match may reveal the value.
        for m in &found {
            let value = &case.text.as_bytes()[m.range.clone()];
            assert!(m.preview.len() <= 4 + 4 + 3, "line {}: preview too long", case.line);
            if value.len() >= 8 {
                let value = String::from_utf8_lossy(value);
                assert!(!m.evidence().contains(&*value), "line {}: evidence reveals the value", case.line);
            }
        }
        let ids: Vec<&str> = found.iter().map(|m| m.detector.id).collect();
        match &case.expected {
            Some(e) if ids.contains(&e.as_str()) => tp += 1,
            Some(e) => {
                fn_ += 1;
                report.push(format!("line {}: missed {e} (found {ids:?})", case.line));
            }
            None if ids.is_empty() => tn += 1,
            None => {
                fp += 1;
                report.push(format!("line {}: false positive {ids:?}", case.line));
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    println!("labelled set: {tp} true positives, {fp} false positives, {fn_} missed, {tn} true negatives");
    println!("precision {precision:.3}, recall {recall:.3}");
    for r in &report {
        println!("  {r}");
    }
    assert!(tp + fn_ >= 50 && fp + tn >= 70, "labelled set shrank");
    assert!(precision >= 0.98, "precision {precision:.3}: {report:#?}");
    assert!(recall >= 0.95, "recall {recall:.3}: {report:#?}");
}
