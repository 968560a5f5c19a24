//! Heuristics for values under secret-like keys: which keys look secret,
//! which values are placeholders or references, and how random a value is.

use crate::memo::Memo;

/// Words that make a key secret-like (`db_password`, `clientSecret`,
/// `GITHUB_TOKEN`), compared after lower-casing and dropping `_` and `-`.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "credential",
    "privatekey",
    "accesskey",
    "passphrase",
    "authkey",
    "masterkey",
    "signingkey",
    "encryptionkey",
];

/// A key ending in one of these names *something about* a secret (its
/// name, file, length, reference…), not the secret itself.
const NOT_A_VALUE_SUFFIXES: &[&str] = &[
    "name",
    "names",
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "ref",
    "refs",
    "reference",
    "url",
    "uri",
    "endpoint",
    "length",
    "len",
    "size",
    "ttl",
    "timeout",
    "duration",
    "expiry",
    "expiration",
    "expires",
    "expiresin",
    "seconds",
    "secs",
    "days",
    "interval",
    "period",
    "enabled",
    "enable",
    "disabled",
    "type",
    "types",
    "mode",
    "policy",
    "version",
    "hash",
    "hashed",
    "checksum",
    "digest",
    "sha",
    "sha256",
    "count",
    "format",
    "provider",
    "source",
    "store",
    "class",
    "kind",
    "field",
    "header",
    "prefix",
    "location",
    "template",
    "selector",
    "limit",
    "strategy",
    "backend",
    "engine",
    "issuer",
    "audience",
    "audiences",
    "namespace",
    "config",
    "manager",
    "rotation",
    "algorithm",
    "generator",
    "env",
    "var",
    "variable",
    "id_file",
    "required",
    "regex",
    "pattern",
    "help",
    "description",
    "label",
    "mount",
    "volume",
    "keyref",
    "encoding",
    "keyid",
];

/// Whether a key (`DB_PASSWORD`, `spring.datasource.password`,
/// `example.com/api-token`, `--client-secret`) names a secret value.
///
/// Remembered per thread and key ([`crate::memo`]): a scan asks about the
/// same few hundred keys millions of times, and deciding again lower-cases
/// and compacts the key.
pub fn is_secret_key(key: &str) -> bool {
    thread_local! {
        static DECIDED: std::cell::RefCell<Memo<bool, 32>> = std::cell::RefCell::new(Memo::new(256));
    }
    DECIDED.with(|decided| decided.borrow_mut().get(key.as_bytes(), || decide_secret_key(key)))
}

/// [`is_secret_key`] without its memory.
fn decide_secret_key(key: &str) -> bool {
    may_be_secret_key(key) && names_a_secret(key)
}

/// Parts every secret-like key's compact form contains: each of
/// [`SECRET_WORDS`] holds one, as do `pwd` and `pass`.
const SECRET_KEY_PARTS: &[&[u8]] = &[b"pass", b"secret", b"token", b"key", b"credential", b"pwd"];

/// A check without allocation that rejects most keys (`name`, `image`,
/// `app.kubernetes.io/part-of`) before [`names_a_secret`] lower-cases and
/// compacts them: it runs for every string of every scanned object.
fn may_be_secret_key(key: &str) -> bool {
    let last = last_segment(key);
    let mut compact = [0u8; 64];
    let mut len = 0;
    for b in last.bytes().filter(|b| !matches!(b, b'_' | b'-')) {
        if len == compact.len() {
            return true; // too long to check here: the full check decides
        }
        compact[len] = b.to_ascii_lowercase();
        len += 1;
    }
    let compact = &compact[..len];
    SECRET_KEY_PARTS.iter().any(|part| compact.windows(part.len()).any(|w| w == *part))
}

/// The part of a key after its last `/` or `.` (`password` of
/// `spring.datasource.password`), found by bytes: both are ASCII, and a
/// `str` splitter costs more than the rest of the key checks.
fn last_segment(key: &str) -> &str {
    key.as_bytes().iter().rposition(|b| matches!(b, b'/' | b'.')).map_or(key, |i| &key[i + 1..])
}

