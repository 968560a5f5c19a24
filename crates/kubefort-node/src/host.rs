//! Reads a node's files under a root directory: static pod manifests,
//! kubelet flags (systemd units, env files) and config, running processes'
//! command lines, and the files their flags name. Nothing is executed; a
//! file that cannot be read or parsed becomes a diagnostic.

use crate::flags::{location, split_words, Flags};
use kubefort_load::{load_texts, Diagnostic, Level, Limits};
use kubefort_model::{Location, Node, Object, Pos};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Component as PathPart, Path, PathBuf};
use std::sync::Arc;

/// The components kubefort knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    ApiServer,
    ControllerManager,
    Scheduler,
    Etcd,
    Kubelet,
    Proxy,
}

impl Kind {
    pub const ALL: [Kind; 6] =
        [Kind::ApiServer, Kind::ControllerManager, Kind::Scheduler, Kind::Etcd, Kind::Kubelet, Kind::Proxy];

    /// The binary's name (also the static pod manifest's file name).
    pub fn binary(self) -> &'static str {
        match self {
            Kind::ApiServer => "kube-apiserver",
            Kind::ControllerManager => "kube-controller-manager",
            Kind::Scheduler => "kube-scheduler",
            Kind::Etcd => "etcd",
            Kind::Kubelet => "kubelet",
            Kind::Proxy => "kube-proxy",
        }
    }
}

/// One component as found on the node.
#[derive(Debug, Clone)]
pub struct Component {
    pub kind: Kind,
    /// Where its flags were read (manifest, process, units), for the report.
    pub sources: Vec<String>,
    pub flags: Flags,
    /// Where a missing flag belongs (the manifest's `command`, the unit's
    /// `ExecStart`, the process's command line).
    pub anchor: Location,
    /// The static pod manifest, when there is one.
    pub manifest: Option<PathBuf>,
}

/// File mode and owner.
#[derive(Debug, Clone, Copy)]
pub struct Stat {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub is_dir: bool,
}

/// Everything read from the node.
#[derive(Debug, Default)]
pub struct Host {
    pub root: PathBuf,
    pub components: HashMap<Kind, Component>,
    /// The kubelet's config file (`--config`), parsed.
    pub kubelet_config: Option<Object>,
    /// The file `--config` names (or the default), relative to the node.
    pub kubelet_config_path: Option<String>,
    /// Objects of the files the API server's flags name (encryption, audit,
    /// admission configuration), with the flag that named them.
    pub config_objects: Vec<(String, Object)>,
    pub diagnostics: Vec<Diagnostic>,
    users: HashMap<String, u32>,
    groups: HashMap<String, u32>,
}

impl Host {
    /// A node path (`/etc/kubernetes/admin.conf`) on disk, under the root.
    /// `..` never climbs above the root.
    pub fn path(&self, node_path: &str) -> PathBuf {
        let mut out = self.root.clone();
        let mut depth = 0usize;
        for part in Path::new(node_path).components() {
            match part {
                PathPart::Normal(p) => {
                    out.push(p);
                    depth += 1;
                }
                PathPart::ParentDir if depth > 0 => {
                    out.pop();
                    depth -= 1;
                }
                _ => {}
            }
        }
        out
    }

    /// How a node path is shown in reports (the path on disk).
    pub fn display(&self, node_path: &str) -> Arc<str> {
        Arc::from(self.path(node_path).display().to_string())
    }

    pub fn stat(&self, node_path: &str) -> Option<Stat> {
        let m = std::fs::metadata(self.path(node_path)).ok()?;
        Some(Stat { mode: m.mode() & 0o7777, uid: m.uid(), gid: m.gid(), is_dir: m.is_dir() })
    }

    /// The uid of a user name per the node's `/etc/passwd` (`root` is 0
    /// when the file does not say).
    pub fn uid(&self, name: &str) -> Option<u32> {
        self.users.get(name).copied().or((name == "root").then_some(0))
    }
    pub fn gid(&self, name: &str) -> Option<u32> {
        self.groups.get(name).copied().or((name == "root").then_some(0))
    }
    pub fn user_name(&self, uid: u32) -> String {
        self.users.iter().find(|(_, &u)| u == uid).map_or_else(|| uid.to_string(), |(n, _)| n.clone())
    }
    pub fn group_name(&self, gid: u32) -> String {
        self.groups.iter().find(|(_, &g)| g == gid).map_or_else(|| gid.to_string(), |(n, _)| n.clone())
    }

    pub fn component(&self, kind: Kind) -> Option<&Component> {
        self.components.get(&kind)
    }

