//! Finding, reading and parsing input files in parallel.

use crate::yaml::{parse_chunk, split_documents, Limits};
use crate::{objects_from_document, Diagnostic};
use kubefort_model::{Object, Pos};
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// What [`load_with_progress`] is doing: files read so far, then documents
/// parsed so far, each out of a known total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading files (`total` = files found).
    Reading,
    /// Parsing documents (`total` = `---`-separated pieces of all files).
    Parsing,
}

/// Counts finished units of one stage and reports each to the callback.
struct Counter<'a> {
    stage: Stage,
    total: usize,
    done: AtomicUsize,
    callback: &'a (dyn Fn(Progress) + Sync),
}

impl Counter<'_> {
    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        (self.callback)(Progress { stage: self.stage, done, total: self.total });
    }
}

/// One thing the user asked to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Path(PathBuf),
    /// `-`: read standard input (e.g. `helm template … | kubefort scan -`).
    Stdin,
}

impl Input {
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files (or stdin) whose text could be read.
    pub files_read: usize,
    /// Paths that could not be read at all (missing, unreadable, binary).
    pub files_unreadable: usize,
    /// Bytes of text parsed.
    pub bytes: usize,
}

const MANIFEST_EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

/// Expands the inputs to files: a directory is walked recursively for
/// `.yaml`, `.yml` and `.json` files (hidden entries skipped, sorted by name
/// so output is deterministic); a file named directly is read whatever its
/// extension.
pub fn collect_files(inputs: &[Input], diagnostics: &mut Vec<Diagnostic>) -> Vec<Input> {
    let mut files = collect_all_files(inputs, diagnostics);
    // A file named twice (`scan . app.yaml`, or stdin twice) is read once,
    // where it first appears, or every finding in it would be reported twice.
    let mut seen = std::collections::HashSet::new();
    files.retain(|input| match input {
        Input::Stdin => seen.insert(None),
        Input::Path(p) => seen.insert(Some(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))),
    });
    files
}

fn collect_all_files(inputs: &[Input], diagnostics: &mut Vec<Diagnostic>) -> Vec<Input> {
    let mut files = Vec::new();
    for input in inputs {
        let path = match input {
            Input::Stdin => {
                files.push(Input::Stdin);
                continue;
            }
            Input::Path(p) => p,
        };
        if path.is_dir() {
            let walker = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() && has_manifest_extension(e.path()) => {
                        files.push(Input::Path(e.into_path()))
                    }
                    Ok(_) => {}
                    Err(err) => {
                        let name: Arc<str> = Arc::from(err.path().unwrap_or(path).display().to_string());
                        diagnostics.push(Diagnostic::error(&name, Pos::default(), format!("cannot read: {err}")));
                    }
                }
            }
        } else {
            files.push(Input::Path(path.clone()));
        }
    }
    files
}

fn has_manifest_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| MANIFEST_EXTENSIONS.iter().any(|m| e.eq_ignore_ascii_case(m)))
}

fn display_name(input: &Input) -> Arc<str> {
    match input {
        Input::Stdin => Arc::from("<stdin>"),
        Input::Path(p) => Arc::from(p.display().to_string()),
    }
}

fn read_input(input: &Input) -> std::io::Result<Vec<u8>> {
    match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin().lock().read_to_end(&mut buf)?;
            Ok(buf)
        }
        Input::Path(p) => std::fs::read(p),
    }
}

/// Checks the bytes are text: no NUL byte and valid UTF-8 (a BOM is dropped).
fn decode(bytes: Vec<u8>, name: &Arc<str>) -> Result<String, Diagnostic> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let pos = position_of_byte(&bytes, at);
        return Err(Diagnostic::error(name, pos, "binary file (NUL byte); not a manifest"));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let pos = position_of_byte(e.as_bytes(), at);
        Diagnostic::error(name, pos, "not valid UTF-8 text; not a manifest")
    })
}

