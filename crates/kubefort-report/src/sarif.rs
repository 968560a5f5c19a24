//! SARIF 2.1.0, as GitHub code scanning (and most other SARIF viewers) accept it.
//!
//! - One run. `tool.driver.rules` holds every rule that ran, with its title,
//!   its documentation as `help` (text and markdown), `helpUri` (the first
//!   link of its `## References`), the default level, and
//!   `properties` GitHub reads: `tags`, `security-severity` (a CVSS-like score
//!   as a string) and `precision`.
//! - One result per finding: `ruleId` + `ruleIndex`, `level`, the message, a
//!   physical location (the path as given, relative to `%SRCROOT%`, with
//!   forward slashes) and two logical locations (the object `Kind/ns/name`
//!   and the JSON pointer inside it). `partialFingerprints` carries the
//!   finding's fingerprint, which ignores line numbers, so an alert follows
//!   its field when lines move. For Helm output the template the document was
//!   rendered from is named in the message and as a `relatedLocations` entry.
//! - Input problems (parse errors, unreadable files, warnings, and notes when
//!   asked for) are `invocations[0].toolExecutionNotifications`.
//!   `executionSuccessful` is false only when no input could be read at all.
//! - Columns count Unicode code points (`columnKind`), as the loader does.

use crate::pretty::{split_at_empty_array, ArrayWriter};
use crate::{Head, Rules};
use kubefort_load::{Diagnostic, Level};
use kubefort_model::{Finding, ObjectRef, RuleMeta, Severity};
use serde_json::{json, Map, Value};
use std::io::{self, Write};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/kubefort/kubefort";
/// The key of the fingerprint in `partialFingerprints`; bump the version if
/// the fingerprint's definition ever changes.
pub const FINGERPRINT_KEY: &str = "kubefortFingerprint/v1";
/// The base every relative `artifactLocation.uri` is resolved against.
const SRCROOT: &str = "%SRCROOT%";

/// GitHub's `security-severity`: its bands are critical ≥ 9.0, high ≥ 7.0,
/// medium ≥ 4.0, low > 0.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// SARIF `level`: `error` for critical and high, `warning` for medium,
/// `note` for low and info.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn diagnostic_level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

/// A path as a SARIF `artifactLocation`: relative paths become URI
/// references against `%SRCROOT%` (forward slashes, `./` dropped,
/// percent-encoded); absolute paths become `file://` URIs; stdin has no file.
pub fn artifact_location(path: &str) -> Value {
    if path == "<stdin>" || path == "-" {
        return json!({"uri": "stdin"});
    }
    let slashed = path.replace('\\', "/");
    let is_windows_drive = slashed.as_bytes().get(1) == Some(&b':') && slashed.as_bytes()[0].is_ascii_alphabetic();
    if slashed.starts_with('/') || is_windows_drive {
        let rooted = if is_windows_drive { format!("/{slashed}") } else { slashed };
        return json!({"uri": format!("file://{}", percent_encode(&rooted, b":"))});
    }
    let mut relative = slashed.as_str();
    while let Some(rest) = relative.strip_prefix("./") {
        relative = rest.trim_start_matches('/');
    }
    // `:` stays encoded here: `a:b/x.yaml` would otherwise read as a scheme.
    json!({"uri": percent_encode(relative, b""), "uriBaseId": SRCROOT})
}

