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
    /// Grows while a large file is read window by window.
    total: AtomicUsize,
    done: AtomicUsize,
    callback: &'a (dyn Fn(Progress) + Sync),
}

impl Counter<'_> {
    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.total.load(Ordering::Relaxed).max(done);
        (self.callback)(Progress { stage: self.stage, done, total });
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

/// An input read whole and checked to be text.
#[derive(Debug)]
pub struct InputText {
    /// The text, without a UTF-8 byte-order mark (positions count from after it).
    pub text: String,
    /// Whether the input began with a byte-order mark (a command that writes
    /// the file back keeps it).
    pub had_bom: bool,
}

/// The name diagnostics give an input: its path, or `<stdin>`.
pub fn input_name(input: &Input) -> Arc<str> {
    display_name(input)
}

/// Reads `input` whole as text; `name` is what its diagnostics call it. A
/// read error, a NUL byte or invalid UTF-8 is a diagnostic with the position.
pub fn read_text(input: &Input, name: &Arc<str>) -> Result<InputText, Diagnostic> {
    let bytes = read_input(input).map_err(|e| Diagnostic::error(name, Pos::default(), format!("cannot read: {e}")))?;
    let had_bom = bytes.starts_with(b"\xEF\xBB\xBF");
    Ok(InputText { text: decode(bytes, name)?, had_bom })
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
    let counter = Counter {
        stage: Stage::Reading,
        total: AtomicUsize::new(files.len()),
        done: AtomicUsize::new(0),
        callback: progress,
    };
    // A large file is not read here but window by window while it is parsed.
    let read: Vec<(Arc<str>, Result<Text, Diagnostic>)> = files
        .par_iter()
        .map(|input| {
            let name = display_name(input);
            let text = match input {
                Input::Path(p) if std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() > WINDOW as u64) => {
                    Ok(Text::Big(p.clone()))
                }
                _ => read_text(input, &name).map(|read| Text::Whole(read.text)),
            };
            counter.tick();
            (name, text)
        })
        .collect();
    let counter =
        Counter { stage: Stage::Parsing, total: AtomicUsize::new(0), done: AtomicUsize::new(0), callback: progress };
    let mut texts = Vec::with_capacity(read.len());
    let mut big = Vec::new();
    let mut unreadable = diagnostics.len();
    // Large files are parsed first (each in parallel over its windows), so
    // that their read errors are known before the report is put together.
    let mut outputs: Vec<Option<FileOutput>> = Vec::new();
    let mut read_errors: Vec<Option<Diagnostic>> = Vec::new();
    for (name, result) in read {
        let index = outputs.len();
        outputs.push(None);
        read_errors.push(None);
        match result {
            Ok(Text::Whole(text)) => texts.push((index, name, text)),
            Ok(Text::Big(path)) => big.push((index, name, path)),
            Err(d) => read_errors[index] = Some(d),
        }
    }
    let mut bytes = 0;
    for (index, name, path) in big {
        match parse_big_file(&path, &name, limits, &counter, WINDOW) {
            Ok((n, objects, diagnostics)) => {
                bytes += n;
                outputs[index] = Some(FileOutput { name, objects, diagnostics });
            }
            Err(d) => read_errors[index] = Some(d),
        }
    }
    let files_read = texts.len() + outputs.iter().filter(|o| o.is_some()).count();
    bytes += texts.iter().map(|(_, _, t)| t.len()).sum::<usize>();
    for (index, output) in parse_whole_texts(texts, limits, &counter) {
        outputs[index] = Some(output);
    }
    for d in read_errors.into_iter().flatten() {
        unreadable += 1;
        diagnostics.push(d);
    }
    let mut loaded = assemble(outputs.into_iter().flatten(), files_read, bytes);
    loaded.files_unreadable = unreadable;
    diagnostics.append(&mut loaded.diagnostics);
    loaded.diagnostics = diagnostics;
    loaded
}

/// A file's text, or the path of a file too large to read whole.
enum Text {
    Whole(String),
    Big(PathBuf),
}

/// What one file gave.
struct FileOutput {
    name: Arc<str>,
    objects: Vec<Object>,
    diagnostics: Vec<Diagnostic>,
}

