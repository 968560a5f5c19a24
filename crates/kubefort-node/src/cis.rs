//! The CIS report view (`kubefort node -o cis`): what a kube-bench user
//! expects — sections, `[PASS]`/`[FAIL]`/`[WARN]`/`[MANUAL]` per check,
//! remediations of everything not passing, totals per section and overall.

use crate::catalog::SECTIONS;
use crate::{NodeScan, Status};
use std::io::{self, Write};

pub fn render(scan: &NodeScan, out: &mut dyn Write) -> io::Result<()> {
    let mut totals = [0usize; 5];
    for (section, title) in SECTIONS {
        let results: Vec<_> = scan.results.iter().filter(|r| section_of(r.cis) == *section).collect();
        if results.is_empty() {
            continue;
        }
        writeln!(out, "[INFO] {section} {title}")?;
        for r in &results {
            let id = if r.cis.is_empty() { r.rule } else { r.cis };
            if r.status == Status::Pass {
                // Titles name the problem; a passing check says what was found.
                writeln!(out, "[PASS] {id} {} ({})", r.detail, r.rule)?;
            } else {
                writeln!(out, "[{}] {id} {} ({})", r.status.as_str(), r.title, r.rule)?;
                writeln!(out, "        {}", r.detail)?;
            }
        }
        let needs: Vec<_> =
            results.iter().filter(|r| matches!(r.status, Status::Fail | Status::Warn | Status::Manual)).collect();
        if !needs.is_empty() {
            writeln!(out, "\n== Remediations {section} ==")?;
            for r in needs {
                let id = if r.cis.is_empty() { r.rule } else { r.cis };
                writeln!(out, "{id} {}", r.remediation)?;
            }
        }
        let count = |s: Status| results.iter().filter(|r| r.status == s).count();
        writeln!(
            out,
            "\n== Summary {section} ==\n{} checks PASS\n{} checks FAIL\n{} checks WARN\n{} checks MANUAL\n{} checks SKIP\n",
            count(Status::Pass),
            count(Status::Fail),
            count(Status::Warn),
            count(Status::Manual),
            count(Status::Skip)
        )?;
        for (i, s) in [Status::Pass, Status::Fail, Status::Warn, Status::Manual, Status::Skip].into_iter().enumerate() {
            totals[i] += count(s);
        }
    }
    writeln!(
        out,
        "== Summary total ==\n{} checks PASS\n{} checks FAIL\n{} checks WARN\n{} checks MANUAL\n{} checks SKIP",
        totals[0], totals[1], totals[2], totals[3], totals[4]
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
