//! `kubefort rules` and `kubefort explain`, generated from the rules' doc comments.

use crate::exit;
use kubefort_model::RuleMeta;
use std::io::Write;

#[derive(clap::Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_parser = ["human", "json"], default_value = "human")]
    format: String,
}

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// Rule id (`KF-POD-001`) or name (`privileged-container`).
    rule: String,
}

pub fn catalog() -> Vec<&'static RuleMeta> {
    kubefort_rules::all_rules().into_iter().map(|r| r.meta()).collect()
}

pub fn list(args: RulesArgs) -> u8 {
    let rules = catalog();
    let mut out = anstream::stdout().lock();
    let result = if args.format == "json" {
        let items: Vec<_> = rules
            .iter()
            .map(|m| {
                serde_json::json!({
                    "id": m.id,
                    "name": m.name,
                    "title": m.title,
                    "severity": m.severity,
                    "fix": m.fix,
                    "references": m.references,
                    "documentation": m.documentation(),
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&serde_json::json!({"rules": items})).expect("json"))
    } else {
        rules
            .iter()
            .try_for_each(|m| writeln!(out, "{:<11} {:<9} {:<34} {}", m.id, m.severity.as_str(), m.name, m.title))
    };
    if result.is_err() {
        return exit::USAGE;
    }
    exit::OK
}

pub fn explain(args: ExplainArgs) -> u8 {
    let Some(rule) = kubefort_rules::find_rule(&args.rule) else {
        eprintln!("error: no rule `{}`; `kubefort rules` lists them", args.rule);
        return exit::USAGE;
    };
    let m = rule.meta();
    let mut text = format!(
        "# {} {} ({})\n\n{}\n\nSeverity: {}\nFix: {}\n",
        m.id,
        m.title,
        m.name,
        m.documentation(),
        m.severity,
        m.fix
    );
    if !m.references.is_empty() {
        text.push_str(&format!("Equivalent checks: {}\n", m.references.join(", ")));
    }
    print!("{text}");
    exit::OK
}
