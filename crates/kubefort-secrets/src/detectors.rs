//! The detector table: what each secret format looks like, its anchors,
//! and the checks that tell it from a look-alike.

use crate::generic;
use crate::Detector;
use std::ops::Range;

macro_rules! detector {
    ($name:ident, $id:literal, $title:literal, $rank:literal) => {
        pub static $name: Detector = Detector { id: $id, title: $title, known_format: true, rank: $rank };
    };
}

detector!(AWS_ACCESS_KEY_ID, "aws-access-key-id", "AWS access key id", 5);
detector!(AWS_SECRET_ACCESS_KEY, "aws-secret-access-key", "AWS secret access key", 5);
detector!(GCP_SERVICE_ACCOUNT_KEY, "gcp-service-account-key", "GCP service-account key", 1);
detector!(AZURE_CONNECTION_STRING, "azure-connection-string", "Azure connection string with an account key", 3);
detector!(AZURE_STORAGE_KEY, "azure-storage-key", "Azure storage account key", 6);
detector!(GITHUB_TOKEN, "github-token", "GitHub token", 5);
detector!(GITLAB_TOKEN, "gitlab-token", "GitLab token", 5);
detector!(SLACK_TOKEN, "slack-token", "Slack token", 5);
detector!(SLACK_WEBHOOK, "slack-webhook", "Slack webhook URL", 5);
detector!(STRIPE_KEY, "stripe-secret-key", "Stripe secret key", 5);
detector!(TWILIO_API_KEY, "twilio-api-key", "Twilio API key", 5);
detector!(SENDGRID_API_KEY, "sendgrid-api-key", "SendGrid API key", 5);
detector!(NPM_TOKEN, "npm-token", "npm access token", 5);
detector!(PYPI_TOKEN, "pypi-token", "PyPI upload token", 5);
detector!(PRIVATE_KEY, "private-key", "Private key", 7);
detector!(JWT, "jwt", "JSON Web Token", 6);
detector!(KUBERNETES_SA_TOKEN, "kubernetes-service-account-token", "Kubernetes service-account token", 4);
detector!(DOCKER_CONFIG_AUTH, "docker-config-auth", "Docker registry credentials (.dockerconfigjson auth)", 5);
detector!(URL_CREDENTIALS, "url-credentials", "Password in a URL", 8);
pub static GENERIC: Detector = Detector {
    id: "generic-secret",
    title: "Random-looking value under a secret-like key",
    known_format: false,
    rank: 20,
};

/// Every detector, for catalogs and docs.
pub static DETECTORS: &[&Detector] = &[
    &AWS_ACCESS_KEY_ID,
    &AWS_SECRET_ACCESS_KEY,
    &GCP_SERVICE_ACCOUNT_KEY,
    &AZURE_CONNECTION_STRING,
    &AZURE_STORAGE_KEY,
    &GITHUB_TOKEN,
    &GITLAB_TOKEN,
    &SLACK_TOKEN,
    &SLACK_WEBHOOK,
    &STRIPE_KEY,
    &TWILIO_API_KEY,
    &SENDGRID_API_KEY,
    &NPM_TOKEN,
    &PYPI_TOKEN,
    &PRIVATE_KEY,
    &JWT,
    &KUBERNETES_SA_TOKEN,
    &DOCKER_CONFIG_AUTH,
    &URL_CREDENTIALS,
    &GENERIC,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The anchor starts the secret; the regex (`\A…`) runs on at most
    /// `max_len` bytes from it, and the byte before must not be a word byte.
    Prefix { max_len: usize },
    /// The regex runs over the anchor's line; `group` is the secret.
    Line,
    /// `key = value` (and its YAML, JSON, XML and flag forms) around the
    /// anchor, parsed by hand; the key must be secret-like and the value
    /// must look random.
    Generic,
    /// `-----BEGIN … PRIVATE KEY-----` up to its END line.
    Pem,
    /// The `private_key` of a `"type": "service_account"` JSON document.
    GcpKey,
}

pub struct Pattern {
    pub detector: &'static Detector,
    pub anchors: &'static [&'static str],
    pub case_insensitive: bool,
    pub kind: Kind,
    regex: &'static str,
    pub group: usize,
    /// Final say on a candidate value: the detector to report it as, or
    /// `None` for a look-alike.
    pub validate: fn(&'static Detector, &[u8]) -> Option<&'static Detector>,
}

