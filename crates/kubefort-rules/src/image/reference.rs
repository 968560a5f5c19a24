//! Parsing of container image references as the container runtime reads them
//! (`[registry/]repository[:tag][@digest]`, Docker Hub defaults).

/// The parts of an image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry host, `docker.io` when none is written.
    pub registry: &'a str,
    /// Repository path without the registry (`library/nginx` for `nginx`).
    pub repository: String,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    pub fn parse(image: &'a str) -> Option<ImageRef<'a>> {
        let image = image.trim();
        if image.is_empty() || image.contains(char::is_whitespace) {
            return None;
        }
        let (name, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (image, None),
        };
        // A `:` after the last `/` separates the tag; one before is a registry port.
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
            None => (name, None),
        };
        let (registry, path) = match name.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first, rest),
            _ => ("docker.io", name),
        };
        let repository =
            if registry == "docker.io" && !path.contains('/') { format!("library/{path}") } else { path.to_owned() };
        Some(ImageRef { registry, repository, tag, digest })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_registry_port_tag_and_digest() {
        let r = ImageRef::parse("nginx").unwrap();
        assert_eq!((r.registry, r.repository.as_str(), r.tag, r.digest), ("docker.io", "library/nginx", None, None));
        let r = ImageRef::parse("localhost:5000/team/app:1.2@sha256:abc").unwrap();
        assert_eq!(
            (r.registry, r.repository.as_str(), r.tag, r.digest),
            ("localhost:5000", "team/app", Some("1.2"), Some("sha256:abc"))
        );
        let r = ImageRef::parse("ghcr.io/org/tool:latest").unwrap();
        assert_eq!((r.registry, r.tag), ("ghcr.io", Some("latest")));
        let r = ImageRef::parse("bitnami/redis:7").unwrap();
        assert_eq!((r.registry, r.repository.as_str()), ("docker.io", "bitnami/redis"));
        assert!(ImageRef::parse("").is_none());
    }
}