fn names_a_secret(key: &str) -> bool {
    let last = last_segment(key);
    let last = last.trim_start_matches('-').as_bytes();
    let whole = key.trim_start_matches('-').as_bytes();
    if last.is_empty()
        || starts_with_ignore_case(whole, b"checksum")
        || starts_with_ignore_case(whole, b"vault.hashicorp.com/")
    {
        return false;
    }
    // Lower-cased, without `_` and `-`. This runs for every keyed string of
    // every scanned object, so short keys are compacted on the stack.
    let mut stack = [0u8; 64];
    let heap: Vec<u8>;
    let compact: &[u8] = if last.len() <= stack.len() {
        let mut n = 0;
        for &b in last.iter().filter(|&&b| b != b'_' && b != b'-') {
            stack[n] = b.to_ascii_lowercase();
            n += 1;
        }
        &stack[..n]
    } else {
        heap = last.iter().filter(|&&b| b != b'_' && b != b'-').map(u8::to_ascii_lowercase).collect();
        &heap
    };
    let contains = |word: &str| compact.windows(word.len()).any(|w| w == word.as_bytes());
    let secretish = SECRET_WORDS.iter().any(|w| contains(w))
        || compact.ends_with(b"pwd")
        || compact == b"pass"
        || ends_with_ignore_case(last, b"_pass")
        || ends_with_ignore_case(last, b"-pass");
    secretish && !NOT_A_VALUE_SUFFIXES.iter().any(|s| compact.ends_with(s.as_bytes()))
}

fn starts_with_ignore_case(text: &[u8], prefix: &[u8]) -> bool {
    text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn ends_with_ignore_case(text: &[u8], suffix: &[u8]) -> bool {
    text.len() >= suffix.len() && text[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// Exact values that stand for "no real secret here".
const PLACEHOLDER_VALUES: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "null",
    "none",
    "nil",
    "true",
    "false",
    "yes",
    "no",
    "undefined",
    "empty",
    "default",
    "test",
    "testing",
    "string",
    "value",
    "required",
    "optional",
    "hidden",
    "masked",
    "private",
    "secure",
    "unset",
    "tbd",
    "n/a",
    "na",
    "pass",
    "pwd",
    "admin",
    "root",
    "user",
    "username",
];

/// Fragments that mark a placeholder (`changeme`, `<your-token>`, `xxxx`).
const PLACEHOLDER_FRAGMENTS: &[&str] = &[
    "xxxx",
    "****",
    "....",
    "####",
    "redacted",
    "example",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "placeholder",
    "your_",
    "your-",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "yourkey",
    "replace",
    "insert",
    "dummy",
    "sample",
    "notasecret",
    "not-a-secret",
    "not_a_secret",
    "fixme",
    "todo",
    "secret_here",
    "secret-here",
    "token_here",
    "token-here",
    "password_here",
    "password-here",
    "000000",
    "123456",
    "abcdef",
];

/// Prefixes of references to a secret kept elsewhere (SOPS, Vault, vals,
/// cloud secret managers, files, hashes).
const REFERENCE_PREFIXES: &[&str] = &[
    "enc[",
    "vault:",
    "ref+",
    "arn:",
    "projects/",
    "sha256:",
    "sha1:",
    "sha512:",
    "md5:",
    "file:",
    "env:",
    "azurekeyvault",
    "akv:",
    "op://",
    "doppler:",
    "/",
    "./",
    "../",
    "~/",
    "@/",
    "secretref:",
    "k8s:",
];

/// A value that is a placeholder or a reference, not a secret.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    if v.is_empty() {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if ["${", "$(", "{{", "}}", "<%", "%{", "#{", "%("].iter().any(|m| v.contains(m))
        || v.starts_with('$')
        || (v.contains('<') && v.contains('>'))
        || (v.starts_with('%') && v.ends_with('%') && v.len() > 1)
    {
        return true;
    }
    let first = v.chars().next().unwrap_or(' ');
    if v.chars().all(|c| c == first) {
        return true;
    }
    PLACEHOLDER_VALUES.contains(&lower.as_str())
        || PLACEHOLDER_FRAGMENTS.iter().any(|f| lower.contains(f))
        || REFERENCE_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// Shannon entropy in bits per byte.
pub fn entropy(value: &[u8]) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in value {
        counts[b as usize] += 1;
    }
    let n = value.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / n).map(|p| -p * p.log2()).sum()
}

fn classes(value: &str) -> usize {
    let mut seen = [false; 4];
    for c in value.chars() {
        let i = if c.is_ascii_lowercase() {
            0
        } else if c.is_ascii_uppercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            3
        };
        seen[i] = true;
    }
    seen.iter().filter(|s| **s).count()
}

/// `123e4567-e89b-12d3-a456-426614174000`
pub fn is_uuid(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

/// `my-db-secret`, `db_password`, `DB_PASSWORD`, `config.db.password`:
/// names of things, not random values.
fn is_identifier(v: &str) -> bool {
    let lowercase_words =
        v.split(['-', '_', '.', '/']).all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()));
    let upper_snake = v.bytes().all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
        && v.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && v.contains('_');
    lowercase_words || upper_snake
}

