//! Each detector on a generated fake secret: found with the exact range,
//! reported masked, and never confused with look-alikes.

use kubefort_secrets::fake::Fake;
use kubefort_secrets::{line_col, mask, scanner, DETECTORS};

#[test]
fn every_detector_finds_its_fake_secret_at_the_exact_range() {
    let mut fake = Fake::new(7);
    for d in DETECTORS {
        let secret = fake.secret(d.id);
        let (key, value_in_text) = match d.id {
            "generic-secret" => ("DB_PASSWORD", secret.clone()),
            "aws-secret-access-key" => ("aws_secret_access_key", secret.clone()),
            "azure-storage-key" => ("AZURE_STORAGE_ACCOUNT_KEY", secret.clone()),
            "url-credentials" => ("DATABASE_URL", format!("postgres://app:{secret}@db:5432/app")),
            "docker-config-auth" => {
                ("config", format!("{{\"auths\":{{\"r.example.org\":{{\"auth\":\"{secret}\"}}}}}}"))
            }
            _ => ("value", secret.clone()),
        };
        let text = format!("# config\n{key}={value_in_text}\n");
        let found = scanner().scan(text.as_bytes());
        let ids: Vec<_> = found.iter().map(|m| m.detector.id).collect();
        let m =
            found.iter().find(|m| m.detector.id == d.id).unwrap_or_else(|| panic!("{}: not found, got {ids:?}", d.id));
        let expected_value: &str = match d.id {
            "gcp-service-account-key" => {
                let start = secret.find("-----BEGIN").unwrap();
                &secret[start..secret[start..].find('"').map(|e| start + e).unwrap()]
            }
            "azure-connection-string" => {
                let start = secret.find("AccountKey=").unwrap() + 11;
                &secret[start..start + 88]
            }
            "slack-webhook" => secret.trim_start_matches("https://"),
            _ => &secret,
        };
        assert_eq!(&text.as_bytes()[m.range.clone()], expected_value.as_bytes(), "{}: range", d.id);
        assert_eq!(found.len(), 1, "{}: one match expected, got {ids:?}", d.id);
        assert!(m.preview.ends_with("****") && m.preview.chars().count() <= 8, "{}: {}", d.id, m.preview);
        assert!(m.fingerprint.starts_with("sha256:") && m.fingerprint.len() == 19);
        if d.id != "gcp-service-account-key" {
            assert_eq!(line_col(text.as_bytes(), m.range.start).0, 2, "{}", d.id);
        }
    }
}

#[test]
fn kubernetes_tokens_are_named_and_previews_are_short() {
    let mut fake = Fake::new(1);
    let token = fake.jwt("https://kubernetes.default.svc.cluster.local");
    let found = scanner().scan(token.as_bytes());
    assert_eq!(found[0].detector.id, "kubernetes-service-account-token");
    assert_eq!(mask(b"AKIAABCDEFGHIJKLMNOP"), "AKIA****");
    assert_eq!(mask(b"abcdefgh"), "ab****");
    assert_eq!(mask(b"abc"), "****");
    assert_eq!(line_col("a\nbé c".as_bytes(), 6), (2, 4));
}

#[test]
fn scan_value_uses_the_key() {
    let mut fake = Fake::new(3);
    let password = fake.password(14);
    let found = scanner().scan_value(Some("MYSQL_ROOT_PASSWORD"), &format!(" {password} "));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].detector.id, "generic-secret");
    assert_eq!(found[0].range, 1..15);
    assert!(scanner().scan_value(Some("image"), &password).is_empty());
    assert!(scanner().scan_value(Some("password"), "${DB_PASSWORD}").is_empty());
    assert!(scanner().scan_value(Some("secretName"), &password).is_empty());
    let aws = fake.secret("aws-secret-access-key");
    assert_eq!(scanner().scan_value(Some("AWS_SECRET_ACCESS_KEY"), &aws)[0].detector.id, "aws-secret-access-key");
    let azure = fake.secret("azure-storage-key");
    assert_eq!(scanner().scan_value(Some("azurestorageaccountkey"), &azure)[0].detector.id, "azure-storage-key");
}

#[test]
fn no_panic_on_odd_input() {
    for text in [
        &b""[..],
        b"-----BEGIN",
        b"-----BEGIN PRIVATE KEY",
        b"\xff\xfe password=\xff\xff\xff\xff\xff\xff\xff\xff\xff",
        b"\"type\": \"service_account\"",
        b"service_account",
        b"eyJ",
        b"AKIA",
        b"://:@",
        b"\"auth\": \"////////\"",
    ] {
        let _ = scanner().scan(text);
    }
    let mut fake = Fake::new(9);
    let alphabet = b"AKIA-----BEGIN eyJ.:=\"password\n\xc3\xa9 ";
    for _ in 0..2000 {
        let len = fake.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| alphabet[fake.below(alphabet.len())]).collect();
        let _ = scanner().scan(&bytes);
    }
}

#[test]
fn a_pem_header_without_a_label_is_no_key_and_no_panic() {
    for text in [&b"-----BEGIN-----"[..], b"key: -----BEGIN-----\nMIIE\n-----END-----", b"-----begin-----"] {
        assert!(scanner().scan(text).is_empty());
    }
}
