//! Renderers for scan results, one module per format.

//!
//! A scan's report is written as its findings arrive ([`ReportWriter`]), so
//! that a scan raising millions of findings never holds them, or their text,
//! all at once; [`render`] writes a report whose findings are all known.

mod human;
mod json;
pub mod junit;
mod pretty;
pub mod sarif;

use kubefort_load::Diagnostic;
use kubefort_model::{Finding, Location, ObjectRef, RuleMeta, Severity};
use rayon::prelude::*;
use std::collections::HashMap;
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

impl<'a> Report<'a> {
    /// What is known of this report before its findings.
    pub fn head(&self) -> Head<'a> {
        Head {
            diagnostics: self.diagnostics,
            rules: self.rules,
            files: self.files,
            objects: self.objects,
            scanned: self.scanned,
            tool_version: self.tool_version,
        }
    }
    pub fn tail(&self) -> Tail {
        Tail { suppressed: self.suppressed, exempted: self.exempted, baselined: self.baselined, ..Tail::default() }
    }
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
    if format == Format::Junit {
        return junit::render(report, out);
    }
    let mut writer = ReportWriter::begin(format, report.head(), out, color)?;
    writer.write(report.findings)?;
    writer.finish(report.tail())
}

/// The parts of a [`Report`] known before its findings.
#[derive(Clone, Copy)]
pub struct Head<'a> {
    pub diagnostics: &'a [Diagnostic],
    pub rules: &'a [&'static RuleMeta],
    pub files: usize,
    pub objects: usize,
    /// Every object checked (JUnit only; see [`Report::scanned`]).
    pub scanned: &'a [Scanned],
    pub tool_version: &'a str,
}

/// The parts of a [`Report`] known once every finding has passed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tail {
    pub suppressed: usize,
    pub exempted: usize,
    pub baselined: usize,
    /// Pods, ReplicaSets and Jobs whose pod spec was checked at their
    /// controller (`Object::template_owner`); the human summary says so.
    pub at_controller: usize,
}

/// Findings counted as they are written.
#[derive(Debug, Default)]
struct Tally {
    total: usize,
    /// Indexed by `Severity as usize`.
    by_severity: [usize; Severity::ALL.len()],
}

impl Tally {
    fn add(&mut self, findings: &[Finding]) {
        self.total += findings.len();
        for f in findings {
            self.by_severity[f.severity as usize] += 1;
        }
    }
    /// Findings per severity, most severe first (as [`Report::counts`]).
    fn counts(&self) -> Vec<(Severity, usize)> {
        Severity::ALL.iter().rev().map(|&s| (s, self.by_severity[s as usize])).collect()
    }
}

/// Rule metadata by id; the first of a repeated id wins, as in [`Report::rule`].
struct Rules {
    by_id: HashMap<&'static str, (usize, &'static RuleMeta)>,
}

impl Rules {
    fn new(rules: &[&'static RuleMeta]) -> Self {
        let mut by_id = HashMap::with_capacity(rules.len());
        for (i, r) in rules.iter().enumerate() {
            by_id.entry(r.id).or_insert((i, *r));
        }
        Rules { by_id }
    }
    fn get(&self, id: &str) -> Option<&'static RuleMeta> {
        self.by_id.get(id).map(|&(_, m)| m)
    }
    /// The rule's position in the list the report was given.
    fn index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).map(|&(i, _)| i)
    }
}

/// Findings rendered per chunk, on every core. Small enough to spread a
/// part of a few thousand findings over the threads, large enough that
/// a chunk's buffer outweighs its bookkeeping.
const RENDER_CHUNK: usize = 256;

/// Renders `findings` with `render_one` in parallel chunks; the buffers, in
/// order, hold the findings' text in order.
fn par_render(
    findings: &[Finding],
    render_one: impl Fn(&mut Vec<u8>, &Finding) -> io::Result<()> + Sync,
) -> io::Result<Vec<Vec<u8>>> {
    findings
        .par_chunks(RENDER_CHUNK)
        .map(|chunk| {
            // A JSON finding takes about 1.2 KB, a SARIF result 2 KB: one
            // allocation per chunk instead of a chain of growing copies.
            let mut buf = Vec::with_capacity(chunk.len() * 2048);
            for f in chunk {
                render_one(&mut buf, f)?;
            }
            Ok(buf)
        })
        .collect()
}

