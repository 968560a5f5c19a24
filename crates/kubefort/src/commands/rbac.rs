//! `kubefort rbac`: questions to the RBAC authorizer (`can`, `who-can`,
//! `permissions`), each answer with its proof. Wiring only: the analysis is
//! in `kubefort-rbac`.

use crate::exit;
use kubefort_load::{Input, Level, Limits};
use kubefort_rbac::assert::Outcome;
use kubefort_rbac::authorizer::loc;
use kubefort_rbac::{Authorizer, Facts, Goal, Graph, Identity, Options, Request};
use kubefort_report::junit::escape;
use serde_json::json;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Can SUBJECT do VERB on RESOURCE? Exit 0 for yes, 1 for no, with the proof.
    Can(CanArgs),
    /// Who can do VERB on RESOURCE? Exit 0 when someone can, 1 when nobody.
    WhoCan(WhoCanArgs),
    /// SUBJECT's effective permissions, namespace by namespace.
    Permissions(PermissionsArgs),
    /// Privilege-escalation paths to cluster-admin (or --target). Exit 1 when a path exists.
    Paths(PathsArgs),
    /// Check RBAC expectations written in TESTS.yaml. Exit 1 when one fails.
    Assert(AssertArgs),
}

#[derive(clap::Args)]
struct Common {
    /// Output format.
    #[arg(short = 'o', long = "format", value_parser = ["human", "json"], default_value = "human")]
    format: String,
    /// Include Kubernetes' default roles and bindings (cluster-admin, admin/edit/view, system:discovery, …).
    #[arg(long)]
    with_defaults: bool,
}

#[derive(clap::Args)]
struct CanArgs {
    /// `sa:NS:NAME`, `system:serviceaccount:NS:NAME`, `user:NAME` or `group:NAME`.
    subject: String,
    /// The verb (`get`, `list`, `create`, `impersonate`, …).
    verb: String,
    /// `RESOURCE[.GROUP][/SUBRESOURCE]` (`pods/exec`, `deployments.apps`), or a non-resource URL (`/healthz`).
    resource: String,
    /// Namespace of the request; without it the question is cluster-wide.
    #[arg(short, long, default_value = "")]
    namespace: String,
    /// Name of the object (rules with resourceNames match only named requests).
    #[arg(long, default_value = "")]
    name: String,
    /// Other groups the subject belongs to (repeatable).
    #[arg(long = "group")]
    groups: Vec<String>,
    #[command(flatten)]
    common: Common,
    /// Manifests (files, directories, `-` for stdin).
    #[arg(default_value = ".")]
    paths: Vec<String>,
}

#[derive(clap::Args)]
struct WhoCanArgs {
    verb: String,
    /// `RESOURCE[.GROUP][/SUBRESOURCE]`, or a non-resource URL.
    resource: String,
    #[arg(short, long, default_value = "")]
    namespace: String,
    #[arg(long, default_value = "")]
    name: String,
    #[command(flatten)]
    common: Common,
    #[arg(default_value = ".")]
    paths: Vec<String>,
}

#[derive(clap::Args)]
struct PermissionsArgs {
    subject: String,
    #[arg(long = "group")]
    groups: Vec<String>,
    #[command(flatten)]
    common: Common,
    #[arg(default_value = ".")]
    paths: Vec<String>,
}

#[derive(clap::Args)]
struct PathsArgs {
    /// `cluster-admin` (holds everything cluster-admin holds), or "VERB RESOURCE [-n NS] [--name N]".
    #[arg(long, default_value = "cluster-admin", allow_hyphen_values = true)]
    target: String,
    /// Longest path searched.
    #[arg(long, default_value_t = kubefort_rbac::paths::DEFAULT_MAX_DEPTH)]
    max_depth: usize,
    #[command(flatten)]
    common: Common,
    #[arg(default_value = ".")]
    paths: Vec<String>,
}

#[derive(clap::Args)]
struct AssertArgs {
    /// The tests: a YAML list of `{subject, verb, resource, namespace?, name?, expect: allow|deny}`
    /// and `{noPathToClusterAdminExcept: [SUBJECT...]}`.
    tests: String,
    /// Output format.
    #[arg(short = 'o', long = "format", value_parser = ["human", "json", "junit"], default_value = "human")]
    format: String,
    /// Include Kubernetes' default roles and bindings.
    #[arg(long)]
    with_defaults: bool,
    #[arg(default_value = ".")]
    paths: Vec<String>,
}

