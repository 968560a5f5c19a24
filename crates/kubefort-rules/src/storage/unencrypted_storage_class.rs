use kubefort_model::{declare_rule, escape_token, Context, Node, Severity, Sink};

declare_rule! {
    /// ## What it does
    /// Flags StorageClasses of known cloud disk provisioners that create
    /// volumes without the encryption the user controls:
    ///
    /// - AWS EBS (`kubernetes.io/aws-ebs`, `ebs.csi.aws.com`): parameter
    ///   `encrypted` not `"true"` — the disk is stored unencrypted (high);
    /// - GCE PD (`kubernetes.io/gce-pd`, `pd.csi.storage.gke.io`): no
    ///   `disk-encryption-kms-key` — only Google-managed keys (low);
    /// - Azure Disk (`kubernetes.io/azure-disk`, `disk.csi.azure.com`): no
    ///   `diskEncryptionSetID` — only platform-managed keys (low).
    ///
    /// ## Why is this bad?
    /// An unencrypted EBS volume, and every snapshot of it, is readable by
    /// anyone who gets hold of the volume or snapshot (a shared snapshot, a
    /// mis-scoped IAM policy). With provider-managed keys the data is
    /// encrypted, but access cannot be revoked or audited through a key
    /// the organisation controls.
    ///
    /// ## Example
    /// ```yaml
    /// kind: StorageClass
    /// provisioner: ebs.csi.aws.com
    /// parameters: {type: gp3}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: StorageClass
    /// provisioner: ebs.csi.aws.com
    /// parameters: {type: gp3, encrypted: "true", kmsKeyId: arn:aws:kms:…}
    /// ```
    ///
    /// ## References
    /// - <https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md>
    pub struct UnencryptedStorageClass {
        id: "KF-STO-002",
        name: "unencrypted-storage-class",
        title: "StorageClass provisions disks without encryption",
        severity: High,
        fix: "Set the provisioner's encryption parameter (EBS encrypted: \"true\", GCE disk-encryption-kms-key, Azure diskEncryptionSetID)",
        references: ["kubescape:C-0264"],
        check: check,
    }
}

fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let object = cx.object;
    if object.kind != "StorageClass" {
        return;
    }
    let Some(provisioner) = object.root.get("provisioner").and_then(Node::as_str) else { return };
    let param = |key: &str| object.root.path(&["parameters", key]).and_then(Node::scalar_text);
    let pointer = |key: &str| {
        if object.root.get("parameters").is_some() {
            format!("/parameters/{}", escape_token(key))
        } else {
            "/provisioner".to_owned()
        }
    };
    let (key, problem, severity) = match provisioner {
        "kubernetes.io/aws-ebs" | "ebs.csi.aws.com" => {
            if param("encrypted").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
                return;
            }
            ("encrypted", "creates unencrypted EBS volumes", Severity::High)
        }
        "kubernetes.io/gce-pd" | "pd.csi.storage.gke.io" => {
            if param("disk-encryption-kms-key").is_some() {
                return;
            }
            ("disk-encryption-kms-key", "encrypts disks only with Google-managed keys", Severity::Low)
        }
        "kubernetes.io/azure-disk" | "disk.csi.azure.com" => {
            if param("diskEncryptionSetID").or_else(|| param("diskencryptionsetid")).is_some() {
                return;
            }
            ("diskEncryptionSetID", "encrypts disks only with platform-managed keys", Severity::Low)
        }
        _ => return,
    };
    let finding = sink.report(
        &UnencryptedStorageClass::META,
        pointer(key),
        format!("StorageClass {} ({provisioner}) {problem}", object.name),
    );
    finding.severity = severity;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check, pointers};

    #[test]
    fn flags_known_provisioners_without_encryption() {
        let yaml = r#"
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: gp3}
provisioner: ebs.csi.aws.com
parameters: {type: gp3, encrypted: "false"}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: legacy}
provisioner: kubernetes.io/aws-ebs
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: ok}
provisioner: ebs.csi.aws.com
parameters: {encrypted: "true"}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: pd}
provisioner: pd.csi.storage.gke.io
parameters: {type: pd-ssd}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: nfs}
provisioner: example.org/nfs
"#;
        let findings = check(&UnencryptedStorageClass, yaml);
        assert_eq!(
            pointers(&findings),
            [
                ("/parameters/encrypted".to_owned(), 6),
                ("/provisioner".to_owned(), 11),
                ("/parameters/disk-encryption-kms-key".to_owned(), 23)
            ]
        );
        assert_eq!(findings[0].severity, Severity::High);
        assert_eq!(findings[2].severity, Severity::Low);
        assert_eq!(findings[1].message, "StorageClass legacy (kubernetes.io/aws-ebs) creates unencrypted EBS volumes");
    }
}
