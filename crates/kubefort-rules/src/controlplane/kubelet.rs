//! Kubelet settings that CIS and kubefort check, each readable from a flag
//! or from a `KubeletConfiguration` field. Shared by the KF-NODE-00x rules
//! (a KubeletConfiguration in a repository) and `kubefort node` (where a
//! flag overrides the config file, as the kubelet does).
//!
//! Defaults differ: a `KubeletConfiguration` (`v1beta1`) defaults to the safe
//! values, a kubelet started with flags only defaults to the old unsafe ones.

use kubefort_model::{Node, Object};

/// Whether an object is a `KubeletConfiguration`.
pub fn is_kubelet_config(object: &Object) -> bool {
    object.kind == "KubeletConfiguration" && object.group() == "kubelet.config.k8s.io"
}

/// One setting: its config field, its flag, and its defaults.
#[derive(Debug)]
pub struct Setting {
    /// JSON pointer into a `KubeletConfiguration`.
    pub pointer: &'static str,
    /// Flag name without dashes.
    pub flag: &'static str,
    /// Default when a config file is used and does not set the field.
    pub config_default: &'static str,
    /// Default when the kubelet runs without a config file.
    pub flag_default: &'static str,
    /// The problem with a value, if any.
    pub problem: fn(&str) -> Option<String>,
    /// A zero duration in a config file means "use the default" (the
    /// kubelet's defaulting replaces it): only a flag can set zero.
    pub zero_is_default: bool,
}

/// Go's strconv.ParseBool.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Whether a Go duration (`0`, `0s`, `4h0m0s`, `5m`) is zero.
pub fn duration_is_zero(s: &str) -> bool {
    let s = s.trim().trim_start_matches(['+', '-']);
    !s.is_empty() && s.chars().all(|c| c == '0' || c == '.' || c.is_ascii_alphabetic() && "hmsuµn".contains(c))
}

pub const ANONYMOUS_AUTH: Setting = Setting {
    pointer: "/authentication/anonymous/enabled",
    flag: "anonymous-auth",
    config_default: "false",
    flag_default: "true",
    problem: |v| (parse_bool(v) != Some(false)).then(|| "anonymous requests to the kubelet API are allowed".into()),
    zero_is_default: false,
};

pub const AUTHORIZATION_MODE: Setting = Setting {
    pointer: "/authorization/mode",
    flag: "authorization-mode",
    config_default: "Webhook",
    flag_default: "AlwaysAllow",
    problem: |v| {
        (v != "Webhook")
            .then(|| format!("authorization mode is {v}: every authenticated request to the kubelet API is allowed"))
    },
    zero_is_default: false,
};

pub const READ_ONLY_PORT: Setting = Setting {
    pointer: "/readOnlyPort",
    flag: "read-only-port",
    config_default: "0",
    flag_default: "10255",
    problem: |v| {
        (v.trim() != "0").then(|| format!("the unauthenticated read-only port {v} is open: anyone on the network lists pods and their environment"))
    },
    zero_is_default: false,
};

pub const PROTECT_KERNEL_DEFAULTS: Setting = Setting {
    pointer: "/protectKernelDefaults",
    flag: "protect-kernel-defaults",
    config_default: "false",
    flag_default: "false",
    problem: |v| {
        (parse_bool(v) != Some(true)).then(|| {
            "protectKernelDefaults is off: the kubelet silently rewrites kernel settings it disagrees with".into()
        })
    },
    zero_is_default: false,
};

pub const ROTATE_CERTIFICATES: Setting = Setting {
    pointer: "/rotateCertificates",
    flag: "rotate-certificates",
    config_default: "false",
    flag_default: "false",
    problem: |v| {
        (parse_bool(v) != Some(true))
            .then(|| "client certificate rotation is off: the kubelet's credential expires or lives for ever".into())
    },
    zero_is_default: false,
};

pub const STREAMING_TIMEOUT: Setting = Setting {
    pointer: "/streamingConnectionIdleTimeout",
    flag: "streaming-connection-idle-timeout",
    config_default: "4h0m0s",
    flag_default: "4h0m0s",
    problem: |v| {
        duration_is_zero(v).then(|| "streaming idle timeout is 0: exec and port-forward sessions never time out".into())
    },
    zero_is_default: true,
};

pub const MAKE_IPTABLES_UTIL_CHAINS: Setting = Setting {
    pointer: "/makeIPTablesUtilChains",
    flag: "make-iptables-util-chains",
    config_default: "true",
    flag_default: "true",
    problem: |v| (parse_bool(v) == Some(false)).then(|| "the kubelet does not manage its iptables chains".into()),
    zero_is_default: false,
};

/// A setting's value in a config file: the field as written, or the default.
/// Returns the value and whether the field was set.
pub fn config_value(root: &Node, setting: &Setting) -> (String, bool) {
    match root.pointer(setting.pointer).and_then(Node::scalar_text) {
        Some(v) if !(v.is_empty() || setting.zero_is_default && duration_is_zero(&v)) => (v, true),
        _ => (setting.config_default.to_owned(), false),
    }
}

/// The problem of a setting in a config file (no flags), with its message.
pub fn config_problem(root: &Node, setting: &Setting) -> Option<String> {
    let (value, set) = config_value(root, setting);
    (setting.problem)(&value).map(|m| if set { m } else { format!("{m} (unset: the default is {value})") })
}
