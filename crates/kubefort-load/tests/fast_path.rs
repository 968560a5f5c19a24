//! The fast YAML path must give exactly what the reference (saphyr) path
//! gives — documents, trees, the position of every node and key, templates,
//! diagnostics — or leave the chunk to the reference. Checked on every YAML
//! file the project can reach (the shared corpus and conformance suites, the
//! repository's examples and test fixtures), on hand-written edge cases, and
//! on seeded random mutations of all of those.

use kubefort_load::yaml::{parse_chunk_fast, parse_chunk_reference, split_documents, Chunk, Parsed};
use kubefort_load::Limits;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the fast path did with the chunks it was shown.
#[derive(Default, Debug)]
struct Tally {
    chunks: usize,
    fast: usize,
}

fn render(p: &Parsed) -> String {
    format!("{p:?}")
}

/// Parses every chunk of `text` both ways; panics on any difference.
fn check_text(name: &str, text: &str, tally: &mut Tally) {
    let file: Arc<str> = Arc::from(name);
    for (i, chunk) in split_documents(text).into_iter().enumerate() {
        check_chunk(&file, chunk, i, tally);
    }
}

fn check_chunk(file: &Arc<str>, chunk: Chunk<'_>, index: usize, tally: &mut Tally) {
    tally.chunks += 1;
    let Some(fast) = parse_chunk_fast(chunk, file, index, Limits::default()) else { return };
    tally.fast += 1;
    let reference = parse_chunk_reference(chunk, file, index, Limits::default());
    if render(&fast) != render(&reference) {
        let (f, r) = (format!("{fast:#?}"), format!("{reference:#?}"));
        let (line, (fl, rl)) =
            f.lines().zip(r.lines()).enumerate().find(|(_, (a, b))| a != b).unwrap_or((0, ("<end>", "<end>")));
        panic!(
            "{file}: the fast path differs from the reference at line {line} of the dump:\n  fast:      {fl}\n  reference: {rl}\n--- chunk (line offset {}) ---\n{}",
            chunk.line_offset,
            chunk.text.chars().take(3000).collect::<String>()
        );
    }
}

