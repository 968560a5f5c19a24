//! Fake secrets of every detector, generated here, go through `scan` and
//! `secrets` in every output format; the test fails if any value, or any
//! 10-character piece of its random part, appears in stdout or stderr.

use kubefort_secrets::fake::Fake;
use kubefort_secrets::DETECTORS;
use std::path::PathBuf;
use std::process::Command;

/// The secret and the part of it that is random (what must never leak):
/// PEM bodies without their headers, the key of a connection string, a
/// JWT's signature, a webhook's token.
fn secrets() -> Vec<(String, String, Vec<String>)> {
    let mut fake = Fake::new(0x5EC_2E75);
    DETECTORS
        .iter()
        .map(|d| {
            let secret = fake.secret(d.id);
            let cores: Vec<String> = match d.id {
                "private-key" => secret.lines().filter(|l| !l.starts_with("-----")).map(str::to_owned).collect(),
                "gcp-service-account-key" => secret.split("\\n").filter(|l| l.len() == 64).map(str::to_owned).collect(),
                "azure-connection-string" => {
                    vec![secret.split("AccountKey=").nth(1).unwrap_or("").split(';').next().unwrap_or("").to_owned()]
                }
                "jwt" | "kubernetes-service-account-token" => vec![secret.rsplit('.').next().unwrap().to_owned()],
                "slack-webhook" => vec![secret.rsplit('/').next().unwrap().to_owned()],
                _ => vec![secret.clone()],
            };
            (d.id.to_owned(), secret, cores)
        })
        .collect()
}

/// A YAML double-quoted scalar.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}

fn value_for(id: &str, secret: &str) -> String {
    match id {
        "url-credentials" => format!("postgres://app:{secret}@db:5432/app"),
        "docker-config-auth" => format!("{{\"auths\":{{\"r.example.org\":{{\"auth\":\"{secret}\"}}}}}}"),
        _ => secret.to_owned(),
    }
}

fn key_for(id: &str) -> &'static str {
    match id {
        "aws-secret-access-key" => "AWS_SECRET_ACCESS_KEY",
        "azure-storage-key" => "AZURE_STORAGE_ACCOUNT_KEY",
        _ => "APP_SECRET",
    }
}

fn manifests(secrets: &[(String, String, Vec<String>)]) -> String {
    let mut env = String::new();
    let mut data = String::new();
    let mut annotations = String::new();
    let mut spec = String::new();
    for (i, (id, secret, _)) in secrets.iter().enumerate() {
        let v = quoted(&value_for(id, secret));
        let key = key_for(id);
        env.push_str(&format!("            - {{name: {key}_{i}, value: {v}}}\n"));
        data.push_str(&format!("  {key}_{i}: {v}\n"));
        annotations.push_str(&format!("    example.org/{}-{i}: {v}\n", key.to_ascii_lowercase().replace('_', "-")));
        spec.push_str(&format!("  {}{i}: {v}\n", key.to_ascii_lowercase().replace('_', "")));
    }
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app, namespace: leak}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app\n          args: [\"--token\", {first}]\n          env:\n{env}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg, namespace: leak}}\ndata:\n{data}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: leak\n  annotations:\n{annotations}stringData:\n{data}---\napiVersion: example.org/v1\nkind: Widget\nmetadata: {{name: w, namespace: leak}}\nspec:\n{spec}",
        first = quoted(&secrets[0].1),
    )
}

fn text_file(secrets: &[(String, String, Vec<String>)]) -> String {
    secrets.iter().map(|(id, s, _)| format!("{}={}\n", key_for(id), value_for(id, s))).collect()
}

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kubefort")).args(args).output().expect("run kubefort");
    assert_eq!(out.status.code(), Some(1), "{args:?} should find secrets");
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn no_output_format_reveals_a_secret() {
    let secrets = secrets();
    let dir = std::env::temp_dir().join(format!("kubefort-leak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let manifest: PathBuf = dir.join("leak.yaml");
    let env_file: PathBuf = dir.join(".env");
    std::fs::write(&manifest, manifests(&secrets)).unwrap();
    std::fs::write(&env_file, text_file(&secrets)).unwrap();
    let manifest = manifest.to_str().unwrap();
    let env_file = env_file.to_str().unwrap();

    for format in ["human", "json", "sarif", "junit"] {
        for (label, args) in [
            ("scan", vec!["scan", manifest, "-o", format, "--select", "KF-SEC"]),
            ("secrets", vec!["secrets", env_file, manifest, "-o", format]),
        ] {
            let output = run(&args);
            for (id, _, cores) in &secrets {
                for core in cores {
                    let chars: Vec<char> = core.chars().collect();
                    for window in chars.windows(10.min(chars.len())) {
                        let piece: String = window.iter().collect();
                        // Report only the detector and the piece's length: the piece is secret.
                        assert!(
                            !output.contains(&piece),
                            "{label} -o {format}: a {}-character piece of the {id} secret appears in the output",
                            piece.len()
                        );
                    }
                }
            }
            // Every detector was reported (by its id in the evidence, or its title in human output).
            if format != "human" {
                for (id, _, _) in &secrets {
                    assert!(output.contains(id.as_str()), "{label} -o {format}: no {id} finding");
                }
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
