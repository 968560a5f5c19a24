//! JSON values as the text to insert: YAML block or flow style, or JSON.

use serde_json::Value;

/// A YAML scalar: plain when it reads back as the same string, otherwise
/// double-quoted (JSON escaping is valid YAML).
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let plain = !s.is_empty()
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
                && s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && !matches!(
                    s.to_ascii_lowercase().as_str(),
                    "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
                );
            if plain {
                s.clone()
            } else {
                value.to_string()
            }
        }
        other => other.to_string(),
    }
}

/// Flow style: `{drop: [ALL]}`.
pub fn flow(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let entries: Vec<String> = map.iter().map(|(k, v)| format!("{}: {}", key(k), flow(v))).collect();
            format!("{{{}}}", entries.join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        other => scalar(other),
    }
}

fn key(k: &str) -> String {
    scalar(&Value::String(k.to_owned()))
}

/// Block style at `indent` spaces, one line per scalar entry; lists stay in
/// flow style (`drop: [ALL]`), which reads the same in either indentation
/// style of the surrounding file. Every line ends with `newline`.
pub fn block_entry(k: &str, value: &Value, indent: usize, step: usize, newline: &str) -> String {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut out = format!("{pad}{}:{newline}", key(k));
            for (k, v) in map {
                out.push_str(&block_entry(k, v, indent + step, step, newline));
            }
            out
        }
        other => format!("{pad}{}: {}{newline}", key(k), flow(other)),
    }
}

/// A JSON member on one line, spaced like a pretty-printed file:
/// `"capabilities": {"drop": ["ALL"]}`.
pub fn json_entry(k: &str, value: &Value) -> String {
    format!("{}: {}", Value::String(k.to_owned()), json(value))
}

/// A JSON value on one line with `, ` and `: ` separators.
pub fn json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let entries: Vec<String> = map.iter().map(|(k, v)| json_entry(k, v)).collect();
            format!("{{{}}}", entries.join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(json).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_block_flow_and_json() {
        let v = json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}});
        assert_eq!(
            block_entry("securityContext", &v, 4, 2, "\n"),
            "    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [ALL]\n"
        );
        assert_eq!(flow(&v), "{allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}");
        assert_eq!(
            json_entry("seccompProfile", &json!({"type": "RuntimeDefault"})),
            r#""seccompProfile": {"type": "RuntimeDefault"}"#
        );
        assert_eq!(flow(&json!(["true", "a b", "", "1x", 10001])), r#"["true", "a b", "", "1x", 10001]"#);
    }
}
