//! Renderers for scan results, one module per format.

mod human;
mod json;
pub mod junit;
pub mod sarif;

use kubefort_load::Diagnostic;
use kubefort_model::{Finding, Location, ObjectRef, RuleMeta, Severity};
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
    /// Every object that was checked, with where it starts (JUnit lists the
    /// clean ones as passing tests). May be empty for formats that only
    /// need the count in `objects`.
    pub scanned: &'a [Scanned],
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

/// An object that was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    pub object: ObjectRef,
    pub location: Location,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// JUnit XML (GitLab, Jenkins, Azure Pipelines test reports).
    Junit,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" | "text" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "junit" => Ok(Format::Junit),
            other => Err(format!("unknown output format `{other}` (expected human, json, sarif or junit)")),
        }
    }
}

/// Renders the report. `color` applies to the human format only.
pub fn render(report: &Report<'_>, format: Format, out: &mut dyn Write, color: bool) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, out, color),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Junit => junit::render(report, out),
    }
}

pub use json::SCHEMA_VERSION;