impl Pattern {
    pub fn regex(&self) -> Option<&'static str> {
        (!self.regex.is_empty()).then_some(self.regex)
    }

    /// A length no text holding this pattern's match is shorter than: its
    /// shortest anchor, and for a regex its shortest match (the text holds
    /// the whole match), for a `key = value` the key's anchor, one separator
    /// byte and the shortest plausible value.
    pub fn shortest_text(&self) -> usize {
        let anchor = self.anchors.iter().map(|a| a.len()).min().unwrap_or(0);
        let regex = self.hir().map_or(0, |hir| hir.properties().minimum_len().unwrap_or(usize::MAX));
        let body = match self.kind {
            Kind::Generic => anchor + 1 + generic::MIN_SECRET_LEN,
            Kind::Prefix { .. } | Kind::Line | Kind::Pem | Kind::GcpKey => anchor,
        };
        body.max(regex)
    }

    /// Bytes every match of the regex holds (`:`, `/` and `@` of a URL with
    /// a password), sorted: a text missing one holds no match, which a
    /// `memchr` per byte tells far faster than the regex.
    pub fn required_bytes(&self) -> Vec<u8> {
        self.hir().map_or_else(Vec::new, |hir| required_bytes(&hir))
    }

    fn hir(&self) -> Option<regex_syntax::hir::Hir> {
        let parse = |r| regex_syntax::ParserBuilder::new().utf8(false).build().parse(r).expect("detector regex parses");
        self.regex().map(parse)
    }
}

