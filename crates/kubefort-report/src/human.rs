//! The default output: findings grouped by file and object, `line:column`,
//! severity colours on a terminal, and a summary.

use crate::{Head, Rules, Tail, Tally};
use anstyle::{AnsiColor, Effects, Style};
use kubefort_load::Level;
use kubefort_model::{Finding, ObjectRef, Severity};
use rayon::prelude::*;
use std::io::{self, Write};
use std::sync::Arc;

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical => Style::new().fg_color(Some(AnsiColor::BrightRed.into())).effects(Effects::BOLD),
        Severity::High => Style::new().fg_color(Some(AnsiColor::Red.into())),
        Severity::Medium => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Severity::Low => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        Severity::Info => Style::new().fg_color(Some(AnsiColor::BrightBlack.into())),
    }
}

struct Painter(bool);

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }
}

/// The human report, written as findings arrive.
pub(crate) struct HumanStream {
    color: bool,
    /// File and object of the last finding written: the next one prints
    /// their headings only when it is about another.
    last: Option<(Arc<str>, Arc<ObjectRef>)>,
}

impl HumanStream {
    pub(crate) fn begin(head: &Head<'_>, color: bool, out: &mut dyn Write) -> io::Result<HumanStream> {
        let p = Painter(color);
        let dim = Style::new().effects(Effects::DIMMED);
        // The caller decides which diagnostics to show (notes only with `-v`).
        for d in head.diagnostics {
            let style = match d.level {
                Level::Error => severity_style(Severity::High),
                Level::Warning => severity_style(Severity::Medium),
                Level::Note => dim,
            };
            let text = d.to_string();
            writeln!(out, "{}", p.paint(style, &text))?;
        }
        if !head.diagnostics.is_empty() {
            writeln!(out)?;
        }
        Ok(HumanStream { color, last: None })
    }

    pub(crate) fn findings(&mut self, rules: &Rules, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        let Some(last_finding) = findings.last() else { return Ok(()) };
        let p = Painter(self.color);
        let last = self.last.as_ref().map(|(file, object)| (&**file, &**object));
        let chunks: Vec<&[Finding]> = findings.chunks(crate::RENDER_CHUNK).collect();
        // Each chunk starts where the one before it ended.
        let rendered: Vec<Vec<u8>> = chunks
            .par_iter()
            .enumerate()
            .map(|(i, chunk)| {
                let mut before = match i {
                    0 => last,
                    _ => chunks[i - 1].last().map(|f| (&*f.location.file, &*f.object)),
                };
                let mut buf = Vec::with_capacity(chunk.len() * 160);
                for f in *chunk {
                    write_finding(&mut buf, &p, rules, before, f)?;
                    before = Some((&f.location.file, &f.object));
                }
                Ok(buf)
            })
            .collect::<io::Result<_>>()?;
        for buf in &rendered {
            out.write_all(buf)?;
        }
        self.last = Some((last_finding.location.file.clone(), last_finding.object.clone()));
        Ok(())
    }

    pub(crate) fn finish(self, head: &Head<'_>, tally: &Tally, tail: &Tail, out: &mut dyn Write) -> io::Result<()> {
        let p = Painter(self.color);
        if tally.total > 0 {
            writeln!(out)?;
        }
        let counts: Vec<String> = tally
            .counts()
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| p.paint(severity_style(s), &format!("{n} {s}")))
            .collect();
        let errors = head.diagnostics.iter().filter(|d| d.level == Level::Error).count();
        let mut summary = format!(
            "{} finding{} in {} object{} from {} file{}",
            tally.total,
            plural(tally.total),
            head.objects,
            plural(head.objects),
            head.files,
            plural(head.files)
        );
        if !counts.is_empty() {
            summary.push_str(&format!(" ({})", counts.join(", ")));
        }
        for (n, what) in [
            (tail.suppressed, "suppressed"),
            (tail.exempted, "exempted"),
            (tail.baselined, "in baseline"),
            (tail.at_controller, "checked at their controller (-v lists them)"),
            (errors, if errors == 1 { "input error" } else { "input errors" }),
        ] {
            if n > 0 {
                summary.push_str(&format!("; {n} {what}"));
            }
        }
        writeln!(out, "{summary}")
    }
}

/// One finding's lines, after the file and object headings when `before`
/// (the finding printed just before it) was about another file or object.
fn write_finding(
    out: &mut Vec<u8>,
    p: &Painter,
    rules: &Rules,
    before: Option<(&str, &ObjectRef)>,
    f: &Finding,
) -> io::Result<()> {
    let bold = Style::new().effects(Effects::BOLD);
    let dim = Style::new().effects(Effects::DIMMED);
    let same_file = before.is_some_and(|(file, _)| file == &*f.location.file);
    if !same_file {
        if before.is_some() {
            writeln!(out)?;
        }
        writeln!(out, "{}", p.paint(bold, &f.location.file))?;
    }
    if !same_file || before.is_some_and(|(_, object)| object != &*f.object) {
        let name = match &f.object.namespace {
            Some(ns) => format!("{} {}/{}", f.object.kind, ns, f.object.name),
            None => format!("{} {}", f.object.kind, f.object.name),
        };
        let template = f.location.template.as_deref().map(|t| format!("  (from {t})")).unwrap_or_default();
        writeln!(out, "  {}{}", p.paint(bold, &name), p.paint(dim, &template))?;
    }
    let position = format!("{}:{}", f.location.line, f.location.column);
    let severity = format!("{:<8}", f.severity.as_str());
    writeln!(out, "    {position:<8} {} {}  {}", p.paint(severity_style(f.severity), &severity), f.rule, f.message)?;
    if let Some(meta) = rules.get(f.rule) {
        writeln!(out, "    {:<8} {:<8} {}", "", "", p.paint(dim, &format!("fix: {}", meta.fix)))?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