pub fn run(args: Args) -> u8 {
    match args.command {
        Command::Can(a) => can(a),
        Command::WhoCan(a) => who_can(a),
        Command::Permissions(a) => permissions(a),
        Command::Paths(a) => paths(a),
        Command::Assert(a) => assert(a),
    }
}

/// `pods`, `pods/exec`, `deployments.apps/scale`, or `/healthz`.
pub fn parse_request(verb: &str, resource: &str, namespace: &str, name: &str) -> Result<Request, String> {
    Request::parse(verb, resource, namespace, name)
}

fn load(paths: &[String], common: &Common) -> Result<(Authorizer, Vec<String>), u8> {
    load_all(paths, common.with_defaults).map(|(a, _, p)| (a, p))
}

/// The authorizer, the facts about workloads, and the problems found reading them.
fn load_all(paths: &[String], with_defaults: bool) -> Result<(Authorizer, Facts, Vec<String>), u8> {
    let inputs: Vec<Input> = paths.iter().map(|p| Input::parse(p)).collect();
    let loaded = kubefort_load::load(&inputs, Limits::default());
    let mut problems: Vec<String> =
        loaded.diagnostics.iter().filter(|d| d.level > Level::Note).map(|d| d.to_string()).collect();
    if loaded.files_read == 0 {
        for p in &problems {
            eprintln!("{p}");
        }
        eprintln!("error: no input could be read");
        return Err(exit::USAGE);
    }
    let authorizer = Authorizer::new(&loaded.objects, Options { with_defaults });
    problems.extend(authorizer.problems.iter().map(|p| format!("{}: warning: {}", loc(&p.location), p.message)));
    let facts = Facts::new(&loaded.objects);
    Ok((authorizer, facts, problems))
}

fn usage(message: &str) -> u8 {
    eprintln!("error: {message}");
    exit::USAGE
}

fn print_problems(problems: &[String]) {
    for p in problems {
        eprintln!("{p}");
    }
}

fn emit(value: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}

fn can(args: CanArgs) -> u8 {
    let identity = match Identity::parse(&args.subject) {
        Ok(i) => i.with_groups(&args.groups),
        Err(e) => return usage(&e),
    };
    let request = match parse_request(&args.verb, &args.resource, &args.namespace, &args.name) {
        Ok(r) => r,
        Err(e) => return usage(&e),
    };
    let (authorizer, problems) = match load(&args.paths, &args.common) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let decision = authorizer.authorize(&identity, &request);
    let proofs: Vec<_> = decision.grants.iter().map(|g| authorizer.proof(&identity, g)).collect();
    if args.common.format == "json" {
        emit(&json!({
            "allowed": decision.allowed,
            "subject": identity,
            "request": request.describe(),
            "proofs": proofs,
            "skipped": decision.skipped.iter().map(|&b| authorizer.binding_ref(b)).collect::<Vec<_>>(),
            "problems": problems,
        }));
    } else {
        print_problems(&problems);
        let who = identity.display();
        if decision.allowed {
            println!("yes: {who} can {}", request.describe());
            for proof in &proofs {
                for line in proof.lines() {
                    println!("  {line}");
                }
            }
        } else {
            println!("no: {who} cannot {}", request.describe());
            for &b in &decision.skipped {
                let r = authorizer.binding_ref(b);
                println!("  skipped {} ({}): its role does not exist", r.display(), loc(&r.location));
            }
        }
    }
    if decision.allowed {
        exit::OK
    } else {
        exit::FINDINGS
    }
}