/// The bytes every match of `hir` holds: those of its literals and
/// one-byte classes, through concatenations, captures and repetitions of
/// at least one, and those common to every branch of an alternation.
fn required_bytes(hir: &regex_syntax::hir::Hir) -> Vec<u8> {
    use regex_syntax::hir::{Class, HirKind};
    let mut bytes = match hir.kind() {
        HirKind::Literal(literal) => literal.0.to_vec(),
        HirKind::Class(Class::Bytes(class)) => match class.ranges() {
            [range] if range.start() == range.end() => vec![range.start()],
            _ => Vec::new(),
        },
        HirKind::Class(Class::Unicode(class)) => match class.ranges() {
            [range] if range.start() == range.end() => u8::try_from(range.start()).into_iter().collect(),
            _ => Vec::new(),
        },
        HirKind::Capture(capture) => required_bytes(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min > 0 => required_bytes(&repetition.sub),
        HirKind::Concat(subs) => subs.iter().flat_map(required_bytes).collect(),
        HirKind::Alternation(subs) => {
            let mut branches = subs.iter().map(required_bytes);
            let first = branches.next().unwrap_or_default();
            branches.fold(first, |common, branch| common.into_iter().filter(|b| branch.contains(b)).collect())
        }
        _ => Vec::new(),
    };
    bytes.sort_unstable();
    bytes.dedup();
    bytes
}

fn accept(d: &'static Detector, _: &[u8]) -> Option<&'static Detector> {
    Some(d)
}

/// Rejects the documented example keys (`AKIAIOSFODNN7EXAMPLE`).
fn not_example(d: &'static Detector, v: &[u8]) -> Option<&'static Detector> {
    (!v.windows(7).any(|w| w == b"EXAMPLE")).then_some(d)
}

fn not_placeholder(d: &'static Detector, v: &[u8]) -> Option<&'static Detector> {
    let v = std::str::from_utf8(v).ok()?;
    (v.chars().count() >= 3 && !generic::is_placeholder(v)).then_some(d)
}

fn random_token(d: &'static Detector, v: &[u8]) -> Option<&'static Detector> {
    let s = std::str::from_utf8(v).ok()?;
    (!generic::is_placeholder(s) && generic::entropy(v) >= 3.0).then_some(d)
}

fn random_not_example(d: &'static Detector, v: &[u8]) -> Option<&'static Detector> {
    not_example(d, v).and_then(|d| random_token(d, v))
}

/// A JWT whose header is JSON with `alg`; named a Kubernetes
/// service-account token when its issuer is the cluster's.
fn jwt(d: &'static Detector, v: &[u8]) -> Option<&'static Detector> {
    let mut parts = v.split(|b| *b == b'.');
    let header: serde_json::Value = serde_json::from_slice(&crate::decode_base64(parts.next()?)?).ok()?;
    header.get("alg")?;
    let payload =
        parts.next().and_then(crate::decode_base64).and_then(|p| serde_json::from_slice::<serde_json::Value>(&p).ok());
    let issuer = payload.as_ref().and_then(|p| p.get("iss")).and_then(|i| i.as_str()).unwrap_or("");
    if issuer == "kubernetes/serviceaccount" || issuer.starts_with("https://kubernetes.default.svc") {
        Some(&KUBERNETES_SA_TOKEN)
    } else {
        Some(d)
    }
}

/// `"auth": base64("user:password")` with a real password.
fn docker_auth(d: &'static Detector, v: &[u8]) -> Option<&'static Detector> {
    let decoded = String::from_utf8(crate::decode_base64(v)?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    (!user.is_empty() && !password.is_empty() && !generic::is_placeholder(password)).then_some(d)
}

macro_rules! prefix {
    ($d:expr, [$($a:literal),*], $max:literal, $re:literal, $v:expr) => {
        Pattern { detector: &$d, anchors: &[$($a),*], case_insensitive: false, kind: Kind::Prefix { max_len: $max }, regex: $re, group: 0, validate: $v }
    };
}

const GENERIC_ANCHORS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "private_key",
    "privatekey",
    "private-key",
    "access_key",
    "accesskey",
    "access-key",
    "passphrase",
    "auth_key",
    "authkey",
    "_pass",
    "-pass",
];

pub static PATTERNS: &[Pattern] = &[
    prefix!(
        AWS_ACCESS_KEY_ID,
        ["AKIA", "ASIA", "ABIA", "ACCA"],
        21,
        r"(?-u)\A(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
        random_not_example
    ),
    prefix!(
        GITHUB_TOKEN,
        ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        260,
        r"(?-u)\Agh[pousr]_[A-Za-z0-9]{36,255}\b",
        random_token
    ),
    prefix!(GITHUB_TOKEN, ["github_pat_"], 100, r"(?-u)\Agithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b", random_token),
    prefix!(
        GITLAB_TOKEN,
        ["glpat-", "glptt-", "gldt-", "glrt-", "glsoat-", "glcbt-", "glffct-"],
        120,
        r"(?-u)\Agl(?:pat|ptt|dt|rt|soat|cbt|ffct)-[0-9A-Za-z_\-]{20,100}",
        random_token
    ),
    prefix!(GITLAB_TOKEN, ["GR1348941"], 40, r"(?-u)\AGR1348941[0-9A-Za-z_\-]{20}\b", accept),
    prefix!(
        SLACK_TOKEN,
        ["xoxb-", "xoxa-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe-", "xoxe."],
        260,
        r"(?-u)\Axox(?:[abposr]|e\.xox[bp]|e)-[0-9A-Za-z\-]{10,250}",
        random_token
    ),
    prefix!(SLACK_TOKEN, ["xapp-"], 200, r"(?-u)\Axapp-\d-[A-Z0-9]+-\d+-[a-z0-9]{32,}", accept),
    prefix!(
        SLACK_WEBHOOK,
        ["hooks.slack.com/"],
        200,
        r"(?-u)\Ahooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{30,}",
        random_token
    ),
    prefix!(
        STRIPE_KEY,
        ["sk_live_", "sk_test_", "rk_live_", "rk_test_"],
        260,
        r"(?-u)\A[sr]k_(?:live|test)_[0-9a-zA-Z]{20,247}\b",
        random_token
    ),
    prefix!(TWILIO_API_KEY, ["SK"], 35, r"(?-u)\ASK[0-9a-fA-F]{32}\b", random_token),
    prefix!(SENDGRID_API_KEY, ["SG."], 70, r"(?-u)\ASG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}", random_token),
    prefix!(NPM_TOKEN, ["npm_"], 41, r"(?-u)\Anpm_[A-Za-z0-9]{36}\b", random_token),
    prefix!(
        PYPI_TOKEN,
        ["pypi-AgEIcHlwaS5vcmc", "pypi-AgENdGVzdC5weXBpLm9yZw"],
        400,
        r"(?-u)\Apypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,}",
        accept
    ),
    prefix!(JWT, ["eyJ"], 8192, r"(?-u)\AeyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,}", jwt),
    Pattern {
        detector: &PRIVATE_KEY,
        anchors: &["-----BEGIN"],
        case_insensitive: false,
        kind: Kind::Pem,
        regex: "",
        group: 0,
        validate: accept,
    },
    Pattern {
        detector: &GCP_SERVICE_ACCOUNT_KEY,
        anchors: &["service_account"],
        case_insensitive: false,
        kind: Kind::GcpKey,
        regex: "",
        group: 0,
        validate: accept,
    },
    Pattern {
        detector: &AZURE_CONNECTION_STRING,
        anchors: &["AccountKey="],
        case_insensitive: false,
        kind: Kind::Line,
        regex: r"(?-u)AccountName=[^;\s]+;AccountKey=([A-Za-z0-9+/]{86}==)",
        group: 1,
        validate: accept,
    },
    Pattern {
        detector: &AZURE_CONNECTION_STRING,
        anchors: &["SharedAccessKey="],
        case_insensitive: false,
        kind: Kind::Line,
        regex: r"(?-u)SharedAccessKeyName=[^;\s]+;SharedAccessKey=([A-Za-z0-9+/]{43}=)",
        group: 1,
        validate: accept,
    },
    Pattern {
        detector: &AZURE_STORAGE_KEY,
        anchors: &["accountkey", "account_key", "storagekey", "storage_key"],
        case_insensitive: true,
        kind: Kind::Line,
        regex: r#"(?i-u)(?:account|storage)_?key["']?\s*[:=]\s*["']?([A-Za-z0-9+/]{86}==)"#,
        group: 1,
        validate: accept,
    },
    Pattern {
        detector: &AWS_SECRET_ACCESS_KEY,
        anchors: &["secret_access_key", "secretaccesskey", "aws_secret", "awssecret"],
        case_insensitive: true,
        kind: Kind::Line,
        regex: r#"(?i-u)(?:secret_?access_?key|aws_?secret_?key)["']?\s*(?::=|=>|=|:)\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        group: 1,
        validate: not_example,
    },
    Pattern {
        detector: &DOCKER_CONFIG_AUTH,
        anchors: &["\"auth\""],
        case_insensitive: false,
        kind: Kind::Line,
        regex: r#"(?-u)"auth"\s*:\s*"([A-Za-z0-9+/]{6,}={0,2})""#,
        group: 1,
        validate: docker_auth,
    },
    Pattern {
        detector: &NPM_TOKEN,
        anchors: &["_authToken"],
        case_insensitive: false,
        kind: Kind::Line,
        regex: r"(?-u)_authToken\s*=\s*([^\s]+)",
        group: 1,
        validate: not_placeholder,
    },
    Pattern {
        detector: &URL_CREDENTIALS,
        anchors: &["://"],
        case_insensitive: false,
        kind: Kind::Line,
        regex: r#"(?i-u)\b[a-z][a-z0-9+.\-]{1,30}://[^\s:/@"'<>]{1,128}:([^\s/@"'<>]{1,256})@[a-z0-9\[]"#,
        group: 1,
        validate: not_placeholder,
    },
    Pattern {
        detector: &GENERIC,
        anchors: GENERIC_ANCHORS,
        case_insensitive: true,
        kind: Kind::Generic,
        regex: "",
        group: 0,
        validate: accept,
    },
];

/// The range of a PEM private-key block starting at `at` (`-----BEGIN`),
/// through its END line; `None` for public keys, certificates, and
/// blocks too short to hold a key (documentation snippets).
pub fn pem_block(text: &[u8], at: usize) -> Option<Range<usize>> {
    let head_end = (at + 80).min(text.len());
    let head = &text[at..head_end];
    let close = memchr::memmem::find(&head[10..], b"-----")? + 10;
    // `-----BEGIN-----` has no label (and no room for the space before one).
    let label = head.get(11..close)?;
    if !label.ends_with(b"PRIVATE KEY") && !label.ends_with(b"PRIVATE KEY BLOCK") {
        return None;
    }
    let body_start = at + close + 5;
    let limit = (body_start + 65536).min(text.len());
    let end_marker = memchr::memmem::find(&text[body_start..limit], b"-----END");
    let (body_end, block_end) = match end_marker {
        Some(i) => {
            let end_at = body_start + i;
            let tail = (end_at + 80).min(text.len());
            let after = memchr::memmem::find(&text[end_at + 8..tail], b"-----").map_or(tail, |j| end_at + 8 + j + 5);
            (end_at, after)
        }
        None => {
            let stop = text[body_start..limit]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || b"+/=\\\r\n\t :-".contains(b)))
                .map_or(limit, |i| body_start + i);
            (stop, stop)
        }
    };
    let body = &text[body_start..body_end];
    let b64 = body.iter().filter(|b| b.is_ascii_alphanumeric() || **b == b'+' || **b == b'/').count();
    let needed = if end_marker.is_some() { 64 } else { 200 };
    (b64 >= needed && !body.windows(3).any(|w| w == b"...")).then_some(at..block_end)
}

/// The `private_key` value of a GCP service-account key file whose
/// `"type": "service_account"` anchor is at `at`.
pub fn gcp_private_key(text: &[u8], at: usize) -> Option<Range<usize>> {
    let before = &text[at.saturating_sub(40)..at];
    let trimmed = before.strip_suffix(b"\"")?;
    let colon = trimmed.iter().rposition(|b| !b.is_ascii_whitespace())?;
    if trimmed[colon] != b':' {
        return None;
    }
    let lo = at.saturating_sub(16384);
    let hi = (at + 16384).min(text.len());
    let window = &text[lo..hi];
    let key_at = memchr::memmem::find(window, b"\"private_key\"")?;
    let rest = &window[key_at + 13..];
    let quote = rest.iter().position(|b| *b == b'"')?;
    if !rest[..quote].iter().all(|b| b.is_ascii_whitespace() || *b == b':') {
        return None;
    }
    let value_start = key_at + 13 + quote + 1;
    let len = window[value_start..].iter().position(|b| *b == b'"')?;
    let value = &window[value_start..value_start + len];
    let ok = value.starts_with(b"-----BEGIN") && memchr::memmem::find(value, b"PRIVATE KEY").is_some() && len > 100;
    ok.then(|| lo + value_start..lo + value_start + len)
}
