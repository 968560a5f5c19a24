//! The CIS report view (`kubefort node -o cis`): what a kube-bench user
//! expects — sections, `[PASS]`/`[FAIL]`/`[WARN]`/`[MANUAL]` per check,
//! remediations of everything not passing, totals per section and overall.
//! [`report`] is the same view as data (`kubefort node -o cis-json`).

use crate::catalog::SECTIONS;
use crate::{CheckResult, NodeScan, Status};
use kubefort_model::Location;
use serde::Serialize;
use std::io::{self, Write};

/// The CIS view of a scan, serialized by `kubefort node -o cis-json`.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub benchmark: &'static str,
    /// Components found, with where their settings were read.
    pub components: Vec<Component<'a>>,
    /// Sections in benchmark order; sections without checks are left out.
    pub sections: Vec<Section<'a>>,
    pub totals: Totals,
}

#[derive(Debug, Serialize)]
pub struct Component<'a> {
    pub name: &'static str,
    pub sources: &'a [String],
}

#[derive(Debug, Serialize)]
pub struct Section<'a> {
    /// `1.2`, `2`, `4.2`; `K` for kubefort's additions.
    pub id: &'static str,
    pub title: &'static str,
    pub checks: Vec<Check<'a>>,
    pub totals: Totals,
}

#[derive(Debug, Serialize)]
pub struct Check<'a> {
    #[serde(flatten)]
    pub result: &'a CheckResult,
    /// Where each problem of a failed or warned check is.
    pub locations: Vec<&'a Location>,
}

/// Checks per status.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub manual: usize,
    pub skip: usize,
}

impl Totals {
    fn count<'r>(results: impl IntoIterator<Item = &'r CheckResult>) -> Totals {
        let mut t = Totals::default();
        for r in results {
            *match r.status {
                Status::Pass => &mut t.pass,
                Status::Fail => &mut t.fail,
                Status::Warn => &mut t.warn,
                Status::Manual => &mut t.manual,
                Status::Skip => &mut t.skip,
            } += 1;
        }
        t
    }

    fn add(&mut self, o: Totals) {
        self.pass += o.pass;
        self.fail += o.fail;
        self.warn += o.warn;
        self.manual += o.manual;
        self.skip += o.skip;
    }
}

/// The scan grouped by CIS section, with totals.
pub fn report(scan: &NodeScan) -> Report<'_> {
    let mut totals = Totals::default();
    let mut sections = Vec::new();
    for (id, title) in SECTIONS {
        let results: Vec<&CheckResult> = scan.results.iter().filter(|r| section_of(r.cis) == *id).collect();
        if results.is_empty() {
            continue;
        }
        let section_totals = Totals::count(results.iter().copied());
        totals.add(section_totals);
        let checks = results
            .into_iter()
            .map(|result| Check {
                result,
                locations: scan.findings.iter().filter(|f| f.rule == result.rule).map(|f| &f.location).collect(),
            })
            .collect();
        sections.push(Section { id, title, checks, totals: section_totals });
    }
    let components = scan.components.iter().map(|(name, sources)| Component { name, sources }).collect();
    Report { benchmark: "CIS Kubernetes Benchmark 1.12", components, sections, totals }
}

pub fn render(scan: &NodeScan, out: &mut dyn Write) -> io::Result<()> {
    let report = report(scan);
    for section in &report.sections {
        let id_of = |r: &CheckResult| if r.cis.is_empty() { r.rule } else { r.cis };
        writeln!(out, "[INFO] {} {}", section.id, section.title)?;
        for Check { result: r, .. } in &section.checks {
            if r.status == Status::Pass {
                // Titles name the problem; a passing check says what was found.
                writeln!(out, "[PASS] {} {} ({})", id_of(r), r.detail, r.rule)?;
            } else {
                writeln!(out, "[{}] {} {} ({})", r.status.as_str(), id_of(r), r.title, r.rule)?;
                writeln!(out, "        {}", r.detail)?;
            }
        }
        let needs: Vec<_> = section
            .checks
            .iter()
            .filter(|c| matches!(c.result.status, Status::Fail | Status::Warn | Status::Manual))
            .collect();
        if !needs.is_empty() {
            writeln!(out, "\n== Remediations {} ==", section.id)?;
            for c in needs {
                writeln!(out, "{} {}", id_of(c.result), c.result.remediation)?;
            }
        }
        writeln!(out, "\n== Summary {} ==\n{}", section.id, summary(section.totals))?;
    }
    writeln!(out, "== Summary total ==\n{}", summary(report.totals).trim_end())
}

fn summary(t: Totals) -> String {
    format!(
        "{} checks PASS\n{} checks FAIL\n{} checks WARN\n{} checks MANUAL\n{} checks SKIP\n",
        t.pass, t.fail, t.warn, t.manual, t.skip
    )
}

fn section_of(cis: &str) -> &str {
    if cis.is_empty() {
        "K"
    } else if cis.starts_with("2.") {
        "2"
    } else {
        cis.rsplit_once('.').map_or(cis, |(s, _)| s)
    }
}