/// The format being written.
enum Stream {
    Human(human::HumanStream),
    Json(json::JsonStream),
    Sarif(sarif::SarifStream),
    /// JUnit states its totals before its first test case: its findings are
    /// kept and rendered at the end.
    Junit(Vec<Finding>),
}

/// Writes a report whose findings arrive in parts, in report order. Text
/// is byte for byte that of [`render`] given all the findings at once.
pub struct ReportWriter<'a, 'w> {
    head: Head<'a>,
    rules: Rules,
    stream: Stream,
    tally: Tally,
    out: &'w mut dyn Write,
}

impl<'a, 'w> ReportWriter<'a, 'w> {
    /// Writes what comes before the findings. `color` applies to the human
    /// format only.
    pub fn begin(format: Format, head: Head<'a>, out: &'w mut dyn Write, color: bool) -> io::Result<Self> {
        let rules = Rules::new(head.rules);
        let stream = match format {
            Format::Human => Stream::Human(human::HumanStream::begin(&head, color, out)?),
            Format::Json => Stream::Json(json::JsonStream::begin(&head, out)?),
            Format::Sarif => Stream::Sarif(sarif::SarifStream::begin(&head, out)?),
            Format::Junit => Stream::Junit(Vec::new()),
        };
        Ok(ReportWriter { head, rules, stream, tally: Tally::default(), out })
    }

    /// Writes the next findings (each part follows the previous one in the
    /// report's order: file, line, column, rule).
    pub fn findings(&mut self, findings: Vec<Finding>) -> io::Result<()> {
        match &mut self.stream {
            Stream::Junit(all) => {
                all.extend(findings);
                Ok(())
            }
            _ => self.write(&findings),
        }
    }

    fn write(&mut self, findings: &[Finding]) -> io::Result<()> {
        self.tally.add(findings);
        match &mut self.stream {
            Stream::Human(s) => s.findings(&self.rules, findings, self.out),
            Stream::Json(s) => s.findings(&self.rules, findings, self.out),
            Stream::Sarif(s) => s.findings(&self.rules, findings, self.out),
            Stream::Junit(all) => {
                all.extend_from_slice(findings);
                Ok(())
            }
        }
    }

    /// Writes the rest of the report.
    pub fn finish(self, tail: Tail) -> io::Result<()> {
        let ReportWriter { head, stream, tally, out, .. } = self;
        match stream {
            Stream::Human(s) => s.finish(&head, &tally, &tail, out),
            Stream::Json(s) => s.finish(&head, &tally, &tail, out),
            Stream::Sarif(s) => s.finish(out),
            Stream::Junit(findings) => {
                let report = Report {
                    findings: &findings,
                    diagnostics: head.diagnostics,
                    rules: head.rules,
                    files: head.files,
                    objects: head.objects,
                    scanned: head.scanned,
                    suppressed: tail.suppressed,
                    exempted: tail.exempted,
                    baselined: tail.baselined,
                    tool_version: head.tool_version,
                };
                junit::render(&report, out)
            }
        }
    }
}

pub use json::SCHEMA_VERSION;

#[cfg(test)]
mod tests {
    use super::*;
    use kubefort_load::Diagnostic;
    use kubefort_model::{Fingerprint, Pos};
    use std::sync::Arc;

    /// Findings over three files and several objects, in report order.
    fn findings(n: usize) -> Vec<Finding> {
        let files: [Arc<str>; 3] = [Arc::from("a.yaml"), Arc::from("b dir/c.yaml"), Arc::from("/abs/d.yaml")];
        let objects: Vec<Arc<ObjectRef>> = (0..4)
            .map(|i| {
                Arc::new(ObjectRef {
                    api_version: "apps/v1".into(),
                    kind: "Deployment".into(),
                    namespace: (i % 2 == 0).then(|| format!("ns{i}")),
                    name: format!("web-\"{i}\"<x>"),
                })
            })
            .collect();
        (0..n)
            .map(|i| {
                let (rule, severity) = [
                    ("KF-TEST-001", Severity::Critical),
                    ("KF-TEST-002", Severity::Low),
                    ("pss:privileged", Severity::Medium),
                ][i % 3];
                Finding {
                    rule,
                    severity,
                    message: format!("message {i} with \"quotes\"\tand a tab"),
                    pointer: format!("/spec/containers/{}/securityContext", i % 5),
                    object: objects[(i / 7) % objects.len()].clone(),
                    location: Location {
                        file: files[i * files.len() / n.max(1)].clone(),
                        line: 1 + i as u32,
                        column: 3,
                        template: (i % 11 == 0).then(|| Arc::from("chart/templates/x.yaml")),
                    },
                    evidence: (i % 4 == 0).then(|| format!("evidence {i}")),
                    fingerprint: Fingerprint::from(format!("{i:016x}").as_str()),
                    also_violates: if i % 6 == 0 { vec!["pss:privileged"] } else { Vec::new() },
                }
            })
            .collect()
    }

