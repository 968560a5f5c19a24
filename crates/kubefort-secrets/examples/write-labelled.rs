//! Writes the labelled set (`tests/labelled/cases.tsv`, fake secrets from the
//! same fixed seed as the test) to files, for scoring other scanners on it,
//! and, with `--mixed MEGABYTES`, the benchmark's mixed text for timing.
//! The generated secrets exist only in OUT: never commit it.
//!
//! ```sh
//! cargo run -p kubefort-secrets --example write-labelled -- OUT [--mixed 100]
//! ```
//!
//! Writes one file per case, `OUT/files/case-LLL.EXT` (`LLL`: the line of
//! `cases.tsv`; `EXT` guessed from the case's shape, since some scanners
//! pick their rules by file extension: `json`, `xml`, `yaml`, `env`, `ini`,
//! `properties`, `py`, `sh`, `pem` or `txt`), and `OUT/truth.tsv`, the ground truth:
//! `file<TAB>first_line<TAB>last_line<TAB>expected<TAB>cases_tsv_line`, where
//! `expected` is the detector id of a true secret or `-` for a look-alike.
//! With `--mixed N`: `OUT/mixed/part-NN.txt`, about N MB of
//! `fake::mixed_text` (seed 42) in 10 MB files. Prints counts only.

#[path = "../tests/labelled/cases.rs"]
mod cases;

use std::fmt::Write as _;
use std::path::PathBuf;

/// The extension a file holding this text would most likely have.
fn extension(text: &str) -> &'static str {
    let first = text.lines().next().unwrap_or("").trim_start();
    let ident_end = first.find(|c: char| !(c.is_ascii_alphanumeric() || "_.-/".contains(c))).unwrap_or(first.len());
    let after = &first[ident_end..];
    if first.starts_with('{') || first.starts_with('"') {
        "json"
    } else if first.starts_with('<') {
        "xml"
    } else if first.starts_with("export ")
        || first.starts_with("curl ")
        || first.starts_with("git ")
        || first.starts_with("cd ")
    {
        "sh"
    } else if first.starts_with("- ")
        || first.starts_with("#")
        || (ident_end > 0 && (after.starts_with(": ") || after == ":"))
    {
        if first.starts_with('#') {
            "txt"
        } else {
            "yaml"
        }
    } else if first.starts_with("-----") {
        "pem"
    } else if first.starts_with('-') || after.starts_with("=$(") {
        "sh" // a command-line flag, a shell substitution
    } else if ident_end > 0 && after.starts_with('=') {
        let ident = &first[..ident_end];
        if ident.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') {
            "env"
        } else if ident.contains('.') {
            "properties"
        } else {
            "ini"
        }
    } else if let Some(value) = after.strip_prefix(" = ") {
        // Quoted strings and expressions are code; bare values a config file.
        let code = value.starts_with('"') || value.starts_with('\'') || value.contains(['(', '[']);
        let dotted =
            value.split('.').count() > 1 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
        if code || dotted {
            "py"
        } else {
            "ini"
        }
    } else {
        "txt"
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let mut mixed_mb: Option<usize> = None;
    while let Some(a) = args.next() {
        if a == "--mixed" {
            mixed_mb = Some(args.next().and_then(|n| n.parse().ok()).expect("--mixed MEGABYTES"));
        } else {
            out = Some(PathBuf::from(a));
        }
    }
    let out = out.expect("usage: write-labelled OUT [--mixed MEGABYTES]");
    let files = out.join("files");
    std::fs::create_dir_all(&files).expect("create OUT/files");
    let mut truth = String::from("# file\tfirst_line\tlast_line\texpected\tcases_tsv_line\n");
    let (mut positives, mut negatives) = (0, 0);
    for case in cases::cases() {
        let name = format!("case-{:03}.{}", case.line, extension(&case.text));
        let mut text = case.text.clone();
        text.push('\n');
        std::fs::write(files.join(&name), &text).expect("write case");
        let lines = case.text.lines().count().max(1);
        let expected = case.expected.as_deref().unwrap_or("-");
        let _ = writeln!(truth, "{name}\t1\t{lines}\t{expected}\t{}", case.line);
        if case.expected.is_some() {
            positives += 1;
        } else {
            negatives += 1;
        }
    }
    std::fs::write(out.join("truth.tsv"), truth).expect("write truth.tsv");
    println!("labelled set: {positives} true secrets, {negatives} look-alikes, one file each in {}", files.display());
    if let Some(mb) = mixed_mb {
        let dir = out.join("mixed");
        std::fs::create_dir_all(&dir).expect("create OUT/mixed");
        let (text, planted) = kubefort_secrets::fake::mixed_text(mb * 1_000_000, 42);
        // Split at line ends into files of about 10 MB (at most 10 MB + a line).
        let size = text.len().div_ceil(text.len().div_ceil(10_000_000));
        let (mut start, mut part) = (0usize, 0usize);
        while start < text.len() {
            let mut end = (start + size).min(text.len());
            while end < text.len() && text.as_bytes()[end - 1] != b'\n' {
                end += 1;
            }
            std::fs::write(dir.join(format!("part-{part:02}.txt")), &text[start..end]).expect("write mixed part");
            start = end;
            part += 1;
        }
        println!(
            "mixed text: {:.1} MB in {part} files, {planted} secrets planted, in {}",
            text.len() as f64 / 1e6,
            dir.display()
        );
    }
}
