use super::ImageRef;
use kubefort_model::{declare_rule, ContainerKind, Context, Node, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags containers and init containers whose image is a general-purpose
    /// Linux distribution: Ubuntu, Debian, CentOS, Fedora, Rocky Linux,
    /// AlmaLinux, Amazon Linux, Oracle Linux, openSUSE, Arch Linux, Red Hat
    /// UBI (standard), Photon, Clear Linux, Mageia, Kali and `buildpack-deps`,
    /// as published on Docker Hub and on the well-known mirrors and vendor
    /// registries (`mirror.gcr.io`, `public.ecr.aws`, `mcr.microsoft.com`,
    /// `quay.io`, `registry.access.redhat.com`, `registry.fedoraproject.org`,
    /// …). Only the image a pod runs is visible in a manifest, so an
    /// application image built `FROM ubuntu` under its own name is not seen.
    /// Ephemeral debug containers are not checked: a toolbox image is what
    /// they are for.
    ///
    /// ## Why is this bad?
    /// A full distribution ships a shell, a package manager, compilers or
    /// interpreters and hundreds of packages the workload never uses. Each is
    /// attack surface and a source of CVEs to patch, and together they hand an
    /// intruder everything needed to download tools and move on. Running a
    /// bare OS image also usually means the application is installed at pod
    /// start (`apt-get install` in `command:`), unreviewed. Severity is info:
    /// it is hygiene, and sometimes a deliberate choice.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: worker
    ///     image: ubuntu:24.04
    ///     command: ["/bin/sh", "-c", "apt-get update && apt-get install -y python3 && python3 /app/run.py"]
    /// ```
    ///
    /// ## Use instead
    /// Build the application into a distroless or minimal image:
    /// ```yaml
    /// containers:
    ///   - name: worker
    ///     image: registry.example.com/shop/worker:2.3.0   # FROM gcr.io/distroless/python3-debian12
    /// ```
    ///
    /// ## References
    /// - <https://github.com/GoogleContainerTools/distroless>
    /// - <https://kubernetes.io/docs/concepts/security/hardening-guide/#image-provenance>
    pub struct FullOsBaseImage {
        id: "KF-IMG-004",
        name: "full-os-base-image",
        title: "Image is a full operating system distribution",
        severity: Info,
        fix: "Build the workload into a distroless or minimal image (distroless, Chainguard, UBI micro, scratch)",
        references: [],
        check: check,
    }
}

/// Docker Hub repositories of full distributions (without `library/`).
const DOCKER_HUB: &[&str] = &[
    "ubuntu",
    "debian",
    "centos",
    "fedora",
    "rockylinux",
    "almalinux",
    "amazonlinux",
    "oraclelinux",
    "archlinux",
    "clearlinux",
    "photon",
    "mageia",
    "sl",
    "buildpack-deps",
    "opensuse/leap",
    "opensuse/tumbleweed",
    "rockylinux/rockylinux",
    "almalinux/almalinux",
    "kalilinux/kali-rolling",
    "kalilinux/kali-last-release",
];

/// Hosts and path prefixes that re-publish Docker Hub under the same names.
const HUB_MIRRORS: &[&str] = &[
    "docker.io/",
    "index.docker.io/",
    "registry-1.docker.io/",
    "mirror.gcr.io/",
    "public.ecr.aws/docker/",
    "mcr.microsoft.com/mirror/docker/",
];

/// Distributions published by their vendors under their own registries.
const VENDOR: &[&str] = &[
    "public.ecr.aws/amazonlinux/amazonlinux",
    "public.ecr.aws/ubuntu/ubuntu",
    "public.ecr.aws/debian/debian",
    "quay.io/centos/centos",
    "quay.io/fedora/fedora",
    "quay.io/rockylinux/rockylinux",
    "registry.fedoraproject.org/fedora",
    "registry.access.redhat.com/ubi7/ubi",
    "registry.access.redhat.com/ubi8/ubi",
    "registry.access.redhat.com/ubi9/ubi",
    "registry.access.redhat.com/ubi8",
    "registry.access.redhat.com/ubi9",
    "registry.redhat.io/ubi8/ubi",
    "registry.redhat.io/ubi9/ubi",
    "registry.opensuse.org/opensuse/leap",
    "registry.opensuse.org/opensuse/tumbleweed",
    "registry.suse.com/suse/sle15",
    "registry.suse.com/bci/bci-base",
    "container-registry.oracle.com/os/oraclelinux",
];

/// The distribution an image is, when it is one.
fn distribution(image: &ImageRef<'_>) -> Option<&'static str> {
    let full = format!("{}/{}", image.registry.to_ascii_lowercase(), image.repository);
    if let Some(v) = VENDOR.iter().find(|v| **v == full) {
        return Some(v);
    }
    let on_hub = HUB_MIRRORS.iter().find_map(|m| full.strip_prefix(m))?;
    let name = on_hub.strip_prefix("library/").unwrap_or(on_hub);
    DOCKER_HUB.iter().find(|d| **d == name).copied()
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    for container in pod.containers().filter(|c| c.kind != ContainerKind::EphemeralContainer) {
        let Some(image) = container.node.get("image").and_then(Node::as_str) else { continue };
        let Some(distro) = ImageRef::parse(image).as_ref().and_then(distribution) else { continue };
        sink.report(
            &FullOsBaseImage::META,
            container.at("image"),
            format!(
                "{} runs `{image}`, a full `{distro}` distribution; a distroless or minimal image carries far less to attack",
                container.describe()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_distributions_on_docker_hub_mirrors_and_vendor_registries() {
        let yaml = r#"
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    spec:
      initContainers:
        - {name: setup, image: "debian:12-slim"}
      containers:
        - {name: a, image: "docker.io/library/ubuntu:24.04"}
        - {name: b, image: "mirror.gcr.io/library/centos:7"}
        - {name: c, image: "opensuse/leap:15.6"}
        - {name: d, image: "registry.access.redhat.com/ubi9/ubi:9.4"}
        - {name: e, image: "public.ecr.aws/amazonlinux/amazonlinux:2023"}
      ephemeralContainers:
        - {name: debug, image: "ubuntu:24.04"}
"#;
        let f = check(&FullOsBaseImage, yaml);
        assert_eq!(
            pointers(&f),
            [
                ("/spec/template/spec/initContainers/0/image".to_owned(), 9),
                ("/spec/template/spec/containers/0/image".to_owned(), 11),
                ("/spec/template/spec/containers/1/image".to_owned(), 12),
                ("/spec/template/spec/containers/2/image".to_owned(), 13),
                ("/spec/template/spec/containers/3/image".to_owned(), 14),
                ("/spec/template/spec/containers/4/image".to_owned(), 15),
            ]
        );
        assert!(f[0].message.contains("a full `debian` distribution; a distroless"), "{}", f[0].message);
        assert!(f[4].message.contains("`registry.access.redhat.com/ubi9/ubi`"), "{}", f[4].message);
    }

    #[test]
    fn minimal_images_and_lookalikes_pass() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: a, image: "gcr.io/distroless/static-debian12:nonroot"}
    - {name: b, image: "alpine:3.20"}
    - {name: c, image: "registry.access.redhat.com/ubi9/ubi-micro:9.4"}
    - {name: d, image: "acme/ubuntu:1"}
    - {name: e, image: "registry.example.com/library/debian:12"}
    - {name: f, image: ["ubuntu"]}
    - {name: g, image: "ubuntu with spaces"}
"#;
        assert!(check(&FullOsBaseImage, yaml).is_empty());
    }
}
