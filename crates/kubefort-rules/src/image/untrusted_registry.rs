use super::ImageRef;
use kubefort_model::{declare_rule, Context, Node, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// When `.kubefort.yaml` lists `trustedRegistries`, flags container images
    /// (of every container kind) that do not come from one of them. An entry
    /// is a registry host, optionally followed by a repository path:
    /// `registry.example.com` trusts everything on that host, `ghcr.io/acme`
    /// trusts `ghcr.io/acme/*` (but not `ghcr.io/acme-labs/*`), and
    /// `*.example.com` trusts every host under that domain. Images written
    /// without a registry (`nginx`, `bitnami/redis`) come from `docker.io`;
    /// official images are `docker.io/library/<name>`. With no
    /// `trustedRegistries` configured the rule is off.
    ///
    /// ## Why is this bad?
    /// Images from outside the organisation's registries bypass its controls:
    /// vulnerability scanning, signing, license review and the guarantee that
    /// the image is still there tomorrow. Public registries host
    /// typo-squatted and backdoored images, and a pull from them at pod start
    /// lets whoever controls that repository run code in the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// # .kubefort.yaml
    /// trustedRegistries: [registry.example.com/shop]
    /// ---
    /// containers:
    ///   - name: cache
    ///     image: redis:7.4
    /// ```
    ///
    /// ## Use instead
    /// Mirror the image into a trusted registry (after scanning it) and use
    /// the mirror:
    /// ```yaml
    /// containers:
    ///   - name: cache
    ///     image: registry.example.com/shop/redis:7.4
    /// ```
    /// Enforce the same list at admission time (kubefort's admission webhook,
    /// or a policy engine) so the cluster rejects what CI would flag.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/hardening-guide/#image-provenance>
    /// - <https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#imagepolicywebhook>
    pub struct UntrustedRegistry {
        id: "KF-IMG-003",
        name: "untrusted-registry",
        title: "Image comes from a registry that is not trusted",
        severity: High,
        fix: "Pull the image from a registry listed in trustedRegistries (mirror it there first)",
        references: [
            "kubescape:C-0078",
        ],
        check: check,
    }
}

/// Docker Hub answers under several names; all mean `docker.io`.
fn canonical_host(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => "docker.io".to_owned(),
        _ => host,
    }
}

/// A `trustedRegistries` entry as written by users (`https://` prefix,
/// trailing `/` or `/*` tolerated), split into host and path prefix.
fn normalise_entry(entry: &str) -> Option<(String, String)> {
    let entry = entry.trim();
    let entry = entry.strip_prefix("https://").or_else(|| entry.strip_prefix("http://")).unwrap_or(entry);
    let entry = entry.trim_end_matches("/*").trim_end_matches('/');
    if entry.is_empty() {
        return None;
    }
    let (host, path) = entry.split_once('/').unwrap_or((entry, ""));
    Some((canonical_host(host), path.to_owned()))
}

/// `host/repository` of an image with Docker Hub's aliases resolved
/// (`index.docker.io/nginx` is `docker.io/library/nginx`).
fn canonical_name(image: &ImageRef<'_>) -> (String, String) {
    let host = canonical_host(image.registry);
    let repository = if host == "docker.io" && !image.repository.contains('/') {
        format!("library/{}", image.repository)
    } else {
        image.repository.clone()
    };
    (host, repository)
}

/// Whether an image is under a trusted entry.
fn trusted(image: &ImageRef<'_>, entries: &[(String, String)]) -> bool {
    let (host, repository) = canonical_name(image);
    entries.iter().any(|(entry_host, path)| {
        let host_ok = match entry_host.strip_prefix("*.") {
            Some(domain) => host.strip_suffix(domain).is_some_and(|sub| sub.ends_with('.') && sub.len() > 1),
            None => host == *entry_host,
        };
        host_ok
            && (path.is_empty()
                || repository == *path
                || repository.strip_prefix(path.as_str()).is_some_and(|rest| rest.starts_with('/')))
    })
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let entries: Vec<_> = cx.settings.trusted_registries.iter().filter_map(|e| normalise_entry(e)).collect();
    if entries.is_empty() {
        return;
    }
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    for container in pod.containers() {
        let Some(image) = container.node.get("image").and_then(Node::as_str) else { continue };
        let Some(r) = ImageRef::parse(image) else { continue };
        if trusted(&r, &entries) {
            continue;
        }
        let (host, repository) = canonical_name(&r);
        sink.report(
            &UntrustedRegistry::META,
            container.at("image"),
            format!(
                "{} image `{image}` comes from `{}/{}`, which is not under a trusted registry ({})",
                container.describe(),
                host,
                repository,
                cx.settings.trusted_registries.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, check_with, pointers};
    use kubefort_model::Settings;

    const PODS: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - {name: hub, image: "nginx:1.27"}
        - {name: team, image: "ghcr.io/acme/web:2"}
        - {name: lookalike, image: "ghcr.io/acme-labs/web:2"}
        - {name: own, image: "registry.example.com:443/x:1"}
        - {name: mirror, image: "registry.example.com/any/path/app:1"}
        - {name: wrong-type, image: {repo: nginx}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: job}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - {name: hub-org, image: "INDEX.DOCKER.IO/bitnami/kubectl:1.31"}
          containers:
            - {name: sub, image: "eu.mirror.example.net/app:1"}
"#;

    fn settings(entries: &[&str]) -> Settings {
        Settings { trusted_registries: entries.iter().map(|s| s.to_string()).collect(), ..Settings::default() }
    }

    #[test]
    fn off_without_configuration() {
        assert!(check(&UntrustedRegistry, PODS).is_empty());
        assert!(check_with(&UntrustedRegistry, PODS, &settings(&[" ", "/"])).is_empty());
    }

    #[test]
    fn flags_images_outside_the_trusted_entries() {
        let s = settings(&["ghcr.io/acme/", "https://registry.example.com", "*.mirror.example.net"]);
        let f = check_with(&UntrustedRegistry, PODS, &s);
        assert_eq!(
            pointers(&f),
            [
                ("/spec/template/spec/containers/0/image".to_owned(), 9),
                ("/spec/template/spec/containers/2/image".to_owned(), 11),
                // A port makes it another registry.
                ("/spec/template/spec/containers/3/image".to_owned(), 12),
                ("/spec/jobTemplate/spec/template/spec/initContainers/0/image".to_owned(), 25),
            ]
        );
        assert!(f[0].message.contains("comes from `docker.io/library/nginx`"), "{}", f[0].message);
        assert!(f[3].message.contains("`docker.io/bitnami/kubectl`"), "{}", f[3].message);
    }

    #[test]
    fn docker_hub_entries_and_wildcards() {
        let s = settings(&["docker.io/library", "index.docker.io/bitnami/*"]);
        let f = check_with(&UntrustedRegistry, PODS, &s);
        let names: Vec<_> = f.iter().map(|f| f.message.split('"').nth(1).unwrap_or("").to_owned()).collect();
        assert_eq!(names, ["team", "lookalike", "own", "mirror", "sub"]);

        // `*.example.net` does not trust `example.net` itself.
        let r = ImageRef::parse("example.net/app:1").unwrap();
        assert!(!trusted(&r, &[normalise_entry("*.example.net").unwrap()]));
        let r = ImageRef::parse("a.example.net/app:1").unwrap();
        assert!(trusted(&r, &[normalise_entry("*.example.net").unwrap()]));
        // Docker Hub's other host names mean the same official images.
        let r = ImageRef::parse("registry-1.docker.io/nginx").unwrap();
        assert!(trusted(&r, &[normalise_entry("docker.io/library").unwrap()]));
    }
}
