//! Renderers for scan results, one module per format.

mod human;
mod json;

use kubefort_load::Diagnostic;
use kubefort_model::{Finding, RuleMeta, Severity};
use std::io::{self, Write};

/// Everything a renderer may show about one scan.
pub struct Report<'a> {
    pub findings: &'a [Finding],
    /// Problems with the input (parse errors, unreadable files, warnings,
    /// and notes when the user asked for them). Renderers show all of them:
    /// the caller filters.
    pub diagnostics: &'a [Diagnostic],
    /// Metadata of every rule that may appear in `findings`.
    pub rules: &'a [&'static RuleMeta],
    pub files: usize,
    pub objects: usize,
    pub suppressed: usize,
    pub exempted: usize,
    pub baselined: usize,
    pub tool_version: &'a str,
}

impl Report<'_> {
    pub fn rule(&self, id: &str) -> Option<&'static RuleMeta> {
        self.rules.iter().copied().find(|r| r.id == id)
    }
    /// Findings per severity, most severe first.
    pub fn counts(&self) -> Vec<(Severity, usize)> {
        Severity::ALL.iter().rev().map(|&s| (s, self.findings.iter().filter(|f| f.severity == s).count())).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" | "text" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            other => Err(format!("unknown output format `{other}` (expected human or json)")),
        }
    }
}

/// Renders the report. `color` applies to the human format only.
pub fn render(report: &Report<'_>, format: Format, out: &mut dyn Write, color: bool) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, out, color),
        Format::Json => json::render(report, out),
    }
}

pub use json::SCHEMA_VERSION;