/// Parses texts already in memory (named as they should be reported).
pub fn load_texts(texts: Vec<(Arc<str>, String)>, limits: Limits) -> Loaded {
    let files = texts.len();
    let bytes = texts.iter().map(|(_, t)| t.len()).sum();
    let counter =
        Counter { stage: Stage::Parsing, total: AtomicUsize::new(0), done: AtomicUsize::new(0), callback: &|_| {} };
    let texts = texts.into_iter().enumerate().map(|(i, (name, text))| (i, name, text)).collect();
    assemble(parse_whole_texts(texts, limits, &counter).into_iter().map(|(_, o)| o), files, bytes)
}

/// Objects and diagnostics of every file in order, then a note for each
/// file that held nothing.
fn assemble(outputs: impl Iterator<Item = FileOutput>, files_read: usize, bytes: usize) -> Loaded {
    let mut loaded = Loaded { files_read, bytes, ..Loaded::default() };
    let mut empty = Vec::new();
    for output in outputs {
        if output.objects.is_empty() && output.diagnostics.is_empty() {
            empty.push(output.name);
        }
        // The first file's objects are taken, not copied: one large file
        // is tens of megabytes of them.
        if loaded.objects.is_empty() {
            loaded.objects = output.objects;
        } else {
            loaded.objects.extend(output.objects);
        }
        loaded.diagnostics.extend(output.diagnostics);
    }
    for name in empty {
        loaded.diagnostics.push(Diagnostic::note(&name, Pos::default(), "empty file: no documents"));
    }
    loaded
}

/// Parses whole texts, all their chunks in parallel; returns each file's
/// output with the index it was given.
fn parse_whole_texts(
    texts: Vec<(usize, Arc<str>, String)>,
    limits: Limits,
    counter: &Counter<'_>,
) -> Vec<(usize, FileOutput)> {
    let chunks: Vec<(usize, usize, crate::yaml::Chunk<'_>)> = texts
        .iter()
        .enumerate()
        .flat_map(|(file, (_, _, text))| split_documents(text).into_iter().enumerate().map(move |(i, c)| (file, i, c)))
        .collect();
    counter.total.fetch_add(chunks.len(), Ordering::Relaxed);
    let per_chunk: Vec<(usize, Vec<Object>, Vec<Diagnostic>)> = chunks
        .into_par_iter()
        .map(|(file, index, chunk)| {
            let (objects, diagnostics) = parse_one_chunk(chunk, &texts[file].1, index, limits);
            counter.tick();
            (file, objects, diagnostics)
        })
        .collect();
    let mut outputs: Vec<(usize, FileOutput)> = texts
        .iter()
        .map(|(index, name, _)| {
            (*index, FileOutput { name: name.clone(), objects: Vec::new(), diagnostics: Vec::new() })
        })
        .collect();
    for (file, objects, diagnostics) in per_chunk {
        outputs[file].1.objects.extend(objects);
        outputs[file].1.diagnostics.extend(diagnostics);
    }
    outputs
}

fn parse_one_chunk(
    chunk: crate::yaml::Chunk<'_>,
    name: &Arc<str>,
    index: usize,
    limits: Limits,
) -> (Vec<Object>, Vec<Diagnostic>) {
    let parsed = parse_chunk(chunk, name, index, limits);
    let mut objects = Vec::new();
    let mut diagnostics = parsed.diagnostics;
    for doc in parsed.documents {
        objects_from_document(doc, name, &mut objects, &mut diagnostics);
    }
    (objects, diagnostics)
}

/// Files larger than this are read and parsed a window at a time (cut at
/// `---` lines), so the text of the whole file is never in memory at once
/// beside its trees: a 273 MiB cluster dump then peaks ~250 MiB lower.
const WINDOW: usize = 32 << 20;

/// Reads and parses one large file window by window. The result is that of
/// reading it whole: the same chunks, document indices and positions, and on
/// a read, binary or UTF-8 error the same single diagnostic and no objects.
/// (One difference: a `%` directive line in such a file keeps only its
/// window whole, not the whole file.)
///
/// The next window is read and checked while the current one is parsed:
/// reading, the NUL and UTF-8 checks and the line count are serial work
/// that would otherwise leave all but one core idle between windows.
fn parse_big_file(
    path: &Path,
    name: &Arc<str>,
    limits: Limits,
    counter: &Counter<'_>,
    window_size: usize,
) -> Result<(usize, Vec<Object>, Vec<Diagnostic>), Diagnostic> {
    let mut reader = WindowReader::open(path, name, window_size)?;
    let (mut objects, mut diagnostics) = (Vec::new(), Vec::new());
    let (mut chunks_before, mut bytes) = (0usize, 0usize);
    let mut next = reader.next_window()?;
    while let Some(window) = next {
        let (parsed, following) = rayon::join(
            || {
                let mut chunks = split_documents(&window.text);
                for c in &mut chunks {
                    c.line_offset += window.lines_before;
                }
                counter.total.fetch_add(chunks.len(), Ordering::Relaxed);
                let per_chunk: Vec<(Vec<Object>, Vec<Diagnostic>)> = chunks
                    .par_iter()
                    .enumerate()
                    .map(|(i, chunk)| {
                        let out = parse_one_chunk(*chunk, name, chunks_before + i, limits);
                        counter.tick();
                        out
                    })
                    .collect();
                (chunks.len(), per_chunk)
            },
            || reader.next_window(),
        );
        // Its buffer is the next window's: fresh pages would each be faulted
        // in (and zeroed) again, about a tenth of the load's system time.
        bytes += window.text.len();
        reader.recycle(window.text);
        let (chunk_count, per_chunk) = parsed;
        // A dump has about one object a document.
        objects.reserve(chunk_count);
        for (o, d) in per_chunk {
            objects.extend(o);
            diagnostics.extend(d);
        }
        chunks_before += chunk_count;
        next = following?;
    }
    Ok((bytes, objects, diagnostics))
}

/// Whole documents of a large file, checked to be text.
struct Window {
    text: String,
    /// Lines of the file before this window.
    lines_before: u32,
}

/// Cuts a large file into windows of about `window_size` bytes, each ending
/// where a document starts.
struct WindowReader<'a> {
    file: std::fs::File,
    name: &'a Arc<str>,
    window_size: usize,
    /// Read but not yet handed out (the start of a document cut short).
    buf: Vec<u8>,
    /// A parsed window's buffer, to read into again.
    spare: Option<Vec<u8>>,
    eof: bool,
    first: bool,
    lines_before: u32,
}

