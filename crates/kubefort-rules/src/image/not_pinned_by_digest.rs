use super::ImageRef;
use kubefort_model::{declare_rule, Context, Node, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags container images (of containers, init containers and ephemeral
    /// containers) that are not pinned by a content digest
    /// (`@sha256:` followed by 64 hex digits), or whose digest is malformed.
    ///
    /// ## Why is this bad?
    /// A tag is a movable pointer: whoever can push to the repository (the
    /// vendor, a compromised CI token, a typo-squatter on a mirror) can change
    /// what `app:1.4.2` means, and the next pod start runs it without any
    /// change to the manifest. A digest names the exact bytes that were
    /// reviewed and scanned, and makes rollbacks reproducible. Severity is
    /// low: a fixed version tag already avoids the worst of `latest`
    /// (KF-IMG-001).
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/shop/web:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     # the tag stays for humans; the digest is what the runtime pulls
    ///     image: registry.example.com/shop/web:1.4.2@sha256:4b1f0c…(64 hex digits)
    /// ```
    /// Tools such as Renovate, `crane digest` or `docker buildx imagetools
    /// inspect` resolve and update digests.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/containers/images/#image-names>
    /// - <https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests>
    pub struct ImageNotPinnedByDigest {
        id: "KF-IMG-002",
        name: "image-not-pinned-by-digest",
        title: "Image is not pinned by digest",
        severity: Low,
        fix: "Reference the image by digest: name:tag@sha256:<digest>",
        references: [
            "checkov:CKV_K8S_43",
            "kubescape:C-0306",
        ],
        check: check,
    }
}

/// `sha256:` + 64 lowercase hex digits (or `sha512:` + 128), as the OCI spec
/// registers them.
fn valid_digest(digest: &str) -> bool {
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    match digest.split_once(':') {
        Some(("sha256", h)) => hex(h, 64),
        Some(("sha512", h)) => hex(h, 128),
        _ => false,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    for container in pod.containers() {
        let Some(image) = container.node.get("image").and_then(Node::as_str) else { continue };
        let Some(r) = ImageRef::parse(image) else { continue };
        let problem = match r.digest {
            None => "is not pinned by digest".to_owned(),
            Some(d) if !valid_digest(d) => format!("has a malformed digest `{d}`"),
            Some(_) => continue,
        };
        sink.report(
            &ImageNotPinnedByDigest::META,
            container.at("image"),
            format!("{} image `{image}` {problem}", container.describe()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    const DIGEST: &str = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn flags_tags_and_malformed_digests() {
        let yaml = format!(
            r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db}}
spec:
  template:
    spec:
      initContainers:
        - {{name: init, image: "busybox:1.36"}}
      containers:
        - {{name: pinned, image: "postgres:16@{DIGEST}"}}
        - {{name: short, image: "postgres@sha256:0123"}}
        - {{name: no-image}}
        - {{name: wrong-type, image: 42}}
      ephemeralContainers:
        - {{name: debug, image: "ghcr.io/acme/toolbox:2"}}
"#
        );
        let f = check(&ImageNotPinnedByDigest, &yaml);
        assert_eq!(
            pointers(&f),
            [
                ("/spec/template/spec/initContainers/0/image".to_owned(), 9),
                ("/spec/template/spec/containers/1/image".to_owned(), 12),
                ("/spec/template/spec/ephemeralContainers/0/image".to_owned(), 16),
            ]
        );
        assert_eq!(f[0].message, "init container \"init\" image `busybox:1.36` is not pinned by digest");
        assert!(f[1].message.contains("malformed digest `sha256:0123`"), "{}", f[1].message);
        assert!(f[2].message.starts_with("ephemeral container \"debug\""));
    }

    #[test]
    fn accepts_digests_with_or_without_a_tag() {
        let yaml = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n    - {{name: a, image: \"nginx@{DIGEST}\"}}\n    - {{name: b, image: \"localhost:5000/x:1@{DIGEST}\"}}\n"
        );
        assert!(check(&ImageNotPinnedByDigest, &yaml).is_empty());
        assert!(valid_digest(&format!("sha512:{}", "a".repeat(128))));
        assert!(!valid_digest(&DIGEST.to_uppercase()));
        assert!(!valid_digest("md5:abc"));
    }
}