    /// Files directly in a node directory (sorted), or under it recursively.
    pub fn files_in(&self, node_dir: &str, recursive: bool) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![node_dir.trim_end_matches('/').to_owned()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(self.path(&dir)) else { continue };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = format!("{dir}/{name}");
                match entry.file_type() {
                    Ok(t) if t.is_dir() && recursive => stack.push(path),
                    Ok(t) if t.is_file() || t.is_symlink() => out.push(path),
                    _ => {}
                }
            }
        }
        out.sort();
        out
    }

    fn read(&mut self, node_path: &str) -> Option<String> {
        let path = self.path(node_path);
        match std::fs::read(&path) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                self.diagnostics.push(Diagnostic::error(
                    &self.display(node_path),
                    Pos::default(),
                    format!("cannot read: {e}"),
                ));
                None
            }
        }
    }

    /// Parses a YAML/JSON file into objects; parse errors become diagnostics.
    fn objects(&mut self, node_path: &str) -> Vec<Object> {
        let Some(text) = self.read(node_path) else { return Vec::new() };
        let loaded = load_texts(vec![(self.display(node_path), text)], Limits::default());
        self.diagnostics.extend(loaded.diagnostics.into_iter().filter(|d| d.level > Level::Note));
        loaded.objects
    }

    /// Reads the node under `root`.
    pub fn read_root(root: &Path) -> Host {
        let mut host = Host { root: root.to_owned(), ..Host::default() };
        host.users = host.id_table("/etc/passwd");
        host.groups = host.id_table("/etc/group");
        for kind in [Kind::ApiServer, Kind::ControllerManager, Kind::Scheduler, Kind::Etcd] {
            host.read_manifest(kind);
        }
        host.read_kubelet_units();
        host.read_processes();
        host.read_kubelet_config();
        host.read_apiserver_files();
        host
    }

    fn id_table(&mut self, node_path: &str) -> HashMap<String, u32> {
        let text = self.read(node_path).unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let mut parts = l.split(':');
                let name = parts.next()?;
                let id = parts.nth(1)?.parse().ok()?;
                Some((name.to_owned(), id))
            })
            .collect()
    }

    fn read_manifest(&mut self, kind: Kind) {
        let node_path = format!("/etc/kubernetes/manifests/{}.yaml", kind.binary());
        let objects = self.objects(&node_path);
        let Some(pod) = objects.into_iter().find(|o| o.kind == "Pod") else { return };
        let containers = pod.root.pointer("/spec/containers").map(Node::as_seq).unwrap_or(&[]);
        let index =
            containers.iter().position(|c| c.get("name").and_then(Node::as_str) == Some(kind.binary())).unwrap_or(0);
        let Some(container) = containers.get(index) else { return };
        let mut args = Vec::new();
        for key in ["command", "args"] {
            for (i, item) in container.get(key).map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
                if let Some(text) = item.scalar_text() {
                    args.push((text, pod.location_of(&format!("/spec/containers/{index}/{key}/{i}"))));
                }
            }
        }
        // The program name is the first word of `command`.
        if container.get("command").is_some_and(|c| !c.as_seq().is_empty()) && !args.is_empty() {
            args.remove(0);
        }
        let mut flags = Flags::default();
        if kind == Kind::Etcd {
            // etcd reads ETCD_FOO_BAR as --foo-bar; flags win.
            let env = container.get("env").map(Node::as_seq).unwrap_or(&[]);
            let mut from_env = Vec::new();
            for (i, var) in env.iter().enumerate() {
                let (Some(name), Some(value)) =
                    (var.get("name").and_then(Node::as_str), var.get("value").and_then(Node::scalar_text))
                else {
                    continue;
                };
                if let Some(flag) = name.strip_prefix("ETCD_") {
                    let at = pod.location_of(&format!("/spec/containers/{index}/env/{i}/value"));
                    from_env.push((format!("--{}={value}", flag.to_ascii_lowercase().replace('_', "-")), at));
                }
            }
            flags = Flags::parse(&from_env);
        }
        flags.extend(Flags::parse(&args));
        let anchor = pod.location_of(&format!("/spec/containers/{index}/command"));
        self.components.insert(
            kind,
            Component {
                kind,
                sources: vec![self.display(&node_path).to_string()],
                flags,
                anchor,
                manifest: Some(PathBuf::from(node_path)),
            },
        );
    }

    /// The kubelet's flags from its systemd units and env files, as systemd
    /// would expand `ExecStart=` (kubeadm's layout: variables from
    /// `Environment=` and `EnvironmentFile=`).
    fn read_kubelet_units(&mut self) {
        let mut units = Vec::new();
        for dir in ["/lib/systemd/system", "/usr/lib/systemd/system", "/etc/systemd/system"] {
            let unit = format!("{dir}/kubelet.service");
            if self.path(&unit).is_file() {
                units.push(unit);
            }
            units.extend(
                self.files_in(&format!("{dir}/kubelet.service.d"), false).into_iter().filter(|f| f.ends_with(".conf")),
            );
        }
        let mut env: HashMap<String, Vec<(String, Location)>> = HashMap::new();
        let mut exec: Option<Vec<(String, Location)>> = None;
        let mut env_files: Vec<String> = Vec::new();
        let mut sources = Vec::new();
        for unit in &units {
            let Some(text) = self.read(unit) else { continue };
            let file = self.display(unit);
            sources.push(file.to_string());
            for (n, line) in text.lines().enumerate() {
                let line_no = n as u32 + 1;
                let trimmed = line.trim_start();
                let indent = (line.len() - trimmed.len()) as u32;
                if let Some(rest) = trimmed.strip_prefix("Environment=") {
                    let column = indent + "Environment=".len() as u32 + 1;
                    for (word, col) in split_words(rest, column) {
                        if let Some((name, value)) = word.split_once('=') {
                            // The value starts after `NAME=` (past an opening quote).
                            let from = (col as usize).saturating_sub(1);
                            let value_col = line
                                .char_indices()
                                .skip_while(|(i, _)| *i < from)
                                .map(|(i, _)| i)
                                .find(|&i| line[i..].starts_with(&format!("{name}=")))
                                .map_or(col, |i| line[..i].chars().count() as u32 + name.len() as u32 + 2);
                            env.insert(name.to_owned(), words_at(&file, line_no, value, value_col));
                        }
                    }
                } else if let Some(rest) = trimmed.strip_prefix("EnvironmentFile=") {
                    env_files.push(rest.trim().trim_start_matches('-').to_owned());
                } else if let Some(rest) = trimmed.strip_prefix("ExecStart=") {
                    let column = indent + "ExecStart=".len() as u32 + 1;
                    let words: Vec<(String, Location)> =
                        split_words(rest, column).into_iter().map(|(w, c)| (w, location(&file, line_no, c))).collect();
                    // An empty ExecStart= resets the command.
                    exec = (!words.is_empty()).then_some(words);
                }
            }
        }
        for default in ["/var/lib/kubelet/kubeadm-flags.env", "/etc/default/kubelet", "/etc/sysconfig/kubelet"] {
            if !env_files.iter().any(|f| f == default) {
                env_files.push(default.to_owned());
            }
        }
        for node_path in env_files {
            let Some(text) = self.read(&node_path) else { continue };
            let file = self.display(&node_path);
            sources.push(file.to_string());
            for (n, line) in text.lines().enumerate() {
                let Some((name, value)) = line.split_once('=') else { continue };
                let name = name.trim().trim_start_matches("export ").trim();
                if name.starts_with('#') || name.is_empty() {
                    continue;
                }
                let mut column = line.find('=').map_or(1, |i| line[..i].chars().count() as u32 + 2);
                let mut value = value.trim_end();
                for q in ['"', '\''] {
                    if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
                        value = inner;
                        column += 1;
                    }
                }
                env.insert(name.to_owned(), words_at(&file, n as u32 + 1, value, column));
            }
        }
        if sources.is_empty() {
            return;
        }
        let (args, anchor) = match exec {
            Some(words) => {
                let anchor = words[0].1.clone();
                let mut args = Vec::new();
                for (word, at) in words.into_iter().skip(1) {
                    match word.strip_prefix('$') {
                        Some(var) => {
                            let var = var.trim_start_matches('{').trim_end_matches('}');
                            args.extend(env.get(var).cloned().unwrap_or_default());
                        }
                        None => args.push((word, at)),
                    }
                }
                (args, anchor)
            }
            None => {
                // No ExecStart seen: kubeadm's order of variables.
                let mut args = Vec::new();
                for var in
                    ["KUBELET_KUBECONFIG_ARGS", "KUBELET_CONFIG_ARGS", "KUBELET_KUBEADM_ARGS", "KUBELET_EXTRA_ARGS"]
                {
                    args.extend(env.get(var).cloned().unwrap_or_default());
                }
                let file: Arc<str> = Arc::from(sources[0].as_str());
                (args, location(&file, 1, 1))
            }
        };
        self.components.insert(
            Kind::Kubelet,
            Component { kind: Kind::Kubelet, sources, flags: Flags::parse(&args), anchor, manifest: None },
        );
    }

    /// `/proc/PID/cmdline` of running components: what actually runs wins
    /// over what the files say (a flag keeps its file location when the
    /// file has the same flag).
    fn read_processes(&mut self) {
        let Ok(entries) = std::fs::read_dir(self.path("/proc")) else { return };
        let mut pids: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        pids.sort_by_key(|p| p.parse::<u64>().unwrap_or(0));
        for pid in pids {
            let node_path = format!("/proc/{pid}/cmdline");
            let Ok(bytes) = std::fs::read(self.path(&node_path)) else { continue };
            let text = String::from_utf8_lossy(&bytes);
            let words: Vec<&str> = text.split('\0').filter(|w| !w.is_empty()).collect();
            let Some(program) = words.first() else { continue };
            let base = program.rsplit('/').next().unwrap_or(program);
            let Some(kind) = Kind::ALL.into_iter().find(|k| k.binary() == base) else { continue };
            let file = self.display(&node_path);
            let known = self.components.get(&kind);
            let args: Vec<(String, Location)> = words[1..]
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let name = w.trim_start_matches('-').split('=').next().unwrap_or("");
                    let from_file = known
                        .and_then(|c| c.flags.get(name))
                        .filter(|f| {
                            format!("--{}={}", f.name, f.value) == *w
                                || f.value == "true" && *w == format!("--{}", f.name)
                        })
                        .map(|f| f.at.clone());
                    (w.to_string(), from_file.unwrap_or_else(|| location(&file, 1, i as u32 + 2)))
                })
                .collect();
            let mut sources = vec![file.to_string()];
            let (anchor, manifest) = match known {
                Some(c) => {
                    sources.extend(c.sources.iter().cloned());
                    (c.anchor.clone(), c.manifest.clone())
                }
                None => (location(&file, 1, 1), None),
            };
            self.components.insert(kind, Component { kind, sources, flags: Flags::parse(&args), anchor, manifest });
        }
    }

    fn read_kubelet_config(&mut self) {
        let flag = self.component(Kind::Kubelet).and_then(|c| c.flags.value("config")).map(str::to_owned);
        let node_path = flag.clone().unwrap_or_else(|| "/var/lib/kubelet/config.yaml".to_owned());
        if flag.is_none() && !self.path(&node_path).exists() {
            return;
        }
        self.kubelet_config_path = Some(node_path.clone());
        if flag.is_some() && !self.path(&node_path).exists() {
            let at = self.component(Kind::Kubelet).and_then(|c| c.flags.get("config")).map(|f| f.at.clone());
            if let Some(at) = at {
                self.diagnostics.push(Diagnostic::warning(
                    &at.file,
                    Pos::new(at.line, at.column),
                    format!("--config names {node_path}, which is not under the root"),
                ));
            }
        }
        self.kubelet_config = self.objects(&node_path).into_iter().find(|o| o.kind == "KubeletConfiguration");
        if self.component(Kind::Kubelet).is_none() {
            let file = self.display(&node_path);
            self.components.insert(
                Kind::Kubelet,
                Component {
                    kind: Kind::Kubelet,
                    sources: vec![file.to_string()],
                    flags: Flags::default(),
                    anchor: location(&file, 1, 1),
                    manifest: None,
                },
            );
        }
    }

    /// The configuration files the API server's flags name.
    fn read_apiserver_files(&mut self) {
        let Some(api) = self.component(Kind::ApiServer) else { return };
        let named: Vec<(String, String, Location)> =
            ["encryption-provider-config", "audit-policy-file", "admission-control-config-file"]
                .iter()
                .filter_map(|flag| api.flags.get(flag).map(|f| (flag.to_string(), f.value.clone(), f.at.clone())))
                .collect();
        for (flag, node_path, at) in named {
            if !self.path(&node_path).is_file() {
                self.diagnostics.push(Diagnostic::warning(
                    &at.file,
                    Pos::new(at.line, at.column),
                    format!("--{flag} names {node_path}, which is not under the root: not checked"),
                ));
                continue;
            }
            for object in self.objects(&node_path) {
                self.config_objects.push((flag.clone(), object));
            }
        }
    }
}

/// The words of an env value, each located at its column in the file.
fn words_at(file: &Arc<str>, line: u32, value: &str, column: u32) -> Vec<(String, Location)> {
    split_words(value, column).into_iter().map(|(w, c)| (w, location(file, line, c))).collect()
}
