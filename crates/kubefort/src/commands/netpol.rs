//! `kubefort netpol`: connlist, explain, quarantine (the analysis lives in
//! kubefort-netpol).

use crate::exit;
use kubefort_load::{Input, Level, Limits};
use kubefort_model::Object;
use kubefort_netpol::{
    Conn, Direction, Endpoint, Format, IpRange, Network, Options, Protocol, QuarantineOptions, Verdict,
};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// List every allowed connection between workloads and outside address ranges.
    Connlist(ConnlistArgs),
    /// Say whether SRC may connect to DST, and which policy and rule decided each direction.
    Explain(ExplainArgs),
    /// Print a NetworkPolicy that isolates one workload (NS/WORKLOAD).
    Quarantine(QuarantineArgs),
}

#[derive(clap::Args)]
struct InputArgs {
    /// Files or directories (`-` reads stdin).
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// Treat hostNetwork pods like other pods, as np-guard's netpol-analyzer
    /// does (Kubernetes does not apply policies to them).
    #[arg(long)]
    host_network_as_pods: bool,
}

#[derive(clap::Args)]
struct ConnlistArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(short = 'o', long = "format", default_value = "txt", value_parser = ["txt", "json", "md", "dot"])]
    format: String,
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// Source: `ns/name`, `ns/name[Kind]` or an IP address.
    src: String,
    /// Destination: `ns/name`, `ns/name[Kind]` or an IP address.
    dst: String,
    /// Only this port: `8080`, `8080/TCP`, `53/UDP`.
    #[arg(long)]
    port: Option<String>,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(clap::Args)]
struct QuarantineArgs {
    /// The workload: `ns/name` or `ns/name[Kind]`.
    target: String,
    /// Keep DNS to kube-dns (UDP and TCP 53) open.
    #[arg(long)]
    allow_dns: bool,
    /// Namespaces still allowed in (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    allow_from: Vec<String>,
    #[command(flatten)]
    input: InputArgs,
}

pub fn run(args: Args) -> u8 {
    match args.command {
        Sub::Connlist(a) => connlist(a),
        Sub::Explain(a) => explain(a),
        Sub::Quarantine(a) => quarantine(a),
    }
}

fn load(input: &InputArgs) -> Result<(Vec<Object>, Network), u8> {
    let inputs: Vec<Input> = input.paths.iter().map(|p| Input::parse(p)).collect();
    let loaded = kubefort_load::load(&inputs, Limits::default());
    for d in loaded.diagnostics.iter().filter(|d| d.level > Level::Note) {
        eprintln!("{d}");
    }
    if loaded.files_read == 0 {
        eprintln!("error: no input could be read");
        return Err(exit::USAGE);
    }
    let options = Options { host_network_exempt: !input.host_network_as_pods };
    let net = Network::with_options(&loaded.objects, options);
    for w in &net.warnings {
        eprintln!("warning: {w}");
    }
    Ok((loaded.objects, net))
}

fn connlist(args: ConnlistArgs) -> u8 {
    let (_, net) = match load(&args.input) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let format: Format = args.format.parse().unwrap_or(Format::Txt);
    let stdout = std::io::stdout().lock();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
    match kubefort_netpol::write_connlist(&net, format, &mut out).and_then(|()| std::io::Write::flush(&mut out)) {
        Ok(()) => exit::OK,
        // A closed pipe (`| head`) is not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            eprintln!("error: writing the connection list: {e}");
            exit::USAGE
        }
    }
}

enum Side {
    Workload(usize),
    Ip(IpRange),
}

fn resolve(net: &Network, objects: &[Object], query: &str) -> Result<Side, String> {
    if let Ok(addr) = query.parse::<std::net::IpAddr>() {
        return Ok(Side::Ip(IpRange::single(addr)));
    }
    let found = net.find_workloads(query, objects);
    match found.as_slice() {
        [one] => Ok(Side::Workload(*one)),
        [] => Err(format!("no workload or pod `{query}` in the input (use ns/name or an IP address)")),
        many => Err(format!(
            "`{query}` is ambiguous: {}; add the kind, e.g. `{}`",
            many.iter().map(|&i| net.workloads[i].display()).collect::<Vec<_>>().join(", "),
            net.workloads[many[0]].display()
        )),
    }
}

fn parse_port(text: &str) -> Result<(Protocol, u16), String> {
    let (port, proto) = text.split_once('/').unwrap_or((text, "TCP"));
    let proto = Protocol::parse(proto).ok_or_else(|| format!("unknown protocol `{proto}` (TCP, UDP, SCTP)"))?;
    let port: u16 = port.parse().ok().filter(|p| *p > 0).ok_or_else(|| format!("`{port}` is not a port number"))?;
    Ok((proto, port))
}

fn at(l: &kubefort_model::Location) -> String {
    format!("{}:{}:{}", l.file, l.line, l.column)
}

