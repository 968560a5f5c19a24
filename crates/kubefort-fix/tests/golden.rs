//! Golden before/after files: `tests/golden/NAME.EXT` fixed gives
//! `tests/golden/NAME.fixed.EXT` (run with UPDATE_GOLDEN=1 to rewrite them,
//! then review the diff). Every fixed file is fixed again (nothing changes)
//! and scanned (the defaulted rules no longer fire).

use kubefort_admission::defaults::DefaultsConfig;
mod common;

use common::is_contained;
use kubefort_fix::fix_text;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn inputs() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .expect("golden dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| !p.to_string_lossy().contains(".fixed."))
        .collect();
    paths.sort();
    assert!(paths.len() >= 4, "{paths:?}");
    paths
}

fn fixed_path(input: &Path) -> PathBuf {
    let ext = input.extension().and_then(|e| e.to_str()).expect("extension");
    input.with_extension(format!("fixed.{ext}"))
}

fn fix(path: &Path, text: &str) -> (String, usize) {
    let name: Arc<str> = Arc::from(path.file_name().and_then(|n| n.to_str()).expect("name"));
    let fixed = fix_text(text, &name, &DefaultsConfig::default()).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    (fixed.text, fixed.added)
}

#[test]
fn fixed_files_match_their_golden_twins_and_fixing_again_changes_nothing() {
    for input in inputs() {
        let before = std::fs::read_to_string(&input).expect("read input");
        let (after, added) = fix(&input, &before);
        assert!(added > 0, "{}: nothing added", input.display());
        let golden = fixed_path(&input);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &after).expect("write golden");
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
        assert_eq!(after, expected, "{}", input.display());
        let (again, added_again) = fix(&golden, &after);
        assert_eq!((again.as_str(), added_again), (after.as_str(), 0), "{}: not idempotent", input.display());
    }
}

#[test]
fn every_line_of_the_input_survives_in_order() {
    for input in inputs() {
        let before = std::fs::read_to_string(&input).expect("read input");
        let (after, _) = fix(&input, &before);
        // Insertions only: the input's lines are a subsequence of the
        // output's, but a line whose flow map or empty value was extended
        // (or `~` value replaced) keeps only its start (and its comment).
        let mut out = after.lines();
        for line in before.lines() {
            let (code, comment) = line.split_once(" #").map_or((line, ""), |(c, r)| (c, r));
            let start = code.trim_end().trim_end_matches(['}', ' ']);
            let start = ["~", "null"].iter().find_map(|n| start.strip_suffix(n)).unwrap_or(start);
            let found = out.any(|l| l == line || (l.starts_with(start) && l.ends_with(comment) && !start.is_empty()));
            assert!(found, "{}: line {line:?} lost or reordered:\n{after}", input.display());
        }
        for comment in before.lines().filter_map(|l| l.find('#').map(|i| &l[i..])) {
            assert!(after.contains(comment), "{}: comment lost: {comment}", input.display());
        }
    }
}

#[test]
fn the_defaulted_rules_no_longer_fire_on_fixed_files() {
    // The rules whose fields the defaults set; values the user wrote (the
    // sidecar's allowPrivilegeEscalation: true, the init container's NET_RAW
    // drop list, the privileged container) are kept and still reported.
    let kept = [
        "flow.yaml:/spec/containers/2/securityContext",
        "block.yaml:/spec/template/spec/containers/1/securityContext/allowPrivilegeEscalation",
        "block.yaml:/spec/template/spec/initContainers/0/securityContext/capabilities/drop",
    ];
    for input in inputs() {
        let before = std::fs::read_to_string(&input).expect("read input");
        let (after, _) = fix(&input, &before);
        let name: Arc<str> = Arc::from(input.file_name().and_then(|n| n.to_str()).expect("name"));
        let loaded = kubefort_load::load_texts(vec![(name.clone(), after)], kubefort_load::Limits::default());
        let inventory = kubefort_model::Inventory::new(loaded.objects);
        let outcome =
            kubefort_rules::run(&inventory, &kubefort_rules::all_rules(), &kubefort_model::Settings::default());
        for f in outcome.findings {
            if ["KF-POD-002", "KF-POD-004", "KF-POD-007"].contains(&f.rule) {
                let at = format!("{name}:{}", f.pointer);
                assert!(kept.iter().any(|k| at.starts_with(k)), "{at}: {} still fires: {}", f.rule, f.message);
            }
        }
    }
}

#[test]
fn every_value_of_the_input_is_kept_only_new_keys_are_added() {
    for input in inputs() {
        let before = std::fs::read_to_string(&input).expect("read input");
        let (after, _) = fix(&input, &before);
        let objects = |text: String| {
            let loaded = kubefort_load::load_texts(vec![("f".into(), text)], kubefort_load::Limits::default());
            loaded.objects.iter().map(|o| o.root.to_json()).collect::<Vec<_>>()
        };
        let (old, new) = (objects(before), objects(after));
        assert_eq!(old.len(), new.len(), "{}", input.display());
        for (o, n) in old.iter().zip(&new) {
            if let Err(e) = is_contained(o, n, "") {
                panic!("{}: {e}", input.display());
            }
        }
    }
}