fn position_of_byte(bytes: &[u8], at: usize) -> Pos {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() as u32 + 1;
    Pos::new(line, column)
}

/// Reads and parses every input. Never fails: problems become diagnostics.
pub fn load(inputs: &[Input], limits: Limits) -> Loaded {
    load_with_progress(inputs, limits, &|_| {})
}

/// [`load`], calling `progress` after each file is read and each document
/// is parsed (from many threads at once, in no particular order; `done`
/// counts up to `total` within a stage). For progress bars: the callback
/// should be cheap and must not block.
pub fn load_with_progress(inputs: &[Input], limits: Limits, progress: &(dyn Fn(Progress) + Sync)) -> Loaded {
    let mut diagnostics = Vec::new();
    let files = collect_files(inputs, &mut diagnostics);
    let counter = Counter { stage: Stage::Reading, total: files.len(), done: AtomicUsize::new(0), callback: progress };
    let read: Vec<(Arc<str>, Result<String, Diagnostic>)> = files
        .par_iter()
        .map(|input| {
            let name = display_name(input);
            let text = read_input(input)
                .map_err(|e| Diagnostic::error(&name, Pos::default(), format!("cannot read: {e}")))
                .and_then(|bytes| decode(bytes, &name));
            counter.tick();
            (name, text)
        })
        .collect();
    let mut texts = Vec::with_capacity(read.len());
    let mut unreadable = diagnostics.len();
    for (name, result) in read {
        match result {
            Ok(text) => texts.push((name, text)),
            Err(d) => {
                unreadable += 1;
                diagnostics.push(d);
            }
        }
    }
    let mut loaded = parse_texts(texts, limits, progress);
    loaded.files_unreadable = unreadable;
    diagnostics.append(&mut loaded.diagnostics);
    loaded.diagnostics = diagnostics;
    loaded
}

/// Parses texts already in memory (named as they should be reported).
pub fn load_texts(texts: Vec<(Arc<str>, String)>, limits: Limits) -> Loaded {
    parse_texts(texts, limits, &|_| {})
}