    static RULE: RuleMeta = RuleMeta {
        id: "KF-TEST-001",
        name: "test-rule",
        title: "A test rule",
        severity: Severity::High,
        fix: "Fix it",
        references: &["checkov:CKV_K8S_1"],
        doc: " ## What it does\n Tests.\n\n ## References\n - https://example.com/x\n",
    };

    fn report<'a>(
        findings: &'a [Finding],
        diagnostics: &'a [Diagnostic],
        rules: &'a [&'static RuleMeta],
    ) -> Report<'a> {
        Report {
            findings,
            diagnostics,
            rules,
            files: 3,
            objects: 9,
            scanned: &[],
            suppressed: 2,
            exempted: 1,
            baselined: 4,
            tool_version: "0.0.0-test",
        }
    }

    #[test]
    fn a_report_written_in_parts_is_the_report_written_at_once() {
        let diagnostics = [Diagnostic::error(&Arc::from("bad.yaml"), Pos::new(3, 7), "cannot parse".to_owned())];
        let rules: [&'static RuleMeta; 1] = [&RULE];
        let all = findings(1000);
        let cases: [(Format, bool); 4] =
            [(Format::Json, false), (Format::Sarif, false), (Format::Human, false), (Format::Human, true)];
        for (format, color) in cases {
            for n in [0, 1, 7, 1000] {
                let report = report(&all[..n], &diagnostics, &rules);
                let mut whole = Vec::new();
                render(&report, format, &mut whole, color).unwrap();
                // Parts of uneven sizes, empty ones among them, across render chunks.
                for cuts in [vec![0, 0, n], vec![n / 3, n / 3, n / 2, n], vec![1.min(n), 300.min(n), 301.min(n), n]] {
                    let mut parts = Vec::new();
                    let mut writer = ReportWriter::begin(format, report.head(), &mut parts, color).unwrap();
                    let mut start = 0;
                    for end in cuts {
                        writer.findings(all[start..end].to_vec()).unwrap();
                        start = end;
                    }
                    writer.finish(report.tail()).unwrap();
                    assert!(
                        parts == whole,
                        "{format:?} (color {color}), {n} findings:\n{}\n----\n{}",
                        String::from_utf8_lossy(&parts),
                        String::from_utf8_lossy(&whole)
                    );
                }
            }
        }
    }

    #[test]
    fn json_and_sarif_reports_hold_every_finding_and_the_totals() {
        let rules: [&'static RuleMeta; 1] = [&RULE];
        let all = findings(600);
        let report = report(&all, &[], &rules);
        let mut json = Vec::new();
        render(&report, Format::Json, &mut json, false).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(doc["findings"].as_array().map(Vec::len), Some(600));
        assert_eq!(doc["findings"][599]["message"], all[599].message.as_str());
        assert_eq!(doc["findings"][0]["fix"], "Fix it");
        assert_eq!(doc["summary"]["findings"], 600);
        assert_eq!(doc["summary"]["bySeverity"]["critical"], 200);
        assert_eq!(doc["summary"]["bySeverity"]["high"], 0);
        assert_eq!(doc["summary"]["baselined"], 4);
        let mut sarif = Vec::new();
        render(&report, Format::Sarif, &mut sarif, false).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&sarif).unwrap();
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 600);
        assert_eq!(results[0]["ruleIndex"], 0);
        assert!(results[1].get("ruleIndex").is_none(), "KF-TEST-002 is not among the rules");
        assert_eq!(results[5]["partialFingerprints"]["kubefortFingerprint/v1"], "0000000000000005");
    }
}