fn who_can(args: WhoCanArgs) -> u8 {
    let request = match parse_request(&args.verb, &args.resource, &args.namespace, &args.name) {
        Ok(r) => r,
        Err(e) => return usage(&e),
    };
    let (authorizer, problems) = match load(&args.paths, &args.common) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let entries = authorizer.who_can(&request);
    if args.common.format == "json" {
        let subjects: Vec<_> =
            entries.iter().map(|e| json!({"subject": e.subject, "proof": authorizer.who_can_proof(e)})).collect();
        emit(&json!({"request": request.describe(), "subjects": subjects, "problems": problems}));
    } else {
        print_problems(&problems);
        if entries.is_empty() {
            println!("nobody can {}", request.describe());
        } else {
            println!("who can {}:", request.describe());
            let rows: Vec<[String; 3]> = entries
                .iter()
                .map(|e| {
                    let p = authorizer.who_can_proof(e);
                    let mut role = p.role.display();
                    if let Some(origin) = p.aggregated_from.last() {
                        role.push_str(&format!(" (from {})", origin.display()));
                    }
                    [
                        e.subject.display(),
                        format!("{} ({})", p.binding.display(), loc(&p.binding.location)),
                        format!("{role} rule #{} ({})", p.rule.index, loc(&p.rule.location)),
                    ]
                })
                .collect();
            let w0 = rows.iter().map(|r| r[0].len()).max().unwrap_or(0);
            let w1 = rows.iter().map(|r| r[1].len()).max().unwrap_or(0);
            for [a, b, c] in rows {
                println!("  {a:w0$}  {b:w1$}  {c}");
            }
        }
    }
    if entries.is_empty() {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

fn permissions(args: PermissionsArgs) -> u8 {
    let identity = match Identity::parse(&args.subject) {
        Ok(i) => i.with_groups(&args.groups),
        Err(e) => return usage(&e),
    };
    let (authorizer, problems) = match load(&args.paths, &args.common) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let matrix = authorizer.permissions(&identity);
    if args.common.format == "json" {
        emit(&json!({"subject": identity, "scopes": matrix, "problems": problems}));
        return exit::OK;
    }
    print_problems(&problems);
    if matrix.is_empty() {
        println!("{} has no permissions", identity.display());
    }
    for (scope, rows) in &matrix {
        if scope == "*" {
            println!("cluster-wide (every namespace and cluster-scoped resources):");
        } else {
            println!("namespace {scope}:");
        }
        let rendered: Vec<(String, String, String)> = rows
            .iter()
            .map(|p| {
                let what = match &p.key {
                    kubefort_rbac::authorizer::PermissionKey::Resource { api_group, resource, resource_names } => {
                        let mut s = resource.clone();
                        if !api_group.is_empty() {
                            s.push('.');
                            s.push_str(api_group);
                        }
                        if !resource_names.is_empty() {
                            s.push_str(&format!(" [{}]", resource_names.join(",")));
                        }
                        s
                    }
                    kubefort_rbac::authorizer::PermissionKey::NonResource { url } => url.clone(),
                };
                let via = p
                    .via
                    .iter()
                    .map(|v| format!("{} → {} ({})", v.binding, v.role, v.rule))
                    .collect::<Vec<_>>()
                    .join("; ");
                (what, p.verbs.join(","), via)
            })
            .collect();
        let w0 = rendered.iter().map(|r| r.0.len()).max().unwrap_or(0);
        let w1 = rendered.iter().map(|r| r.1.len()).max().unwrap_or(0);
        for (what, verbs, via) in rendered {
            println!("  {what:w0$}  {verbs:w1$}  {via}");
        }
    }
    exit::OK
}

fn paths(args: PathsArgs) -> u8 {
    let goal = match Goal::parse(&args.target) {
        Ok(g) => g,
        Err(e) => return usage(&e),
    };
    let (authorizer, facts, problems) = match load_all(&args.paths, args.common.with_defaults) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let graph = Graph::new(&authorizer, &facts);
    let found = graph.search(&goal, args.max_depth);
    let reports: Vec<_> = found.iter().map(|p| graph.report(p)).collect();
    if args.common.format == "json" {
        emit(&json!({
            "target": goal.describe(),
            "principals": graph.starts.len(),
            "paths": reports,
            "problems": problems,
        }));
    } else {
        print_problems(&problems);
        if reports.is_empty() {
            println!(
                "no path: none of {} principals reaches {} in {} steps or fewer",
                graph.starts.len(),
                goal.describe(),
                args.max_depth
            );
        } else {
            println!("{} of {} principals reach {}:", reports.len(), graph.starts.len(), goal.describe());
            for r in &reports {
                println!();
                for line in r.lines() {
                    println!("{line}");
                }
            }
        }
    }
    if reports.is_empty() {
        exit::OK
    } else {
        exit::FINDINGS
    }
}

fn assert(args: AssertArgs) -> u8 {
    let file: std::sync::Arc<str> = std::sync::Arc::from(args.tests.as_str());
    let text = match std::fs::read_to_string(&args.tests) {
        Ok(t) => t,
        Err(e) => return usage(&format!("{}: {e}", args.tests)),
    };
    let parsed = kubefort_load::yaml::parse_str(&text, &file, Limits::default());
    let errors: Vec<String> =
        parsed.diagnostics.iter().filter(|d| d.level == Level::Error).map(|d| d.to_string()).collect();
    if !errors.is_empty() {
        print_problems(&errors);
        return exit::USAGE;
    }
    let cases = match parsed.documents.as_slice() {
        [doc] => kubefort_rbac::assert::parse(&doc.root),
        [] => Err(vec![kubefort_rbac::assert::ParseError {
            pos: kubefort_model::Pos::new(1, 1),
            message: "no tests: expected a list of tests".into(),
        }]),
        [_, second, ..] => Err(vec![kubefort_rbac::assert::ParseError {
            pos: second.root.pos,
            message: "expected one YAML document, found several".into(),
        }]),
    };
    let cases = match cases {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                eprintln!("{}:{}:{}: error: {}", file, e.pos.line, e.pos.column, e.message);
            }
            return exit::USAGE;
        }
    };
    let (authorizer, facts, problems) = match load_all(&args.paths, args.with_defaults) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let outcomes = kubefort_rbac::assert::run(&cases, &authorizer, || Graph::new(&authorizer, &facts));
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    match args.format.as_str() {
        "json" => emit(&json!({
            "tests": outcomes.len(),
            "failures": failed,
            "file": &*file,
            "results": outcomes,
            "problems": problems,
        })),
        "junit" => print!("{}", junit(&file, &outcomes)),
        _ => {
            print_problems(&problems);
            for o in &outcomes {
                let mark = if o.passed { "PASS" } else { "FAIL" };
                println!("{mark} {} ({}:{}:{})", o.name, file, o.line, o.column);
                if !o.passed {
                    println!("     {}", o.message);
                    for d in &o.details {
                        println!("     {d}");
                    }
                }
            }
            println!("{} tests, {} passed, {failed} failed", outcomes.len(), outcomes.len() - failed);
        }
    }
    if failed == 0 {
        exit::OK
    } else {
        exit::FINDINGS
    }
}