/// The text of a manifest file as the loader sees it (BOM dropped), if it is UTF-8.
fn read(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes).to_vec();
    String::from_utf8(bytes).ok()
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "yaml" | "yml" | "json")) {
            out.push(path);
        }
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared` beside the repository (or the parent of `$KUBEFORT_CONFORMANCE_DIR`).
fn shared() -> Option<PathBuf> {
    let candidates = std::env::var_os("KUBEFORT_CONFORMANCE_DIR")
        .and_then(|d| PathBuf::from(d).parent().map(Path::to_path_buf))
        .into_iter()
        .chain([repo().join("../shared")]);
    for c in candidates {
        if c.join("corpus").is_dir() || c.join("conformance").is_dir() {
            return Some(c);
        }
    }
    eprintln!("skipped: ../shared not found (set KUBEFORT_CONFORMANCE_DIR); repository files only");
    None
}

/// Every YAML/JSON file of the shared corpus and conformance suites and of
/// the repository (examples, test fixtures).
fn all_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Some(shared) = shared() {
        yaml_files(&shared.join("corpus"), &mut files);
        yaml_files(&shared.join("conformance"), &mut files);
    }
    yaml_files(&repo().join("examples"), &mut files);
    yaml_files(&repo().join("crates"), &mut files);
    files
}

#[test]
fn fast_path_matches_the_reference_on_every_file() {
    let mut tally = Tally::default();
    let files = all_files();
    for path in &files {
        if let Some(text) = read(path) {
            check_text(&path.display().to_string(), &text, &mut tally);
        }
    }
    eprintln!(
        "fast path: {} of {} chunks in {} files (the rest left to the reference)",
        tally.fast,
        tally.chunks,
        files.len()
    );
    assert!(files.len() > 40, "too few files found: {}", files.len());
    // The fast path must actually carry the common case, or this test proves nothing.
    assert!(tally.fast * 2 > tally.chunks, "fast path took only {} of {} chunks", tally.fast, tally.chunks);
}

/// Hand-written cases; those marked `true` must be taken by the fast path.
const CASES: &[(bool, &str)] = &[
    (true, "a: 1\nb: two\nc: 'three'\nd: \"four\"\n"),
    (
        true,
        "a: yes\nb: 'yes'\nc: 0644\nd: 0x1F\ne: 1.5\nf: ~\ng: 12\nh: -3\ni: 1_000\nj: 08\nk: .inf\nl: null\nm: -.5e3\n",
    ),
    (true, "a: x  # comment\nb:  value   \nc:   \"q\"   # c\nd: 'it''s'\ne: \"tab\\there \\u00e9 \\\" \\\\ \\/\"\n"),
    (true, "url: http://example.com/#frag\nhash: 'a # not a comment'\nq: \"b # neither\"\nc: a#b\n"),
    (true, "a:b: c\n\"k:1\": v\n'k 2': v\nkey with spaces: v\n"),
    (true, "lit: |\n  line 1\n  line 2\n\n  line 4\nnext: 1\n"),
    (true, "strip: |-\n  x\n  y\n\n\nkeep: |+\n  k\n\n\nclip: |\n  c\n\n\nend: 1\n"),
    (true, "fold: >\n  a\n  b\n\n  c\n  d\nfold2: >-\n  x\n  y\n"),
    (true, "lead: |\n\n\n  x\nmore: |\n    deep\n    text  \n"),
    (true, "cert: |\n    -----BEGIN CERTIFICATE-----\n    MIIB\n    -----END CERTIFICATE-----\n"),
    (true, "- a\n- b\n-   c\n- - nested\n  - again\n- key: v\n  other: w\n-\n- # comment\n"),
    (true, "k:\n- a\n- b\nl:\n  - c\nm:\n- n: 1\n  o: 2\n- - x\n"),
    (true, "k:\n-\n- a\n"),
    (true, "k:\n- |\n  x\n- y\nl:\n- # c\n  a: 1\nm:\n-\n  - z\n"),
    (true, "empty:\nalso:   # c\nnested:\n  inner:\nlast:"),
    (true, "a: {}\nb: []\nc: {x: 1, y: [a, 'b', \"c\"]}\nd: [ ]\ne: [a, ]\n"),
    (true, "a: 1\r\nb: |\r\n  x\r\n  y\r\nc:\r\n- d\r\n"),
    (true, "name: ünïcödé\nkéy: value\nx: \"日本語\"\n日本: 語\n"),
    (true, "ü: [ä, ö]\nk: {ключ: значение}\n"),
    (true, "a: 1\na: 2\nb:\n  c: 1\n  c: 3\n"),
    (true, "---\na: 1\n"),
    (true, "--- # comment\na: 1\n...\n# after\n"),
    (true, "# only a comment\n"),
    (true, ""),
    (true, "---\n"),
    (true, "---\n# c\n"),
    (true, "a: 1\n...\n"),
    (true, "no-newline: at end"),
    (true, "trailing: spaces   \n  \nnext: 1   \n"),
    (true, "  indented: map\n  second: 2\n"),
    (true, "  - indented\n  - seq\n"),
    (true, "plain\n"),
    (true, "'quoted root'\n"),
    (true, "a:\n  b:\n    c:\n      - d: |\n          x\n        e: f\n"),
    (true, "y: 1\nn: 2\n1: a\ntrue: b\n~: c\nnull: d\n\"y\": e\n"),
    (true, "# Source: chart/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\n"),
    (true, "a: -1\nb: -x\nc: --flag\n"),
    (true, "a: [1, 2, {b: c}]\n"),
    (true, "key:    value\nkey2:  value\n"),
    (false, "a: &x 1\nb: *x\n"),
    (false, "base: &b {a: 1}\nuse:\n  <<: *b\n"),
    (false, "a: !!str 1\n"),
    (false, "%YAML 1.1\n---\na: 1\n"),
    (false, "a: multi\n  line plain\n"),
    (false, "a: \"multi\n  line quoted\"\n"),
    (false, "a:\tb\n"),
    (false, "? complex\n: key\n"),
    (false, "a: b: c\n"),
    (false, "a: [unclosed\n"),
    (false, "a: 1\n b: 2\n"),
    (false, "a:\n  - b\n c: d\n"),
    (false, "kind: Secret\ndata:\n  config: {{config_data}}\n"),
    (false, "a: |2\n   x\n"),
    (false, "a: |\n  x\n   \n  y\n"),
    (false, "a: |\n    x\n  y\n"),
    (false, "a: 'x'y\n"),
    (false, "a: \"x\"#c\n"),
    (false, "a: 1\n---\nb: 2\n"),
    (false, "a: 1\n...\nb: 2\n"),
    (false, "\u{FEFF}a: 1\n"),
    (false, "a: \u{85}x\n"),
    (false, "a: 1\rb: 2\n"),
    (false, "- a\n  b\n"),
    (false, "[a, b]\n"),
    (false, "a: {b}\n"),
    (false, "a: [b: c]\n"),
    (false, "a: {b: }\n"),
    (false, "a: `x`\n"),
    (false, "a: @x\n"),
    (false, "b: |\nc: 1\n"),
];

#[test]
fn fast_path_matches_the_reference_on_edge_cases() {
    for (i, (must_be_fast, text)) in CASES.iter().enumerate() {
        let mut tally = Tally::default();
        check_text(&format!("case-{i}.yaml"), text, &mut tally);
        if *must_be_fast {
            assert_eq!(tally.fast, tally.chunks, "case {i} was left to the reference: {text:?}");
        }
    }
    // Tabs are left alone even in a value; the reference then decides.
    let mut tally = Tally::default();
    check_text("tab.yaml", "key2:\tvalue\n", &mut tally);
    assert_eq!(tally.fast, 0);
}

#[test]
fn hostile_input_is_left_to_the_reference_limits() {
    let file: Arc<str> = Arc::from("deep.yaml");
    let block: String = (0..400).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    let flow = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    let seqs: String = (0..300).map(|i| format!("{}-\n", " ".repeat(i))).collect();
    for text in [&block, &flow, &seqs] {
        let chunk = Chunk { text, line_offset: 0 };
        assert!(parse_chunk_fast(chunk, &file, 0, Limits::default()).is_none());
        let p = parse_chunk_reference(chunk, &file, 0, Limits::default());
        assert!(p.diagnostics[0].message.contains("nesting deeper"), "{}", p.diagnostics[0]);
    }
    // Just under the limit, the fast path takes it and agrees.
    let ok: String = (0..199).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    let mut tally = Tally::default();
    check_text("ok.yaml", &ok, &mut tally);
    assert_eq!(tally.fast, 1);
}

/// splitmix64: small, seeded, the same everywhere.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    " ", "  ", "-", "- ", ":", ": ", "#", " #", "'", "\"", "\n", "\r\n", "|", ">", "|-", "{", "}", "[", "]", ",", "a",
    "1", "0", "&", "*", "!", "?", "ü", "\\", "---", "...", "~", "yes", "<<", "@", "%", "\t", ".5", "\u{3000}",
];

/// One random edit of `text`, at character boundaries.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
    let at = bounds[rng.below(bounds.len())];
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    match rng.below(6) {
        0 => format!("{}{}{}", &text[..at], PIECES[rng.below(PIECES.len())], &text[at..]),
        1 => {
            let end =
                bounds[(bounds.iter().position(|&b| b == at).unwrap_or(0) + 1 + rng.below(3)).min(bounds.len() - 1)];
            format!("{}{}", &text[..at], &text[end..])
        }
        2 if !lines.is_empty() => {
            // Re-indent a line.
            let l = rng.below(lines.len());
            let mut out: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            out[l] =
                if rng.below(2) == 0 { format!("  {}", out[l]) } else { out[l].trim_start_matches(' ').to_string() };
            out.concat()
        }
        3 if !lines.is_empty() => {
            // Duplicate a line (duplicate keys, repeated items).
            let l = rng.below(lines.len());
            let mut out: Vec<&str> = lines.clone();
            out.insert(l, lines[l]);
            out.concat()
        }
        4 if lines.len() > 1 => {
            let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
            let mut out = lines.clone();
            out.swap(a, b);
            out.concat()
        }
        _ => format!("{}{}{}", &text[..at], PIECES[rng.below(PIECES.len())], &text[at..]),
    }
}

#[test]
fn fast_path_matches_the_reference_on_random_mutations() {
    let mut seeds: Vec<String> = CASES.iter().map(|(_, t)| t.to_string()).collect();
    for path in all_files() {
        if let Some(text) = read(&path) {
            for chunk in split_documents(&text) {
                if chunk.text.len() <= 4096 {
                    seeds.push(chunk.text.to_owned());
                }
            }
        }
    }
    // More and other rounds for a longer search: FAST_PATH_MUTATIONS=1000000 FAST_PATH_SEED=7.
    let seed = std::env::var("FAST_PATH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x6b75_6265_666f_7274);
    let mut rng = Rng(seed);
    let mut tally = Tally::default();
    let rounds: usize = std::env::var("FAST_PATH_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(4000);
    for round in 0..rounds {
        let mut text = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(3) {
            text = mutate(&text, &mut rng);
        }
        let file: Arc<str> = Arc::from(format!("mutation-{round}.yaml"));
        // Whole mutated text as one chunk, as the splitter would not always cut it.
        check_chunk(&file, Chunk { text: &text, line_offset: 3 }, round, &mut tally);
    }
    eprintln!("mutations: fast path took {} of {rounds}", tally.fast);
    assert!(tally.fast > rounds / 10, "the fast path took too few mutations to test it: {}", tally.fast);
}