impl<'a> WindowReader<'a> {
    fn open(path: &Path, name: &'a Arc<str>, window_size: usize) -> Result<Self, Diagnostic> {
        let file = std::fs::File::open(path).map_err(|e| cannot_read(name, e))?;
        Ok(WindowReader {
            file,
            name,
            window_size,
            buf: Vec::with_capacity(window_size + window_size / 16),
            spare: None,
            eof: false,
            first: true,
            lines_before: 0,
        })
    }

    /// Takes back a window's buffer once it is parsed (freed once the
    /// whole file is read: nothing is read into it again).
    fn recycle(&mut self, text: String) {
        if !self.eof {
            self.spare = Some(text.into_bytes());
        }
    }

    /// The next window, `None` at the end of the file.
    fn next_window(&mut self) -> Result<Option<Window>, Diagnostic> {
        loop {
            if self.eof && self.buf.is_empty() {
                return Ok(None);
            }
            if !self.eof {
                let n = (&mut self.file)
                    .take(self.window_size as u64)
                    .read_to_end(&mut self.buf)
                    .map_err(|e| cannot_read(self.name, e))?;
                self.eof = n == 0;
            }
            if self.first && (self.buf.len() >= 3 || self.eof) {
                if self.buf.starts_with(b"\xEF\xBB\xBF") {
                    self.buf.drain(..3);
                }
                self.first = false;
            }
            let cut = if self.eof { self.buf.len() } else { last_document_start(&self.buf) };
            if cut == 0 {
                continue; // one document longer than a window so far: read on
            }
            let window = &self.buf[..cut];
            if let Some(at) = memchr::memchr(0, window) {
                return Err(binary_file(self.name, window, at, self.lines_before));
            }
            let lines_before = self.lines_before;
            self.lines_before += memchr::memchr_iter(b'\n', window).count() as u32;
            // The window leaves in its own buffer; the document cut short
            // starts the next one, which gets a full window's capacity.
            let mut next = self.spare.take().unwrap_or_default();
            next.clear();
            next.reserve(self.window_size + self.window_size / 16);
            next.extend_from_slice(&self.buf[cut..]);
            self.buf.truncate(cut);
            let bytes = std::mem::replace(&mut self.buf, next);
            match String::from_utf8(bytes) {
                Ok(text) => return Ok(Some(Window { text, lines_before })),
                Err(e) => {
                    // A NUL byte later in the file wins, as when the file is read whole.
                    let at = e.utf8_error().valid_up_to();
                    let mut read = e.into_bytes();
                    let bad = Diagnostic::error(
                        self.name,
                        offset_pos(&read, at, lines_before),
                        "not valid UTF-8 text; not a manifest",
                    );
                    read.extend_from_slice(&self.buf);
                    return Err(find_nul_after(&mut self.file, &read, lines_before, self.name).unwrap_or(bad));
                }
            }
        }
    }
}

