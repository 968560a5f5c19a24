//! Command-line flags as the Kubernetes components parse them (Go's `flag`
//! semantics through spf13/pflag): `--name=value`, `--name value`, `-name`,
//! boolean flags that take no separate value, repeated flags (the last wins,
//! except list flags, whose items accumulate), and comma-separated lists.
//! Every flag keeps where it was written.

use kubefort_model::Location;
use std::sync::Arc;

/// One flag occurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    /// Without leading dashes.
    pub name: String,
    pub value: String,
    pub at: Location,
}

/// A component's flags, in the order they were given.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub items: Vec<Flag>,
}

/// Flags that are booleans: `--name` alone means true and the next
/// argument is never taken as their value.
const BOOLEAN: &[&str] = &[
    "allow-privileged",
    "anonymous-auth",
    "auto-tls",
    "client-cert-auth",
    "enable-bootstrap-token-auth",
    "enable-garbage-collector",
    "hairpin-mode-enabled",
    "leader-elect",
    "make-iptables-util-chains",
    "peer-auto-tls",
    "peer-client-cert-auth",
    "profiling",
    "protect-kernel-defaults",
    "rotate-certificates",
    "rotate-server-certificates",
    "seccomp-default",
    "service-account-extend-token-expiration",
    "service-account-lookup",
    "use-service-account-credentials",
    "v",
];

/// Flags whose values are lists: repeating them adds items.
const LISTS: &[&str] = &[
    "authorization-mode",
    "disable-admission-plugins",
    "enable-admission-plugins",
    "feature-gates",
    "service-account-key-file",
    "tls-cipher-suites",
];

impl Flags {
    /// Parses arguments (the program name excluded). Arguments that are not
    /// flags are ignored; `--` ends the flags.
    pub fn parse(args: &[(String, Location)]) -> Flags {
        let mut items = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let (arg, at) = &args[i];
            i += 1;
            if arg == "--" {
                break;
            }
            let Some(body) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else { continue };
            if body.is_empty() || body.starts_with('-') {
                continue;
            }
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n.to_owned(), v.to_owned()),
                None if BOOLEAN.contains(&body) => (body.to_owned(), "true".to_owned()),
                None => match args.get(i) {
                    Some((next, _)) => {
                        i += 1;
                        (body.to_owned(), next.clone())
                    }
                    None => (body.to_owned(), String::new()),
                },
            };
            items.push(Flag { name, value, at: at.clone() });
        }
        Flags { items }
    }

    /// Adds flags that override these (a later source wins).
    pub fn extend(&mut self, other: Flags) {
        self.items.extend(other.items);
    }

    /// The occurrence that takes effect: the last one.
    pub fn get(&self, name: &str) -> Option<&Flag> {
        self.items.iter().rev().find(|f| f.name == name)
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(|f| f.value.as_str())
    }

    /// The items of a list flag: every occurrence split at commas (for a
    /// scalar flag, the last occurrence's), each with where it was written.
    pub fn list(&self, name: &str) -> Vec<(String, &Flag)> {
        let occurrences: Vec<&Flag> = if LISTS.contains(&name) {
            self.items.iter().filter(|f| f.name == name).collect()
        } else {
            self.get(name).into_iter().collect()
        };
        occurrences
            .into_iter()
            .flat_map(|f| f.value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(move |s| (s.to_owned(), f)))
            .collect()
    }
}

/// Splits a shell-like command line (systemd `ExecStart=`, an env file's
/// value) into words, honouring single and double quotes and backslashes.
/// Each word comes with its 1-based column in `line` (`first_column` is the
/// column of `line`'s first character in its file).
pub fn split_words(line: &str, first_column: u32) -> Vec<(String, u32)> {
    let mut words = Vec::new();
    let mut current: Option<(String, u32)> = None;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        let column = first_column + i as u32;
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if let Some(w) = current.take() {
                    words.push(w);
                }
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                current.get_or_insert_with(|| (String::new(), column));
            }
            (Some(q), c) if c == q => quote = None,
            (q, '\\') if q != Some('\'') => {
                let word = current.get_or_insert_with(|| (String::new(), column));
                if let Some((_, next)) = chars.next() {
                    word.0.push(next);
                }
            }
            (_, c) => current.get_or_insert_with(|| (String::new(), column)).0.push(c),
        }
    }
    words.extend(current);
    words
}

/// A location in `file` at `line:column`.
pub fn location(file: &Arc<str>, line: u32, column: u32) -> Location {
    Location { file: file.clone(), line, column, template: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<(String, Location)> {
        let file: Arc<str> = Arc::from("cmd");
        words.iter().enumerate().map(|(i, w)| (w.to_string(), location(&file, 1, i as u32 + 1))).collect()
    }

    #[test]
    fn go_flag_forms() {
        let flags = Flags::parse(&args(&[
            "--anonymous-auth",
            "positional",
            "--token-auth-file",
            "/etc/tokens.csv",
            "-profiling=false",
            "--enable-admission-plugins=NodeRestriction,EventRateLimit",
            "--enable-admission-plugins=AlwaysPullImages",
            "--bind-address=0.0.0.0",
            "--bind-address=127.0.0.1",
            "--",
            "--after=ignored",
        ]));
        assert_eq!(flags.value("anonymous-auth"), Some("true"));
        assert_eq!(flags.value("token-auth-file"), Some("/etc/tokens.csv"));
        assert_eq!(flags.get("token-auth-file").unwrap().at.column, 3);
        assert_eq!(flags.value("profiling"), Some("false"));
        let plugins: Vec<String> = flags.list("enable-admission-plugins").into_iter().map(|(p, _)| p).collect();
        assert_eq!(plugins, ["NodeRestriction", "EventRateLimit", "AlwaysPullImages"]);
        assert_eq!(flags.value("bind-address"), Some("127.0.0.1"), "the last one wins");
        assert_eq!(flags.get("bind-address").unwrap().at.column, 9);
        assert!(flags.get("after").is_none());
    }

    #[test]
    fn trailing_flag_without_value_and_words() {
        let flags = Flags::parse(&args(&["--config"]));
        assert_eq!(flags.value("config"), Some(""));
        let words = split_words(r#"--a=1  "--b=two words" --c='x y' \"q"#, 5);
        assert_eq!(
            words,
            [
                ("--a=1".to_owned(), 5),
                ("--b=two words".to_owned(), 12),
                ("--c=x y".to_owned(), 28),
                ("\"q".to_owned(), 38)
            ]
        );
    }
}