/// Code rather than a literal: `os.environ[...]`, `config.password`, `getToken()`.
fn is_code(v: &str) -> bool {
    if v.contains(['(', ')', '[', ']', '{', '}']) {
        return true;
    }
    let mut parts = v.split('.');
    let dotted = v.contains('.')
        && parts.all(|p| {
            let mut b = p.bytes();
            b.next().is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
                && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        });
    dotted
}

/// Fewer characters than this are never a plausible secret (nor bytes:
/// a character is at least one).
pub const MIN_SECRET_LEN: usize = 8;

/// Whether a value under a secret-like key looks like a real secret:
/// not a placeholder, reference, identifier, number, UUID or code, and
/// random enough. `in_text` applies the extra checks for free text
/// (source code and config files), where the value may be an expression.
pub fn is_plausible_secret(value: &str, in_text: bool) -> bool {
    let v = value.trim();
    let n = v.chars().count();
    if !(MIN_SECRET_LEN..=512).contains(&n) || v.chars().any(char::is_whitespace) {
        return false;
    }
    if is_placeholder(v)
        || is_uuid(v)
        || is_identifier(v)
        || v.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b':')
        || (in_text && is_code(v))
    {
        return false;
    }
    let h = entropy(v.as_bytes());
    if n < 12 {
        h >= 2.5 && classes(v) >= 2
    } else {
        h >= 3.0
    }
}

#[cfg(test)]
mod tests {
    /// The former, allocating `is_secret_key`: the stack version must
    /// agree with it on every key.
    fn is_secret_key_reference(key: &str) -> bool {
        let last = key.rsplit(['/', '.']).next().unwrap_or(key);
        let lower = last.trim_start_matches('-').to_ascii_lowercase();
        let whole = key.trim_start_matches('-').to_ascii_lowercase();
        if lower.is_empty() || whole.starts_with("checksum") || whole.starts_with("vault.hashicorp.com/") {
            return false;
        }
        let compact: String = lower.chars().filter(|c| *c != '_' && *c != '-').collect();
        let secretish = SECRET_WORDS.iter().any(|w| compact.contains(w))
            || compact == "pwd"
            || compact.ends_with("pwd")
            || compact == "pass"
            || lower.ends_with("_pass")
            || lower.ends_with("-pass");
        secretish && !NOT_A_VALUE_SUFFIXES.iter().any(|s| compact.ends_with(s))
    }

    #[test]
    fn is_secret_key_agrees_with_the_allocating_reference() {
        let mut keys: Vec<String> = [
            "DB_PASSWORD",
            "db-pass",
            "DB-PASS",
            "db_PaSs",
            "pass",
            "PWD",
            "mypwd",
            "p_a_s_s_w_o_r_d",
            "--client-secret",
            "-",
            "--",
            "",
            "/",
            "a/",
            "example.com/api-token",
            "spring.datasource.password",
            "Checksum/config",
            "CHECKSUM",
            "VAULT.HASHICORP.COM/agent-inject-secret",
            "vault.hashicorp.com",
            "secretName",
            "SECRET_NAME",
            "tokenTTL",
            "x-api-key",
            "api_KEY",
            "privateKeyRef",
            "Pässwort_token",
            "tökén",
            "ärger-secret",
            "ENCRYPTION_KEY",
            "signing_key_file",
            "masterKey",
            "passphrase",
            "credentials",
            "image",
            "name",
        ]
        .iter()
        .map(|k| (*k).to_owned())
        .collect();
        // Past the 64-byte stack buffer, and right at its edge.
        for n in [62usize, 63, 64, 65, 66, 200] {
            for tail in ["_password", "-secret-name", "pass", "_pass", "é_token"] {
                let mut key = "x".repeat(n.saturating_sub(tail.len()));
                key.push_str(tail);
                keys.push(key.clone());
                keys.push(format!("--{key}"));
                keys.push(format!("-_-{}", key.to_uppercase()));
            }
        }
        for word in SECRET_WORDS.iter().chain(NOT_A_VALUE_SUFFIXES) {
            for key in [
                word.to_string(),
                word.to_uppercase(),
                format!("db_{word}"),
                format!("{word}-{word}"),
                format!("token_{word}"),
            ] {
                keys.push(key);
            }
        }
        let mut secret = 0;
        for key in &keys {
            assert_eq!(is_secret_key(key), is_secret_key_reference(key), "{key:?}");
            secret += usize::from(is_secret_key(key));
        }
        assert!(secret > 20 && secret < keys.len() - 20, "{secret} of {}", keys.len());
    }

