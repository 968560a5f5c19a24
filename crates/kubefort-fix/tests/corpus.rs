//! `fix_text` on the shared corpus of real manifests (`../shared/corpus`):
//! every file the loader reads without error is fixed, fixing again adds
//! nothing, the fixed text holds the same objects with every value kept,
//! and no workload is left without a seccomp profile. Skipped (with a note)
//! when the corpus is absent.

mod common;

use kubefort_admission::defaults::DefaultsConfig;
use kubefort_fix::fix_text;
use kubefort_load::{load_texts, Level, Limits};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("KUBEFORT_CONFORMANCE_DIR")
        .and_then(|d| PathBuf::from(d).parent().map(|p| p.join("corpus")))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} not found (set KUBEFORT_CONFORMANCE_DIR)", dir.display());
        None
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read corpus dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn corpus_files_are_fixed_once_and_keep_their_objects() {
    let Some(dir) = corpus() else { return };
    let mut paths = Vec::new();
    files(&dir, &mut paths);
    paths.sort();
    let mut fixed_files = 0;
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let name: Arc<str> = Arc::from(path.display().to_string());
        let before = load_texts(vec![(name.clone(), text.clone())], Limits::default());
        let loads_cleanly = before.diagnostics.iter().all(|d| d.level != Level::Error);
        let fixed = match fix_text(&text, &name, &DefaultsConfig::default()) {
            Ok(fixed) => fixed,
            Err(errors) => {
                assert!(!loads_cleanly, "{name}: the loader reads it but fix fails: {errors:?}");
                continue;
            }
        };
        if fixed.added == 0 {
            assert_eq!(fixed.text, text, "{name}: changed without adding anything");
            continue;
        }
        fixed_files += 1;
        let again = fix_text(&fixed.text, &name, &DefaultsConfig::default()).expect("fixed text fixes");
        assert_eq!(again.added, 0, "{name}: not idempotent");
        let after = load_texts(vec![(name.clone(), fixed.text.clone())], Limits::default());
        let objects = |l: &kubefort_load::Loaded| l.objects.iter().map(|o| o.display_name()).collect::<Vec<_>>();
        assert_eq!(objects(&after), objects(&before), "{name}");
        for (old, new) in before.objects.iter().zip(&after.objects) {
            if let Err(e) = common::is_contained(&old.root.to_json(), &new.root.to_json(), "") {
                panic!("{name}: {e}");
            }
        }
        let inventory = kubefort_model::Inventory::new(after.objects);
        let seccomp = kubefort_rules::find_rule("KF-POD-007").expect("seccomp rule");
        for f in kubefort_rules::run(&inventory, &[seccomp], &kubefort_model::Settings::default()).findings {
            assert!(!f.message.contains("has no seccomp profile"), "{name}: {}", f.message);
        }
    }
    assert!(fixed_files > 100, "only {fixed_files} corpus files needed fixing");
}