/// One `<testsuite>` named by the tests file, one `<testcase>` per test.
fn junit(file: &str, outcomes: &[Outcome]) -> String {
    let failures = outcomes.iter().filter(|o| !o.passed).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"kubefort rbac assert\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"0\">\n",
        outcomes.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
        escape(file, true),
        outcomes.len()
    ));
    for o in outcomes {
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\" time=\"0\"",
            escape(&o.name, true),
            escape(file, true),
            escape(file, true),
            o.line
        ));
        if o.passed {
            out.push_str("/>\n");
        } else {
            let mut body = format!("{file}:{}:{}: {}\n", o.line, o.column, o.message);
            for d in &o.details {
                body.push_str(d);
                body.push('\n');
            }
            out.push_str(&format!(
                ">\n      <failure message=\"{}\" type=\"rbac\">{}</failure>\n    </testcase>\n",
                escape(&o.message, true),
                escape(&body, false)
            ));
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::parse_request;
    use kubefort_rbac::Target;

    #[test]
    fn resources_parse_with_group_and_subresource() {
        let r = parse_request("create", "deployments.apps/scale", "ns", "").unwrap();
        assert_eq!(
            r.target,
            Target::Resource {
                group: "apps".into(),
                resource: "deployments".into(),
                subresource: "scale".into(),
                name: String::new()
            }
        );
        assert!(matches!(parse_request("get", "/healthz", "", "").unwrap().target, Target::NonResource { .. }));
        for bad in ["", "pods/", "/x", ".apps", "a/b/c"] {
            let ns = if bad == "/x" { "ns" } else { "" };
            assert!(parse_request("get", bad, ns, "").is_err(), "{bad}");
        }
    }
}