fn cannot_read(name: &Arc<str>, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(name, Pos::default(), format!("cannot read: {e}"))
}

/// Offset of the last line of `buf` that starts a document (`---`), if a
/// byte follows it (so the line is known whole); 0 when there is none.
fn last_document_start(buf: &[u8]) -> usize {
    let finder = memchr::memmem::FinderRev::new(b"\n---");
    let mut end = buf.len();
    while let Some(i) = finder.rfind(&buf[..end]) {
        let rest = &buf[i + 4..];
        if matches!(rest.first(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            return i + 1;
        }
        end = i;
    }
    0
}

fn offset_pos(window: &[u8], at: usize, lines_before: u32) -> Pos {
    let p = position_of_byte(window, at);
    Pos::new(p.line + lines_before, p.column)
}

fn binary_file(name: &Arc<str>, window: &[u8], at: usize, lines_before: u32) -> Diagnostic {
    Diagnostic::error(name, offset_pos(window, at, lines_before), "binary file (NUL byte); not a manifest")
}

/// After a UTF-8 error: the first NUL byte in the buffer or the rest of the
/// file, as a diagnostic.
fn find_nul_after(file: &mut std::fs::File, buf: &[u8], lines_before: u32, name: &Arc<str>) -> Option<Diagnostic> {
    let mut rest = buf.to_vec();
    file.read_to_end(&mut rest).ok()?;
    let at = memchr::memchr(0, &rest)?;
    Some(binary_file(name, &rest, at, lines_before))
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
    fn a_file_read_in_windows_loads_as_when_read_whole() {
        let mut text = String::from("\u{FEFF}# head\n");
        for i in 0..30 {
            text.push_str(&format!(
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, namespace: ünï}}\ndata: {{k: '---x'}}\n"
            ));
            if i % 7 == 3 {
                text.push_str("---\nbad: [unclosed\n");
            }
            if i % 11 == 5 {
                text.push_str("--- # comment\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n");
            }
        }
        text.push_str("---\n----\nnot-a-marker: 1\n");
        let dir = std::env::temp_dir().join(format!("kf-window-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.yaml");
        std::fs::write(&path, &text).unwrap();
        let name: Arc<str> = Arc::from("big.yaml");
        let whole = load_texts(vec![(name.clone(), text.trim_start_matches('\u{FEFF}').to_owned())], Limits::default());
        let summary = |objects: &[Object], diagnostics: &[Diagnostic]| {
            let o: Vec<_> = objects
                .iter()
                .map(|o| (o.name.clone(), o.source.document, o.base_pointer.clone(), o.root.pos, o.root.to_json()))
                .collect();
            let d: Vec<_> = diagnostics.iter().map(ToString::to_string).collect();
            (o, d)
        };
        let expected = summary(&whole.objects, &whole.diagnostics);
        assert_eq!(expected.0.len(), 33);
        for window in [1, 7, 64, 200, 1 << 20] {
            let counter = Counter {
                stage: Stage::Parsing,
                total: AtomicUsize::new(0),
                done: AtomicUsize::new(0),
                callback: &|_| {},
            };
            let (bytes, objects, diagnostics) =
                parse_big_file(&path, &name, Limits::default(), &counter, window).unwrap();
            assert_eq!(bytes, whole.bytes, "window {window}");
            assert_eq!(summary(&objects, &diagnostics), expected, "window {window}");
        }
        // Read errors: one diagnostic, no objects, the NUL byte first as when read whole.
        let mut bad = text.clone().into_bytes();
        bad.extend_from_slice(b"---\nx: \xff\n---\ny: \x00\n");
        std::fs::write(&path, &bad).unwrap();
        let counter =
            Counter { stage: Stage::Parsing, total: AtomicUsize::new(0), done: AtomicUsize::new(0), callback: &|_| {} };
        let err = parse_big_file(&path, &name, Limits::default(), &counter, 64).unwrap_err();
        let whole_err = decode(bad, &name).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(err.to_string(), whole_err.to_string());
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
