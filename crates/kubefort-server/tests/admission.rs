//! `kubefort serve --admission` end to end over real HTTPS on 127.0.0.1:
//! allow, deny, warn, the same verdict as the scanner, bad requests, metrics,
//! and certificate rotation. (`/mutate`'s patches: `tests/mutate.rs`.)

mod common;

use common::{deployment, hardened, review, start, Ca};
use kubefort_admission::{Action, Actions, AdmissionSettings};
use kubefort_server::Limits;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

/// The default actions: critical and high deny, medium and low warn, info audited.
fn settings() -> AdmissionSettings {
    AdmissionSettings::default()
}

fn metric(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

fn warned_rules(response: &serde_json::Value) -> BTreeSet<String> {
    response["warnings"]
        .as_array()
        .map(|w| w.iter().filter_map(|w| Some(w.as_str()?.split(' ').next()?.to_owned())).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_warn_and_deny_by_severity() {
    let server = start("verdicts", settings(), Limits::default()).await;

    // Hardened: admitted; what a lone object cannot show (no NetworkPolicy
    // seen: medium and low) comes back as warnings, nothing denies.
    let ok = server.review("/validate", &review("u-allow", "CREATE", &deployment("web", 2, hardened()), None)).await;
    assert_eq!(ok["allowed"], true, "{ok}");
    assert!(ok.get("status").is_none(), "{ok}");
    assert_eq!(warned_rules(&ok), BTreeSet::from(["KF-NET-001".into(), "KF-NET-002".into(), "KF-NET-004".into()]));

    // Missing probes (low) add warnings kubectl prints, still admitted.
    let mut no_probes = deployment("web", 1, hardened());
    let container = &mut no_probes["spec"]["template"]["spec"]["containers"][0];
    container.as_object_mut().unwrap().remove("livenessProbe");
    let warned = server.review("/validate", &review("u-warn", "CREATE", &no_probes, None)).await;
    assert_eq!(warned["allowed"], true);
    let rules = warned_rules(&warned);
    assert!(rules.contains("KF-POD-024"), "{warned}");
    let warning =
        warned["warnings"].as_array().unwrap().iter().find(|w| w.as_str().unwrap().starts_with("KF-POD-024")).unwrap();
    assert_eq!(
        warning.as_str().unwrap().split(':').next().unwrap(),
        "KF-POD-024 (low) at /spec/template/spec/containers/0/livenessProbe"
    );

    // Privileged: denied with the findings listed, 403 in the status.
    let mut privileged = hardened();
    privileged["privileged"] = json!(true);
    let denied = server.review("/validate", &review("u-deny", "CREATE", &deployment("web", 3, privileged), None)).await;
    assert_eq!(denied["allowed"], false, "{denied}");
    assert_eq!(denied["status"]["code"], 403);
    let message = denied["status"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "kubefort denied Deployment shop/web: KF-POD-001 (critical) at /spec/template/spec/containers/"
        ),
        "{message}"
    );
    assert_eq!(message.matches("KF-POD-001 (critical)").count(), 3, "one per container: {message}");

    // DELETE carries no object: admitted unjudged.
    let delete = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": "u-del", "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "namespace": "shop", "operation": "DELETE", "object": null, "oldObject": deployment("web", 1, hardened())}});
    assert_eq!(server.review("/validate", &delete).await["allowed"], true);

    let health = server.get("/healthz").await;
    assert_eq!((health.status, health.body.trim()), (200, "ok"));
    let ready = server.get("/readyz").await;
    assert_eq!((ready.status, ready.body.trim()), (200, "ready"));

    let metrics = server.get("/metrics").await.body;
    let reviews = |verdict: &str| {
        metric(
            &metrics,
            &format!(r#"kubefort_admission_reviews_total{{endpoint="validate",verdict="{verdict}",dry_run="false"}}"#),
        )
    };
    assert_eq!(reviews("warned"), Some(2.0), "{metrics}");
    assert_eq!(reviews("denied"), Some(1.0), "{metrics}");
    assert_eq!(reviews("skipped"), Some(1.0), "{metrics}");
    assert_eq!(metric(&metrics, r#"kubefort_admission_denials_total{rule="KF-POD-001"}"#), Some(1.0), "{metrics}");
    assert_eq!(metric(&metrics, r#"kubefort_admission_duration_seconds_count{endpoint="validate"}"#), Some(4.0));
    assert_eq!(
        metric(&metrics, r#"kubefort_admission_duration_seconds_bucket{endpoint="validate",le="+Inf"}"#),
        Some(4.0)
    );
    assert!(metrics.contains("# TYPE kubefort_admission_duration_seconds histogram"), "{metrics}");
    assert_eq!(metric(&metrics, r#"kubefort_http_requests_total{route="/validate",code="200"}"#), Some(4.0));
    assert!(server.stop().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_is_answered_alike_but_not_counted_as_a_denial() {
    let server = start("dryrun", settings(), Limits::default()).await;
    let mut privileged = hardened();
    privileged["privileged"] = json!(true);
    let mut dry = review("u-dry", "CREATE", &deployment("web", 1, privileged), None);
    dry["request"]["dryRun"] = json!(true);
    let answer = server.review("/validate", &dry).await;
    assert_eq!(answer["allowed"], false);
    let metrics = server.get("/metrics").await.body;
    assert_eq!(
        metric(&metrics, r#"kubefort_admission_reviews_total{endpoint="validate",verdict="denied",dry_run="true"}"#),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(metric(&metrics, r#"kubefort_admission_denials_total{rule="KF-POD-001"}"#), None, "{metrics}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_grandfathers_existing_violations_when_configured() {
    let lenient = AdmissionSettings { grandfather_on_update: true, ..settings() };
    let server = start("grandfather", lenient, Limits::default()).await;
    let mut privileged = hardened();
    privileged["privileged"] = json!(true);
    let old = deployment("web", 1, privileged.clone());
    let mut new = old.clone();
    new["spec"]["replicas"] = json!(5);
    let scaled = server.review("/validate", &review("u-up", "UPDATE", &new, Some(&old))).await;
    assert_eq!(scaled["allowed"], true, "an existing violation does not block the update: {scaled}");
    assert!(scaled["auditAnnotations"]["grandfathered"].as_str().unwrap().contains("oldObject"), "{scaled}");
    let clean = deployment("web", 1, hardened());
    let worse = server.review("/validate", &review("u-worse", "UPDATE", &new, Some(&clean))).await;
    assert_eq!(worse["allowed"], false, "a new violation does: {worse}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exempt_namespaces_are_admitted_unchecked() {
    let exempt = AdmissionSettings { exempt_namespaces: vec!["shop".into()], ..settings() };
    let server = start("exempt", exempt, Limits::default()).await;
    let mut privileged = hardened();
    privileged["privileged"] = json!(true);
    let answer = server.review("/validate", &review("u-ex", "CREATE", &deployment("web", 1, privileged), None)).await;
    assert_eq!(answer["allowed"], true);
    assert!(answer.get("warnings").is_none(), "{answer}");
    server.stop().await;
}

/// The webhook judges an object as `kubefort scan` does: the scanner's
/// loader and engine on a manifest file, then the same object through
/// `/validate`, with every finding audited so the answer lists them all
/// (rule and pointer, in `auditAnnotations.findings`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_findings_as_the_scanner() {
    let audit_all = AdmissionSettings {
        actions: Actions {
            critical: Action::Audit,
            high: Action::Audit,
            medium: Action::Audit,
            low: Action::Audit,
            info: Action::Audit,
        },
        ..settings()
    };
    let server = start("same", audit_all, Limits::default()).await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for file in ["insecure/db.yaml", "insecure/log-agent.yaml", "insecure/report.yaml", "hardened/db.yaml"] {
        let path = root.join(file);
        let loaded = kubefort_load::load(&[kubefort_load::Input::Path(path.clone())], kubefort_load::Limits::default());
        assert_eq!(loaded.objects.len(), 1, "{file}: one object");
        let object = loaded.objects[0].root.to_json();
        let inventory = kubefort_model::Inventory::new(loaded.objects);
        let outcome =
            kubefort_rules::run(&inventory, &kubefort_rules::all_rules(), &kubefort_model::Settings::default());
        let scanned: BTreeSet<String> = outcome.findings.iter().map(|f| format!("{} {}", f.rule, f.pointer)).collect();

        let answer = server.review("/validate", &review(file, "CREATE", &object, None)).await;
        let admitted: BTreeSet<String> = answer["auditAnnotations"]["findings"]
            .as_str()
            .map(|s| s.split("; ").map(str::to_owned).collect())
            .unwrap_or_default();
        assert_eq!(admitted, scanned, "{file}");
        if file.starts_with("insecure") {
            assert!(scanned.iter().any(|f| f.starts_with("KF-POD")), "{file}: the comparison covers real findings");
        }
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_answers_with_the_uid() {
    let limits = Limits { max_body: 8 << 10, read_timeout: Duration::from_millis(300), ..Limits::default() };
    let server = start("bad", settings(), limits).await;
    let error = |reply: &common::Reply| reply.json()["response"].clone();

    let reply =
        server.post("/validate", "application/json", b"{\"apiVersion\": \"admission.k8s.io/v1\", \"request\": {").await;
    assert_eq!(reply.status, 400);
    assert!(error(&reply)["status"]["message"].as_str().unwrap().starts_with("invalid JSON"), "{}", reply.body);
    assert_eq!(error(&reply)["allowed"], false);

    // Valid JSON with a uid but not a review kubefort can answer: the uid comes back.
    let v1beta1 = json!({"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview",
        "request": {"uid": "u-old", "operation": "CREATE", "object": {}}});
    let reply = server.post("/validate", "application/json", v1beta1.to_string().as_bytes()).await;
    assert_eq!(reply.status, 400);
    assert_eq!(error(&reply)["uid"], "u-old");
    assert!(error(&reply)["status"]["message"].as_str().unwrap().contains("v1beta1"), "{}", reply.body);
    let mut not_an_object = review("u-arr", "CREATE", &json!({}), None);
    not_an_object["request"]["object"] = json!([1, 2]);
    let reply = server.post("/mutate", "application/json", not_an_object.to_string().as_bytes()).await;
    assert_eq!((reply.status, error(&reply)["uid"].as_str()), (400, Some("u-arr")), "{}", reply.body);

    for garbage in [&b""[..], b"null", b"[]", b"\xff\xfe", b"{}", b"{\"request\":{\"uid\":7}}"] {
        for path in ["/validate", "/mutate"] {
            let reply = server.post(path, "application/json", garbage).await;
            assert_eq!(reply.status, 400, "{path} {garbage:?}: {}", reply.body);
        }
    }

    let body = review("u-ct", "CREATE", &deployment("web", 1, hardened()), None).to_string();
    let reply = server.post("/validate", "text/plain", body.as_bytes()).await;
    assert_eq!(reply.status, 415, "{}", reply.body);
    assert!(error(&reply)["status"]["message"].as_str().unwrap().contains("application/json"));
    let reply = server.post("/validate", "application/json; charset=utf-8", body.as_bytes()).await;
    assert_eq!(reply.status, 200, "parameters are fine: {}", reply.body);

    // Over the limit: a Deployment with a 10 KiB annotation (small enough to
    // sit in the socket buffers, so the answer is read before the close).
    let mut big = deployment("web", 1, hardened());
    big["metadata"]["annotations"] = json!({"blob": "x".repeat(10 << 10)});
    let reply = server
        .post("/validate", "application/json", review("u-big", "CREATE", &big, None).to_string().as_bytes())
        .await;
    assert_eq!(reply.status, 413, "{}", reply.body);

    // A body that never arrives.
    let slow = b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"kind\"";
    assert_eq!(server.raw(slow).await.status, 408);
    assert_eq!(server.get("/validate").await.status, 405);

    let metrics = server.get("/metrics").await.body;
    let bad = |endpoint: &str, reason: &str| {
        metric(
            &metrics,
            &format!(r#"kubefort_admission_bad_requests_total{{endpoint="{endpoint}",reason="{reason}"}}"#),
        )
    };
    assert_eq!(bad("validate", "malformed"), Some(8.0), "{metrics}");
    assert_eq!(bad("mutate", "malformed"), Some(7.0), "{metrics}");
    assert_eq!(bad("validate", "content_type"), Some(1.0), "{metrics}");
    assert_eq!(bad("validate", "too_large"), Some(1.0), "{metrics}");
    assert_eq!(bad("validate", "timeout"), Some(1.0), "{metrics}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_decision_is_cut_at_the_handler_timeout() {
    // The body arrives in time for the read timeout but not for the handler's.
    let limits = Limits { handler_timeout: Duration::from_millis(200), ..Limits::default() };
    let server = start("handler", settings(), limits).await;
    let slow = b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"kind\"";
    let reply = server.raw(slow).await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(reply.body.contains("--handler-timeout"), "{}", reply.body);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_certificate_serves_without_a_restart() {
    let mut server = start("rotate", settings(), Limits::default()).await;
    let (cert, key) = (server.dir.join("tls.crt"), server.dir.join("tls.key"));
    let first = server.get("/healthz").await.peer;
    assert!(!server.certificates.reload_if_changed().unwrap(), "unchanged files are not reloaded");

    // cert-manager issues from a new CA: the files are rewritten in place.
    let ca = Ca::new("kubefort rotated CA");
    server.trust(&ca);
    let second = ca.write_leaf(&cert, &key);
    assert_ne!(first, second);
    let watcher = tokio::spawn(server.certificates.clone().watch(Duration::from_millis(50)));
    let mut served = first.clone();
    for _ in 0..100 {
        served = server.get("/healthz").await.peer;
        if served == second {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(served, second, "the new certificate serves");
    watcher.abort();

    // A broken rotation (a key that does not fit, then garbage) keeps the last good pair.
    Ca::new("stray").write_leaf(&server.dir.join("other.crt"), &key);
    let error = server.certificates.reload_if_changed().unwrap_err();
    assert!(error.contains("does not fit"), "{error}");
    std::fs::write(&cert, "not a certificate").unwrap();
    assert!(server.certificates.reload_if_changed().unwrap_err().contains("--tls-cert"));
    let reply = server.review("/validate", &review("u-after", "CREATE", &deployment("web", 1, hardened()), None)).await;
    assert_eq!(reply["allowed"], true);
    assert_eq!(server.get("/healthz").await.peer, second);
    server.stop().await;
}
