//! Helpers shared by the binary's integration tests.
#![allow(dead_code)] // each test crate uses a different subset

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_kubefort");

/// `crates/kubefort/tests`.
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The shared folder beside the repository (`../shared`), or the parent of
/// `$KUBEFORT_CONFORMANCE_DIR`. `None` (and a printed note) when absent.
pub fn shared_dir(what: &str) -> Option<PathBuf> {
    let candidates = std::env::var_os("KUBEFORT_CONFORMANCE_DIR")
        .and_then(|d| PathBuf::from(d).parent().map(Path::to_path_buf))
        .into_iter()
        .chain([PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"))]);
    for c in candidates {
        if c.join(what).exists() {
            return Some(c);
        }
    }
    eprintln!("skipped: ../shared/{what} not found (set KUBEFORT_CONFORMANCE_DIR)");
    None
}

/// The result of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().expect("exited, not killed by a signal"),
            stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(o.stderr).expect("stderr is UTF-8"),
        }
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs `kubefort ARGS` in `cwd` with `stdin` (none when `None`), without
/// colour and without the caller's KUBEFORT_* environment.
pub fn run_in(cwd: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(cwd).env("NO_COLOR", "1");
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn kubefort");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(input).expect("write stdin");
    }
    Run::from(child.wait_with_output().expect("wait"))
}

/// A fresh, empty directory for one test (removed when dropped).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("kubefort-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(&path, content).expect("write fixture");
        path
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Validates a SARIF document against the official 2.1.0 schema in
/// `../shared/schemas` (skipped with a note when the folder is absent).
pub fn validate_sarif(doc: &serde_json::Value) {
    let Some(shared) = shared_dir("schemas/sarif-schema-2.1.0.json") else { return };
    let path = shared.join("schemas/sarif-schema-2.1.0.json");
    let schema: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.add_resource("sarif-schema-2.1.0.json", schema).unwrap();
    let index = compiler.compile("sarif-schema-2.1.0.json", &mut schemas).unwrap_or_else(|e| panic!("schema: {e}"));
    if let Err(e) = schemas.validate(doc, index) {
        panic!("SARIF does not match the 2.1.0 schema:\n{e:#}");
    }
}

/// A minimal well-formedness check: tags balance and every `&` starts an
/// entity or character reference.
pub fn check_xml_well_formed(xml: &str) {
    let body = xml.split_once("?>\n").expect("XML declaration").1;
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        check_entities(text);
        let end = rest[start..].find('>').expect("tag closes") + start;
        let tag = &rest[start + 1..end];
        check_entities(tag);
        assert!(!tag.contains('<'), "`<` inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "closing tag mismatch");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap().to_owned());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

fn check_entities(text: &str) {
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity) || entity.starts_with("&#"),
            "bare `&` in XML: {entity}"
        );
    }
}