/// Percent-encodes everything but RFC 3986 unreserved characters, `/` and `keep`.
fn percent_encode(path: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects.
pub fn object_path(o: &ObjectRef) -> String {
    match &o.namespace {
        Some(ns) => format!("{}/{}/{}", o.kind, ns, o.name),
        None => format!("{}/{}", o.kind, o.name),
    }
}

fn region(line: u32, column: u32) -> Option<Value> {
    (line > 0).then(|| {
        let mut r = Map::new();
        r.insert("startLine".into(), json!(line));
        if column > 0 {
            r.insert("startColumn".into(), json!(column));
        }
        Value::Object(r)
    })
}

fn physical_location(file: &str, line: u32, column: u32) -> Value {
    let mut p = Map::new();
    p.insert("artifactLocation".into(), artifact_location(file));
    if let Some(r) = region(line, column) {
        p.insert("region".into(), r);
    }
    Value::Object(p)
}

/// `KF-POD-001` → `pod`: the rule's area, as a tag.
fn area_tag(id: &str) -> Option<String> {
    let mut parts = id.split('-');
    match (parts.next(), parts.next()) {
        (Some("KF"), Some(area)) if !area.is_empty() => Some(area.to_ascii_lowercase()),
        _ => id.split_once(':').map(|(prefix, _)| prefix.to_ascii_lowercase()),
    }
}

/// The first `https://` link of the rule's `## References` section.
fn help_uri(m: &RuleMeta) -> Option<String> {
    let refs = m.section("References")?;
    let start = refs.find("https://")?;
    let link = refs[start..].split(|c: char| c.is_whitespace() || matches!(c, '>' | ')' | ']')).next()?;
    Some(link.to_owned())
}

fn rule_descriptor(m: &RuleMeta) -> Value {
    let doc = m.documentation();
    let full = m.section("What it does").filter(|s| !s.is_empty()).unwrap_or_else(|| m.title.to_owned());
    let mut markdown =
        format!("**{}** ({}, severity {})\n\n{}\n\n**Fix:** {}\n", m.title, m.id, m.severity, doc, m.fix);
    let mut text = format!("{} ({}, severity {})\n\n{}\n\nFix: {}\n", m.title, m.id, m.severity, doc, m.fix);
    if !m.references.is_empty() {
        let refs = m.references.join(", ");
        markdown.push_str(&format!(
            "\n**Equivalent checks:** {}\n",
            m.references.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
        ));
        text.push_str(&format!("\nEquivalent checks: {refs}\n"));
    }
    let mut tags = vec!["security".to_owned(), "kubernetes".to_owned()];
    tags.extend(area_tag(m.id));
    let mut d = json!({
        "id": m.id,
        "name": m.name,
        "shortDescription": {"text": m.title},
        "fullDescription": {"text": full},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": level(m.severity)},
        "properties": {
            "tags": tags,
            "security-severity": security_severity(m.severity),
            "precision": "high",
            "equivalents": m.references,
        },
    });
    if let Some(uri) = help_uri(m) {
        d["helpUri"] = json!(uri);
    }
    d
}

fn result(f: &Finding, rule_index: Option<usize>) -> Value {
    let object = object_path(&f.object);
    let mut text = format!(
        "{} ({} {})",
        f.message,
        f.object.kind,
        match &f.object.namespace {
            Some(ns) => format!("{ns}/{}", f.object.name),
            None => f.object.name.clone(),
        }
    );
    if let Some(t) = &f.location.template {
        text.push_str(&format!(" [rendered from Helm template {t}]"));
    }
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.rule));
    if let Some(i) = rule_index {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("level".into(), json!(level(f.severity)));
    r.insert("message".into(), json!({"text": text}));
    r.insert(
        "locations".into(),
        json!([{
            "physicalLocation": physical_location(&f.location.file, f.location.line, f.location.column),
            "logicalLocations": [
                {"name": f.object.name, "fullyQualifiedName": object, "kind": "resource"},
                {"name": f.pointer, "fullyQualifiedName": format!("{object}#{}", f.pointer), "kind": "property"},
            ],
        }]),
    );
    if let Some(t) = &f.location.template {
        r.insert(
            "relatedLocations".into(),
            json!([{
                "id": 1,
                "physicalLocation": {"artifactLocation": artifact_location(t)},
                "message": {"text": "Helm template this document was rendered from"},
            }]),
        );
    }
    r.insert("partialFingerprints".into(), json!({FINGERPRINT_KEY: f.fingerprint}));
    let mut properties = Map::new();
    properties.insert("severity".into(), json!(f.severity));
    properties.insert("object".into(), json!(f.object));
    properties.insert("pointer".into(), json!(f.pointer));
    if let Some(e) = &f.evidence {
        properties.insert("evidence".into(), json!(e));
    }
    if !f.also_violates.is_empty() {
        properties.insert("alsoViolates".into(), json!(f.also_violates));
    }
    r.insert("properties".into(), Value::Object(properties));
    Value::Object(r)
}

