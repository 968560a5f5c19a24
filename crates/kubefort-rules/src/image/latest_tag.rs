use super::ImageRef;
use kubefort_model::{declare_rule, Context, Node, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags container images with no tag or the `latest` tag (and no digest).
    ///
    /// ## Why is this bad?
    /// `latest` moves: two nodes can run different code under one spec, a
    /// rollback redeploys whatever was pushed last, and a poisoned push to the
    /// tag reaches production on the next pod restart without any review.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: nginx
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: nginx:1.27.2
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/containers/images/#image-names>
    pub struct ImageLatestTag {
        id: "KF-IMG-001",
        name: "image-latest-tag",
        title: "Image uses the latest tag or no tag",
        severity: Medium,
        fix: "Pin the image to a version tag (and preferably a digest)",
        references: [
            "checkov:CKV_K8S_14",
            "kube-linter:latest-tag",
            "polaris:tagNotSpecified",
            "kube-score:container-image-tag",
        ],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    for container in pod.containers() {
        let Some(image) = container.node.get("image").and_then(Node::as_str) else { continue };
        let Some(r) = ImageRef::parse(image) else { continue };
        if r.digest.is_some() {
            continue;
        }
        let problem = match r.tag {
            None => "has no tag (runs `latest`)",
            Some("latest") => "uses the `latest` tag",
            Some(_) => continue,
        };
        sink.report(
            &ImageLatestTag::META,
            container.at("image"),
            format!("{} image `{image}` {problem}", container.describe()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_untagged_and_latest_but_not_pinned() {
        let yaml = r#"
apiVersion: batch/v1
kind: CronJob
metadata: {name: job}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - {name: a, image: nginx}
            - {name: b, image: "registry.local:5000/app:latest"}
            - {name: c, image: nginx:1.27}
            - {name: d, image: "nginx@sha256:0123"}
"#;
        let f = check(&ImageLatestTag, yaml);
        assert_eq!(
            pointers(&f),
            [
                ("/spec/jobTemplate/spec/template/spec/containers/0/image".to_owned(), 11),
                ("/spec/jobTemplate/spec/template/spec/containers/1/image".to_owned(), 12),
            ]
        );
        assert!(f[0].message.contains("has no tag"));
        assert!(f[1].message.contains("`latest`"));
    }
}
