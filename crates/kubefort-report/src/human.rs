//! The default output: findings grouped by file and object, `line:column`,
//! severity colours on a terminal, and a summary.

use crate::Report;
use anstyle::{AnsiColor, Effects, Style};
use kubefort_load::Level;
use kubefort_model::Severity;
use std::io::{self, Write};

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

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let p = Painter(color);
    let bold = Style::new().effects(Effects::BOLD);
    let dim = Style::new().effects(Effects::DIMMED);

    // The caller decides which diagnostics to show (notes only with `-v`).
    for d in report.diagnostics {
        let style = match d.level {
            Level::Error => severity_style(Severity::High),
            Level::Warning => severity_style(Severity::Medium),
            Level::Note => dim,
        };
        let text = d.to_string();
        writeln!(out, "{}", p.paint(style, &text))?;
    }
    if !report.diagnostics.is_empty() {
        writeln!(out)?;
    }

    let mut current_file: Option<&str> = None;
    let mut current_object: Option<(&str, &kubefort_model::ObjectRef)> = None;
    for f in report.findings {
        if current_file != Some(&f.location.file) {
            if current_file.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", p.paint(bold, &f.location.file))?;
            current_file = Some(&f.location.file);
            current_object = None;
        }
        if current_object != Some((&f.location.file, &f.object)) {
            let name = match &f.object.namespace {
                Some(ns) => format!("{} {}/{}", f.object.kind, ns, f.object.name),
                None => format!("{} {}", f.object.kind, f.object.name),
            };
            let template = f.location.template.as_deref().map(|t| format!("  (from {t})")).unwrap_or_default();
            writeln!(out, "  {}{}", p.paint(bold, &name), p.paint(dim, &template))?;
            current_object = Some((&f.location.file, &f.object));
        }
        let position = format!("{}:{}", f.location.line, f.location.column);
        let severity = format!("{:<8}", f.severity.as_str());
        writeln!(
            out,
            "    {position:<8} {} {}  {}",
            p.paint(severity_style(f.severity), &severity),
            f.rule,
            f.message
        )?;
        if let Some(meta) = report.rule(f.rule) {
            writeln!(out, "    {:<8} {:<8} {}", "", "", p.paint(dim, &format!("fix: {}", meta.fix)))?;
        }
    }
    if !report.findings.is_empty() {
        writeln!(out)?;
    }

    let counts: Vec<String> = report
        .counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| p.paint(severity_style(s), &format!("{n} {s}")))
        .collect();
    let errors = report.diagnostics.iter().filter(|d| d.level == Level::Error).count();
    let mut summary = format!(
        "{} finding{} in {} object{} from {} file{}",
        report.findings.len(),
        plural(report.findings.len()),
        report.objects,
        plural(report.objects),
        report.files,
        plural(report.files)
    );
    if !counts.is_empty() {
        summary.push_str(&format!(" ({})", counts.join(", ")));
    }
    for (n, what) in [
        (report.suppressed, "suppressed"),
        (report.exempted, "exempted"),
        (report.baselined, "in baseline"),
        (errors, if errors == 1 { "input error" } else { "input errors" }),
    ] {
        if n > 0 {
            summary.push_str(&format!("; {n} {what}"));
        }
    }
    writeln!(out, "{summary}")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
