//! `kubefort rbac`: questions to the RBAC authorizer (`can`, `who-can`,
//! `permissions`), each answer with its proof. Wiring only: the analysis is
//! in `kubefort-rbac`.

use crate::exit;
use kubefort_load::{Input, Level, Limits};
use kubefort_rbac::authorizer::loc;
use kubefort_rbac::{Authorizer, Identity, Options, Request};
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

pub fn run(args: Args) -> u8 {
    match args.command {
        Command::Can(a) => can(a),
        Command::WhoCan(a) => who_can(a),
        Command::Permissions(a) => permissions(a),
    }
}

/// `pods`, `pods/exec`, `deployments.apps/scale`, or `/healthz`.
pub fn parse_request(verb: &str, resource: &str, namespace: &str, name: &str) -> Result<Request, String> {
    if verb.is_empty() {
        return Err("VERB is empty".into());
    }
    if resource.starts_with('/') {
        if !namespace.is_empty() || !name.is_empty() {
            return Err("a non-resource URL takes no --namespace or --name".into());
        }
        return Ok(Request::non_resource(verb, resource));
    }
    let (head, sub) = resource.split_once('/').map_or((resource, None), |(h, s)| (h, Some(s)));
    let (res, group) = head.split_once('.').unwrap_or((head, ""));
    if res.is_empty() || sub.is_some_and(|s| s.is_empty() || s.contains('/')) {
        return Err(format!("`{resource}`: RESOURCE is RESOURCE[.GROUP][/SUBRESOURCE] or a /url"));
    }
    let combined = match sub {
        Some(s) => format!("{res}/{s}"),
        None => res.to_owned(),
    };
    Ok(Request::resource(verb, group, &combined, namespace, name))
}

fn load(paths: &[String], common: &Common) -> Result<(Authorizer, Vec<String>), u8> {
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
    let authorizer = Authorizer::new(&loaded.objects, Options { with_defaults: common.with_defaults });
    problems.extend(authorizer.problems.iter().map(|p| format!("{}: warning: {}", loc(&p.location), p.message)));
    Ok((authorizer, problems))
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
