//! Kubernetes' own pod-security-admission fixtures:
//! `<conformance>/pss/<level>/<version>/{pass,fail}/<checkid><n>.yaml`.
//!
//! Every `pass` file must be allowed at its level and version; every `fail`
//! file must be denied, and the check its name starts with must be among the
//! forbidding checks — or, at the restricted level, the restricted check that
//! overrides it there (`hostpathvolumes0.yaml` is caught by
//! `restrictedVolumes`). The fixtures are read from `KUBEFORT_CONFORMANCE_DIR`
//! (default: `shared/conformance` beside the repository) and never copied.

use kubefort_load::{load_texts, Limits};
use kubefort_pss::{all_checks, effective_check, evaluate, Level, Version};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn conformance_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("KUBEFORT_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance"),
    };
    dir.join("pss").is_dir().then_some(dir)
}

/// The sub-directories of `dir`, sorted.
fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    sorted_entries(dir).into_iter().filter(|p| p.is_dir()).collect()
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    entries
}

/// `hostnamespaces3` → `hostNamespaces`; `None` for `base*` fixtures.
fn check_of(stem: &str) -> Option<&'static str> {
    let prefix = stem.trim_end_matches(|c: char| c.is_ascii_digit());
    all_checks().map(|c| c.id).find(|id| id.eq_ignore_ascii_case(prefix))
}

#[test]
fn pod_security_admission_fixtures() {
    let Some(dir) = conformance_dir() else {
        println!("skipped: conformance dir not found");
        return;
    };
    let mut checked = 0usize;
    let mut mismatches = Vec::new();
    for level_dir in sorted_dirs(&dir.join("pss")) {
        let level_name = level_dir.file_name().unwrap().to_string_lossy().into_owned();
        let level: Level = level_name.parse().unwrap_or_else(|e| panic!("{}: {e}", level_dir.display()));
        for version_dir in sorted_dirs(&level_dir) {
            let version_name = version_dir.file_name().unwrap().to_string_lossy().into_owned();
            let version: Version = version_name.parse().unwrap_or_else(|e| panic!("{}: {e}", version_dir.display()));
            for expect in ["pass", "fail"] {
                let case_dir = version_dir.join(expect);
                if !case_dir.is_dir() {
                    continue;
                }
                for file in sorted_entries(&case_dir) {
                    if file.extension().and_then(|e| e.to_str()) != Some("yaml") {
                        continue;
                    }
                    checked += 1;
                    let label =
                        format!("{level_name}/{version_name}/{expect}/{}", file.file_name().unwrap().to_string_lossy());
                    if let Err(problem) = check_file(&file, level, version, expect == "pass") {
                        mismatches.push(format!("{label}: {problem}"));
                    }
                }
            }
        }
    }
    let passed = checked - mismatches.len();
    println!("pss conformance: {passed}/{checked} files");
    assert!(checked > 0, "no fixtures found under {}", dir.display());
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

fn check_file(file: &Path, level: Level, version: Version, expect_allowed: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read: {e}"))?;
    let name: Arc<str> = Arc::from(file.display().to_string());
    let loaded = load_texts(vec![(name, text)], Limits::default());
    let [object] = loaded.objects.as_slice() else {
        return Err(format!("expected one object, loaded {}", loaded.objects.len()));
    };
    let evaluation = evaluate(object, level, version).ok_or("no pod spec")?;
    let fired: Vec<&str> = evaluation.forbidden.iter().map(|v| v.check).collect();
    if expect_allowed {
        return match evaluation.allowed {
            true => Ok(()),
            false => Err(format!("expected allowed, denied by {}", evaluation.message())),
        };
    }
    if evaluation.allowed {
        return Err("expected denied, allowed".into());
    }
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let expected = check_of(stem).ok_or_else(|| format!("no check id matches fixture name {stem:?}"))?;
    let effective = effective_check(expected, level, version)
        .ok_or_else(|| format!("check {expected} does not run at {level}:{version}"))?;
    if fired.contains(&effective) {
        Ok(())
    } else {
        Err(format!("expected {effective} (for {expected}) among forbidden checks, got {fired:?}"))
    }
}
