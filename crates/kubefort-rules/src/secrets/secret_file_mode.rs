use kubefort_model::{declare_rule, Context, Node, PodSpecRef, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Secret volumes, and projected volumes with Secret sources,
    /// whose files are readable beyond owner and group: a `defaultMode` or
    /// `items[].mode` with any bit outside `0640`, or no `defaultMode` at
    /// all (Kubernetes then uses `0644`, world-readable). Modes are read as
    /// numbers (`0644` in YAML is octal, 420), as the API server does.
    ///
    /// ## Why is this bad?
    /// Any process in the pod under any user id, including a compromised
    /// sidecar or a tool running as `nobody`, can read a world-readable
    /// Secret file. With `fsGroup` set, `0440` lets the application's group
    /// read it and nobody else.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: db
    ///     secret: {secretName: db, defaultMode: 0644}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// volumes:
    ///   - name: db
    ///     secret: {secretName: db, defaultMode: 0440}
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/configuration/secret/#secret-files-permissions>
    pub struct SecretFileMode {
        id: "KF-SEC-008",
        name: "secret-file-mode-too-wide",
        title: "Secret files are readable by other users",
        severity: Low,
        fix: "Set defaultMode (and items[].mode) to 0440 or 0400 on Secret volumes",
        references: [],
        check: check,
    }
}

/// Bits allowed on a Secret file: read-write for the owner, read for the group.
const ALLOWED: i64 = 0o640;

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let Some(pod) = PodSpecRef::to_check(cx.object) else { return };
    for (i, volume) in pod.volumes() {
        let name = volume.get("name").and_then(Node::as_str).unwrap_or("?");
        let (field, sources): (&str, Vec<(String, &Node)>) = if let Some(secret) = volume.get("secret") {
            ("secret", vec![("secret".to_owned(), secret)])
        } else if let Some(projected) = volume.get("projected") {
            let sources = projected
                .get("sources")
                .map(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .filter_map(|(s, src)| src.get("secret").map(|n| (format!("projected/sources/{s}/secret"), n)))
                .collect();
            ("projected", sources)
        } else {
            continue;
        };
        if sources.is_empty() {
            continue;
        }
        let base = pod.at(&format!("volumes/{i}/{field}"));
        let mut report = |pointer: String, mode: Option<i64>| {
            let shown = mode.map_or("unset (0644)".to_owned(), |m| format!("{m:#05o}").replace("0o", "0"));
            sink.report(
                &SecretFileMode::META,
                pointer,
                format!("Secret volume \"{name}\" files get mode {shown}, readable beyond owner and group"),
            );
        };
        let default_mode = volume.get(field).and_then(|v| v.get("defaultMode"));
        match default_mode.and_then(Node::as_i64) {
            Some(m) if m & !ALLOWED == 0 => {}
            Some(m) => report(format!("{base}/defaultMode"), Some(m)),
            None if default_mode.is_none() => report(format!("{base}/defaultMode"), None),
            None => {}
        }
        for (path, source) in &sources {
            for (k, item) in source.get("items").map(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
                if let Some(m) = item.get("mode").and_then(Node::as_i64).filter(|m| m & !ALLOWED != 0) {
                    report(pod.at(&format!("volumes/{i}/{path}/items/{k}/mode")), Some(m));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_wide_and_unset_modes() {
        let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a}]
  volumes:
    - name: unset
      secret: {secretName: a}
    - name: wide
      secret: {secretName: b, defaultMode: 0644}
    - name: tight
      secret:
        secretName: c
        defaultMode: 0440
        items: [{key: k, path: k, mode: 0666}, {key: l, path: l, mode: 0400}]
    - name: proj
      projected:
        defaultMode: 288
        sources:
          - serviceAccountToken: {path: token}
          - secret: {name: d, items: [{key: k, path: k, mode: 511}]}
    - name: cfg
      configMap: {name: cfg}
"#;
        let findings = check(&SecretFileMode, yaml);
        assert_eq!(
            pointers(&findings),
            [
                ("/spec/volumes/0/secret/defaultMode".to_owned(), 9),
                ("/spec/volumes/1/secret/defaultMode".to_owned(), 11),
                ("/spec/volumes/2/secret/items/0/mode".to_owned(), 16),
                ("/spec/volumes/3/projected/sources/1/secret/items/0/mode".to_owned(), 22),
            ]
        );
        assert_eq!(
            findings[0].message,
            "Secret volume \"unset\" files get mode unset (0644), readable beyond owner and group"
        );
        assert_eq!(findings[1].message, "Secret volume \"wide\" files get mode 0644, readable beyond owner and group");
        assert!(findings[3].message.contains("0777"));
    }
}