    use super::*;

    /// Keys drawn again and again from a pool (short, long, colliding in
    /// their slots, differing in one byte): the remembered decision is
    /// always the key's own.
    #[test]
    fn remembered_decisions_are_each_keys_own() {
        let mut fake = crate::fake::Fake::new(9);
        let mut pool: Vec<String> = Vec::new();
        for _ in 0..600 {
            let word = SECRET_WORDS[fake.below(SECRET_WORDS.len())];
            let other = NOT_A_VALUE_SUFFIXES[fake.below(NOT_A_VALUE_SUFFIXES.len())];
            let key = match fake.below(5) {
                0 => format!("{word}_{other}"),
                1 => {
                    let n = fake.below(4);
                    format!("{other}{}", fake.chars(b"aAsS_-./k", n))
                }
                2 => format!("x.{}{word}", "y".repeat(fake.below(40))),
                3 => {
                    let n = fake.below(12);
                    fake.chars(b"pastokenPASTOKEN_-", n)
                }
                _ => format!("{word}{}", fake.chars(b"ab", 1)),
            };
            pool.push(key);
        }
        pool.extend(["", "a", "pass", "pasS", "Pass", "sapp"].map(str::to_owned));
        let mut secret = 0;
        for _ in 0..20_000 {
            let key = &pool[fake.below(pool.len())];
            assert_eq!(is_secret_key(key), decide_secret_key(key), "{key:?}");
            secret += usize::from(is_secret_key(key));
        }
        assert!(secret > 2_000 && secret < 18_000, "{secret}");
    }

    #[test]
    fn the_prefilter_never_rejects_a_secret_key() {
        let parts = ["pass", "word", "secret", "token", "api", "key", "private", "access", "Auth", "PWD", "id", "name"];
        let seps = ["", "_", "-", ".", "/", "--"];
        let mut accepted = 0;
        for a in parts {
            for s in seps {
                for b in parts {
                    for key in
                        [format!("{a}{s}{b}"), format!("{s}{a}{s}{b}"), format!("x{s}{}{s}{b}", a.to_uppercase())]
                    {
                        if names_a_secret(&key) {
                            accepted += 1;
                            assert!(may_be_secret_key(&key), "{key}");
                        }
                    }
                }
            }
        }
        assert!(accepted > 100, "{accepted}");
        assert!(!may_be_secret_key("app.kubernetes.io/part-of"));
        assert!(!may_be_secret_key("image"));
        assert!(may_be_secret_key("DB_PASS_WORD"));
    }

    #[test]
    fn secret_keys() {
        for k in [
            "password",
            "DB_PASSWORD",
            "clientSecret",
            "GITHUB_TOKEN",
            "api-key",
            "spring.datasource.password",
            "example.com/api-token",
            "--client-secret",
            "MYSQL_ROOT_PASSWORD",
            "db_pass",
            "aws_secret_access_key",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in [
            "secretName",
            "passwordFile",
            "POSTGRES_PASSWORD_FILE",
            "tokenPath",
            "secretKeyRef",
            "checksum/secret",
            "token_ttl",
            "username",
            "image",
            "expirationSeconds",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
        assert!(is_secret_key("secret"));
        assert!(!is_secret_key("tokenExpirationSeconds"));
    }

    #[test]
    fn placeholders_and_randomness() {
        for v in [
            "changeme",
            "${DB_PASSWORD}",
            "$(TOKEN)",
            "<password>",
            "{{ .Values.password }}",
            "xxxxxxxx",
            "REDACTED",
            "my-example-key",
            "",
            "ENC[AES256_GCM,data:abc]",
            "/run/secrets/db",
            "********",
        ] {
            assert!(is_placeholder(v), "{v}");
            assert!(!is_plausible_secret(v, false), "{v}");
        }
        for v in ["my-app-secret", "DB_PASSWORD", "550e8400-e29b-41d4-a716-446655440000", "12345678901", "hello"] {
            assert!(!is_plausible_secret(v, false), "{v}");
        }
        assert!(is_plausible_secret("Tr0ub4dor&3x", false));
        assert!(is_plausible_secret("q8Zp2LmX9vR4tY7w", false));
        assert!(!is_plausible_secret("os.environ", true));
        assert!(!is_plausible_secret("getenv(\"X\")", true));
    }
}
