//! RFC 6901 JSON pointers, the address every finding carries.

use std::borrow::Cow;

/// Escapes one reference token (`~` → `~0`, `/` → `~1`).
pub fn escape_token(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

/// Unescapes one reference token (`~1` → `/`, `~0` → `~`).
pub fn unescape_token(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// `pointer_join("/spec", "securityContext")` → `/spec/securityContext`.
pub fn pointer_join(base: &str, token: impl std::fmt::Display) -> String {
    let token = token.to_string();
    format!("{base}/{}", escape_token(&token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
        assert_eq!(unescape_token("a~1b~0c"), "a/b~c");
        assert_eq!(
            pointer_join("/metadata/annotations", "kubefort.io/ignore"),
            "/metadata/annotations/kubefort.io~1ignore"
        );
    }
}