fn parse_texts(texts: Vec<(Arc<str>, String)>, limits: Limits, progress: &(dyn Fn(Progress) + Sync)) -> Loaded {
    let chunks: Vec<(usize, usize, crate::yaml::Chunk<'_>)> = texts
        .iter()
        .enumerate()
        .flat_map(|(file, (_, text))| split_documents(text).into_iter().enumerate().map(move |(i, c)| (file, i, c)))
        .collect();
    let counter = Counter { stage: Stage::Parsing, total: chunks.len(), done: AtomicUsize::new(0), callback: progress };
    let per_chunk: Vec<(usize, Vec<Object>, Vec<Diagnostic>)> = chunks
        .into_par_iter()
        .map(|(file, index, chunk)| {
            let name = &texts[file].0;
            let parsed = parse_chunk(chunk, name, index, limits);
            let mut objects = Vec::new();
            let mut diagnostics = parsed.diagnostics;
            for doc in parsed.documents {
                objects_from_document(doc, name, &mut objects, &mut diagnostics);
            }
            counter.tick();
            (file, objects, diagnostics)
        })
        .collect();
    let mut loaded =
        Loaded { files_read: texts.len(), bytes: texts.iter().map(|(_, t)| t.len()).sum(), ..Loaded::default() };
    let mut has_content = vec![false; texts.len()];
    for (file, objects, diagnostics) in per_chunk {
        has_content[file] |= !objects.is_empty() || !diagnostics.is_empty();
        loaded.objects.extend(objects);
        loaded.diagnostics.extend(diagnostics);
    }
    for (i, (name, _)) in texts.iter().enumerate() {
        if !has_content[i] {
            loaded.diagnostics.push(Diagnostic::note(name, Pos::default(), "empty file: no documents"));
        }
    }
    loaded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Level;

    fn texts(items: &[(&str, &str)]) -> Vec<(Arc<str>, String)> {
        items.iter().map(|(n, t)| (Arc::from(*n), t.to_string())).collect()
    }

    #[test]
    fn lists_are_flattened_and_typed_list_items_get_their_kind() {
        let l = load_texts(
            texts(&[(
                "list.yaml",
                "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n---\napiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: p, namespace: ns}\n  spec: {}\n",
            )]),
            Limits::default(),
        );
        let names: Vec<_> =
            l.objects.iter().map(|o| (o.kind.as_str(), o.name.as_str(), o.base_pointer.as_str())).collect();
        assert_eq!(names, [("ConfigMap", "a", "/items/0"), ("Pod", "p", "/items/0")]);
        assert_eq!(l.objects[1].namespace.as_deref(), Some("ns"));
        assert_eq!(l.objects[1].root.pos.line, 11);
    }

    #[test]
    fn non_kubernetes_yaml_is_a_note_and_empty_files_are_noted() {
        let l = load_texts(texts(&[("values.yaml", "replicas: 3\n"), ("empty.yaml", "")]), Limits::default());
        assert!(l.objects.is_empty());
        assert!(l.diagnostics.iter().all(|d| d.level == Level::Note), "{:?}", l.diagnostics);
        assert_eq!(l.diagnostics.len(), 2);
    }

    #[test]
    fn binary_and_invalid_utf8_are_errors_with_positions() {
        let name: Arc<str> = Arc::from("b.bin");
        let e = decode(b"ab\ncd\0".to_vec(), &name).unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        let e = decode(b"ok: \xff".to_vec(), &name).unwrap_err();
        assert_eq!((e.line, e.column), (1, 5));
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1".to_vec(), &name).unwrap(), "a: 1");
    }

    #[test]
    fn progress_counts_every_file_and_document() {
        let dir = std::env::temp_dir().join(format!("kf-progress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n").unwrap();
        std::fs::write(dir.join("b.yaml"), "a: 1\n---\nb: 2\n---\nc: 3\n").unwrap();
        let seen = std::sync::Mutex::new(Vec::new());
        let l = load_with_progress(&[Input::Path(dir.clone())], Limits::default(), &|p| seen.lock().unwrap().push(p));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(l.objects.len(), 1);
        let mut seen = seen.into_inner().unwrap();
        seen.sort_by_key(|p| (p.stage as u8, p.done));
        let summary: Vec<_> = seen.iter().map(|p| (p.stage, p.done, p.total)).collect();
        assert_eq!(
            summary,
            [
                (Stage::Reading, 1, 2),
                (Stage::Reading, 2, 2),
                (Stage::Parsing, 1, 4),
                (Stage::Parsing, 2, 4),
                (Stage::Parsing, 3, 4),
                (Stage::Parsing, 4, 4)
            ]
        );
    }

    #[test]
    fn missing_paths_are_reported_and_the_rest_is_loaded() {
        let dir = std::env::temp_dir().join(format!("kf-load-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::write(dir.join("sub/a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n").unwrap();
        std::fs::write(dir.join(".git/x.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hidden}\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "apiVersion: v1\n").unwrap();
        let l = load(&[Input::Path(dir.clone()), Input::Path(dir.join("missing.yaml"))], Limits::default());
        let twice = load(&[Input::Path(dir.join("sub/a.yaml")), Input::Path(dir.clone())], Limits::default());
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(twice.objects.len(), 1, "a file named twice is read once");
        assert_eq!(&*twice.objects[0].source.file, dir.join("sub/a.yaml").display().to_string());
        assert_eq!(l.objects.len(), 1);
        assert_eq!(l.objects[0].name, "a");
        assert_eq!(l.files_read, 1);
        assert_eq!(l.files_unreadable, 1);
        assert!(l.diagnostics.iter().any(|d| d.level == Level::Error && d.file.ends_with("missing.yaml")));
    }
}