fn notification(d: &Diagnostic) -> Value {
    json!({
        "level": diagnostic_level(d.level),
        "message": {"text": d.message},
        "locations": [{"physicalLocation": physical_location(&d.file, d.line, d.column)}],
    })
}

/// The document without results.
fn skeleton(head: &Head<'_>) -> io::Result<String> {
    let rules: Vec<Value> = head.rules.iter().map(|m| rule_descriptor(m)).collect();
    let notifications: Vec<Value> = head.diagnostics.iter().map(notification).collect();
    let any_error = head.diagnostics.iter().any(|d| d.level == Level::Error);
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kubefort",
                "version": head.tool_version,
                "semanticVersion": head.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": head.files > 0 || !any_error,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": [],
        }],
    });
    serde_json::to_string_pretty(&doc).map_err(io::Error::other)
}

/// The SARIF report, written as findings arrive: the results are cut into
/// the document at `runs[0].results` (three levels deep; nothing around
/// them depends on the findings).
pub(crate) struct SarifStream {
    results: ArrayWriter,
    after_results: String,
}

impl SarifStream {
    pub(crate) fn begin(head: &Head<'_>, out: &mut dyn Write) -> io::Result<SarifStream> {
        let doc = skeleton(head)?;
        let (before, after) = split_at_empty_array(&doc, "results", 3)
            .ok_or_else(|| io::Error::other("the SARIF report has no results array"))?;
        out.write_all(before.as_bytes())?;
        Ok(SarifStream { results: ArrayWriter::new(4), after_results: after.to_owned() })
    }

    pub(crate) fn findings(&mut self, rules: &Rules, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        let array = &self.results;
        let rendered = crate::par_render(findings, |buf, f| array.render(buf, &result(f, rules.index(f.rule))))?;
        self.results.write(out, &rendered)
    }

    pub(crate) fn finish(self, out: &mut dyn Write) -> io::Result<()> {
        self.results.finish(out)?;
        out.write_all(self.after_results.as_bytes())?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(artifact_location("./app/a b.yaml"), json!({"uri": "app/a%20b.yaml", "uriBaseId": "%SRCROOT%"}));
        assert_eq!(artifact_location("app\\x.yaml"), json!({"uri": "app/x.yaml", "uriBaseId": "%SRCROOT%"}));
        assert_eq!(artifact_location("/abs/x#1.yaml"), json!({"uri": "file:///abs/x%231.yaml"}));
        assert_eq!(artifact_location("C:\\x.yaml"), json!({"uri": "file:///C:/x.yaml"}));
        assert_eq!(artifact_location("<stdin>"), json!({"uri": "stdin"}));
    }

    #[test]
    fn severity_maps_to_level_and_score() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Info), "note");
        let scores: Vec<f64> = Severity::ALL.iter().map(|&s| security_severity(s).parse().unwrap()).collect();
        assert_eq!(scores, [1.0, 3.0, 5.5, 8.0, 9.5]);
        assert_eq!(area_tag("KF-POD-001").as_deref(), Some("pod"));
        assert_eq!(area_tag("pss:privileged").as_deref(), Some("pss"));
    }

    #[test]
    fn help_uri_is_the_first_reference_link() {
        let mut m = RuleMeta {
            id: "KF-TEST-001",
            name: "t",
            title: "T",
            severity: Severity::Low,
            fix: "f",
            references: &[],
            doc: " ## What it does\n x\n\n ## References\n - see <https://example.com/a#b>\n - https://example.com/c\n",
        };
        assert_eq!(help_uri(&m).as_deref(), Some("https://example.com/a#b"));
        m.doc = " ## What it does\n see https://example.com/not-a-reference\n";
        assert_eq!(help_uri(&m), None);
    }
}