fn describe_verdict(net: &Network, subject: &str, v: &Verdict, port: Option<(Protocol, u16)>) {
    let dir = v.direction.as_str();
    if let Some(why) = v.exempt {
        println!("  {dir} of {subject}: not restricted ({why})");
        return;
    }
    if v.isolating.is_empty() {
        println!("  {dir} of {subject}: not isolated (no NetworkPolicy selects it for {dir}): all allowed");
        return;
    }
    let names: Vec<String> = v
        .isolating
        .iter()
        .map(|&i| format!("{} ({})", net.policies[i].display(), at(&net.policies[i].location)))
        .collect();
    println!("  {dir} of {subject}: isolated by {}", names.join(", "));
    if v.allows.is_empty() {
        println!("    no rule of these policies matches the other side: denied");
    }
    for a in &v.allows {
        let p = &net.policies[a.policy];
        let rule = &p.rules(v.direction)[a.rule];
        let hit = match port {
            Some((proto, n)) if a.conn.contains(proto, n) => " <- allows the port",
            _ => "",
        };
        println!("    allowed by {} {} ({}): {}{hit}", p.display(), rule.pointer, at(&rule.location), a.conn);
    }
}

fn explain(args: ExplainArgs) -> u8 {
    let (objects, net) = match load(&args.input) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let port = match args.port.as_deref().map(parse_port).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: --port: {e}");
            return exit::USAGE;
        }
    };
    let (src, dst) = match (resolve(&net, &objects, &args.src), resolve(&net, &objects, &args.dst)) {
        (Ok(s), Ok(d)) => (s, d),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let endpoint = |side: &Side| match side {
        Side::Workload(w) => Endpoint::Shape(net.workloads[*w].shape),
        Side::Ip(r) => Endpoint::Ip(*r),
    };
    let name = |side: &Side| match side {
        Side::Workload(w) => net.workloads[*w].display(),
        Side::Ip(r) => format!("{}[External]", r.to_string().split('-').next().unwrap_or_default()),
    };
    let (src_ep, dst_ep) = (endpoint(&src), endpoint(&dst));
    let (src_name, dst_name) = (name(&src), name(&dst));
    if let (Side::Ip(_), Side::Ip(_)) = (&src, &dst) {
        eprintln!("error: at least one side must be a workload");
        return exit::USAGE;
    }
    let egress = match src_ep {
        Endpoint::Shape(s) => Some(net.verdict(s, Direction::Egress, dst_ep)),
        Endpoint::Ip(_) => None,
    };
    let ingress = match dst_ep {
        Endpoint::Shape(d) => Some(net.verdict(d, Direction::Ingress, src_ep)),
        Endpoint::Ip(_) => None,
    };
    let conn = egress
        .as_ref()
        .map_or(Conn::all(), |v| v.conn.clone())
        .intersect(&ingress.as_ref().map_or(Conn::all(), |v| v.conn.clone()));
    println!("{src_name} => {dst_name} : {conn}");
    match &egress {
        Some(v) => describe_verdict(&net, &src_name, v, port),
        None => println!("  egress of {src_name}: outside the cluster, not restricted by NetworkPolicy"),
    }
    match &ingress {
        Some(v) => describe_verdict(&net, &dst_name, v, port),
        None => println!("  ingress of {dst_name}: outside the cluster, not restricted by NetworkPolicy"),
    }
    let allowed = match port {
        Some((proto, n)) => {
            let denied_by: Vec<&str> = [&egress, &ingress]
                .into_iter()
                .flatten()
                .filter(|v| !v.conn.contains(proto, n))
                .map(|v| v.direction.as_str())
                .collect();
            if denied_by.is_empty() {
                println!("verdict: {n}/{proto} allowed");
                true
            } else {
                println!("verdict: {n}/{proto} denied (by {})", denied_by.join(" and "));
                false
            }
        }
        None if conn.is_empty() => {
            println!("verdict: denied");
            false
        }
        None => {
            println!("verdict: allowed ({conn})");
            true
        }
    };
    if allowed {
        exit::OK
    } else {
        exit::FINDINGS
    }
}

fn quarantine(args: QuarantineArgs) -> u8 {
    let (objects, net) = match load(&args.input) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let w = match resolve(&net, &objects, &args.target) {
        Ok(Side::Workload(w)) => w,
        Ok(Side::Ip(_)) => {
            eprintln!("error: quarantine needs a workload, not an address");
            return exit::USAGE;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let options = QuarantineOptions { allow_dns: args.allow_dns, allow_from: args.allow_from };
    match kubefort_netpol::quarantine(&net, w, &options) {
        Ok(q) => {
            print!("{}", q.yaml);
            for n in &q.notes {
                eprintln!("note: {n}");
            }
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::FINDINGS
        }
    }
}
