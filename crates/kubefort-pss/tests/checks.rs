//! Tricky cases of the PSS engine, beyond the upstream fixtures.

use kubefort_load::{load_texts, Limits};
use kubefort_model::Object;
use kubefort_pss::{evaluate, report, result, Evaluation, Level, Version};
use std::sync::Arc;

fn objects(yaml: &str) -> Vec<Object> {
    let loaded = load_texts(vec![(Arc::from("test.yaml"), yaml.to_owned())], Limits::default());
    assert!(loaded.diagnostics.iter().all(|d| !d.to_string().contains("error")), "{:?}", loaded.diagnostics);
    loaded.objects
}

fn object(yaml: &str) -> Object {
    let mut all = objects(yaml);
    assert_eq!(all.len(), 1, "one object expected");
    all.remove(0)
}

fn eval(yaml: &str, level: Level, version: &str) -> Evaluation {
    evaluate(&object(yaml), level, version.parse().unwrap()).expect("has a pod spec")
}

fn checks(e: &Evaluation) -> Vec<&'static str> {
    e.forbidden.iter().map(|v| v.check).collect()
}

/// A pod that passes restricted at every version.
const RESTRICTED_POD: &str = "
apiVersion: v1
kind: Pod
metadata:
  name: ok
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: app
    image: nginx
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: [ALL]
";

#[test]
fn versions_parse_like_the_plugin_and_clamp_to_the_newest() {
    assert_eq!("v1.0".parse::<Version>(), Ok(Version::V(0)));
    assert_eq!("v1.37".parse::<Version>(), Ok(Version::V(37)));
    assert_eq!("latest".parse::<Version>(), Ok(Version::Latest));
    for bad in ["1.2", "v1.02", "v2.0", "v1.", "v1.-1", "v1.x", "", "Latest", "v1.99999999999"] {
        assert!(bad.parse::<Version>().is_err(), "{bad:?} must not parse");
    }
    assert_eq!(Version::V(99).resolve(), kubefort_pss::LATEST_MINOR);
    assert_eq!(Version::Latest.resolve(), 37);
    assert_eq!(Version::V(12).to_string(), "v1.12");
    assert_eq!("restricted".parse::<Level>(), Ok(Level::Restricted));
    assert!("Restricted".parse::<Level>().is_err());
}

#[test]
fn a_hardened_pod_passes_every_level_and_version_and_privileged_allows_anything() {
    for minor in 0..=40 {
        for level in [Level::Privileged, Level::Baseline, Level::Restricted] {
            let e = evaluate(&object(RESTRICTED_POD), level, Version::V(minor)).unwrap();
            assert!(e.allowed, "{level} v1.{minor}: {}", e.message());
        }
    }
    let privileged = RESTRICTED_POD.replace("  containers:", "  hostPID: true\n  containers:");
    assert!(eval(&privileged, Level::Privileged, "latest").allowed);
    assert!(!eval(&privileged, Level::Baseline, "latest").allowed);
}

#[test]
fn objects_without_a_pod_spec_are_not_evaluated() {
    let cm = object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n");
    assert!(evaluate(&cm, Level::Restricted, Version::Latest).is_none());
    let no_spec = object("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n");
    assert!(evaluate(&no_spec, Level::Restricted, Version::Latest).is_none());
}

#[test]
fn workload_templates_are_evaluated_with_pointers_to_the_offending_field() {
    let yaml = "apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  namespace: jobs
spec:
  schedule: '@daily'
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: app
            image: busybox
            securityContext:
              privileged: true
";
    let o = object(yaml);
    let e = evaluate(&o, Level::Baseline, Version::Latest).unwrap();
    assert_eq!(checks(&e), ["privileged"]);
    let v = &e.forbidden[0];
    assert_eq!(v.reason, "privileged");
    assert_eq!(v.detail, "container \"app\" must not set securityContext.privileged=true");
    assert_eq!(v.pointer, "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged");
    let loc = o.location_of(&v.pointer);
    assert_eq!((loc.line, loc.column), (16, 27));

    let r = result(&o, Level::Baseline, Version::Latest).unwrap();
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["kind"], "CronJob");
    assert_eq!(json["namespace"], "jobs");
    assert_eq!(json["level"], "baseline");
    assert_eq!(json["version"], "latest");
    assert_eq!(json["allowed"], false);
    assert_eq!(json["forbidden"][0]["check"], "privileged");
    assert_eq!(
        json["forbidden"][0]["reason"],
        "privileged (container \"app\" must not set securityContext.privileged=true)"
    );
    assert_eq!(json["forbidden"][0]["line"], 16);
}

#[test]
fn missing_fields_point_where_they_belong_and_locate_at_the_nearest_parent() {
    let yaml = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx
";
    let o = object(yaml);
    let e = evaluate(&o, Level::Restricted, "v1.24".parse().unwrap()).unwrap();
    assert_eq!(
        checks(&e),
        ["allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot", "seccompProfile_restricted"]
    );
    let ape = &e.forbidden[0];
    assert_eq!(ape.pointer, "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation");
    assert_eq!(o.location_of(&ape.pointer).line, 8, "the container itself, as securityContext is missing");
    assert_eq!(e.forbidden[2].detail, "pod or container \"web\" must set securityContext.runAsNonRoot=true");
    assert_eq!(e.forbidden[1].detail, "container \"web\" must set securityContext.capabilities.drop=[\"ALL\"]");
}

#[test]
fn init_and_ephemeral_containers_are_checked_and_named_in_the_plugins_order() {
    let yaml = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    securityContext: {privileged: true}
  initContainers:
  - name: init
    securityContext: {privileged: true}
  ephemeralContainers:
  - name: debug
    securityContext: {privileged: true}
";
    let e = eval(yaml, Level::Baseline, "latest");
    assert_eq!(
        e.forbidden[0].detail,
        "containers \"init\", \"app\", \"debug\" must not set securityContext.privileged=true"
    );
    assert_eq!(
        e.forbidden[0].pointers,
        [
            "/spec/initContainers/0/securityContext/privileged",
            "/spec/containers/0/securityContext/privileged",
            "/spec/ephemeralContainers/0/securityContext/privileged",
        ]
    );
}

#[test]
fn windows_pods_are_exempt_from_linux_only_restricted_checks_from_v1_25() {
    let yaml = "apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  securityContext: {runAsNonRoot: true}
  containers:
  - name: app
";
    let before = eval(yaml, Level::Restricted, "v1.24");
    assert_eq!(checks(&before), ["allowPrivilegeEscalation", "capabilities_restricted", "seccompProfile_restricted"]);
    assert!(eval(yaml, Level::Restricted, "v1.25").allowed);
    // runAsNonRoot is not Linux-only: still required.
    let root = yaml.replace("runAsNonRoot: true", "runAsNonRoot: false");
    assert_eq!(checks(&eval(&root, Level::Restricted, "latest")), ["runAsNonRoot"]);
    // Only the exact value "windows" counts, as in the plugin.
    let linux = yaml.replace("name: windows", "name: Windows");
    assert!(!eval(&linux, Level::Restricted, "latest").allowed);
}

#[test]
fn seccomp_is_read_from_annotations_before_v1_19_and_from_fields_after() {
    let annotated = "apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: unconfined
    container.seccomp.security.alpha.kubernetes.io/app: docker/default
spec:
  containers:
  - name: app
";
    let e = eval(annotated, Level::Baseline, "v1.18");
    assert_eq!(checks(&e), ["seccompProfile_baseline"]);
    assert_eq!(e.forbidden[0].detail, "forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\"");
    assert_eq!(e.forbidden[0].pointer, "/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod");
    assert!(eval(annotated, Level::Baseline, "v1.19").allowed);

    let field = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    seccompProfile: {type: Unconfined}
  containers:
  - name: app
    securityContext:
      seccompProfile: {}
";
    assert!(eval(field, Level::Baseline, "v1.18").allowed);
    let e = eval(field, Level::Baseline, "v1.19");
    assert_eq!(
        e.forbidden[0].detail,
        "pod and container \"app\" must not set securityContext.seccompProfile.type to \"\", \"Unconfined\""
    );
    // At restricted, seccompProfile_restricted replaces the baseline check from v1.19.
    let e = eval(field, Level::Restricted, "v1.19");
    assert!(checks(&e).contains(&"seccompProfile_restricted"));
    assert!(!checks(&e).contains(&"seccompProfile_baseline"));
}

#[test]
fn user_namespaces_relax_proc_mount_and_run_as_checks_from_v1_35_but_not_restricted_proc_mount() {
    let yaml = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostUsers: false
  securityContext:
    seccompProfile: {type: RuntimeDefault}
    runAsUser: 0
  containers:
  - name: app
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
      procMount: Unmasked
";
    assert_eq!(checks(&eval(yaml, Level::Baseline, "v1.34")), ["procMount"]);
    assert!(eval(yaml, Level::Baseline, "v1.35").allowed);
    assert_eq!(checks(&eval(yaml, Level::Restricted, "v1.34")), ["procMount", "runAsNonRoot", "runAsUser"]);
    let e = eval(yaml, Level::Restricted, "v1.35");
    assert_eq!(checks(&e), ["procMount_restricted"]);
    assert_eq!(e.forbidden[0].detail, "container \"app\" must not set securityContext.procMount to \"Unmasked\"");
    let host_users = yaml.replace("hostUsers: false", "hostUsers: true");
    assert_eq!(
        checks(&eval(&host_users, Level::Restricted, "latest")),
        ["procMount_restricted", "runAsNonRoot", "runAsUser"]
    );
}

#[test]
fn sysctls_allow_list_grows_by_version() {
    let pod = |name: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext:\n    sysctls:\n    - {{name: {name}, value: '1'}}\n  containers:\n  - name: app\n"
        )
    };
    let cases = [
        ("net.ipv4.ip_unprivileged_port_start", 0),
        ("net.ipv4.ip_local_reserved_ports", 27),
        ("net.ipv4.tcp_fin_timeout", 29),
        ("net.ipv4.tcp_wmem", 32),
        ("net.ipv4.tcp_notsent_lowat", 37),
    ];
    for (name, since) in cases {
        let yaml = pod(name);
        if since > 0 {
            let e = eval(&yaml, Level::Baseline, &format!("v1.{}", since - 1));
            assert_eq!(checks(&e), ["sysctls"], "{name} before v1.{since}");
            assert_eq!(e.forbidden[0].detail, name);
            assert_eq!(e.forbidden[0].pointer, "/spec/securityContext/sysctls/0/name");
        }
        assert!(eval(&yaml, Level::Baseline, &format!("v1.{since}")).allowed, "{name} at v1.{since}");
    }
    assert!(!eval(&pod("kernel.msgmax"), Level::Baseline, "latest").allowed);
}

#[test]
fn probe_hosts_are_forbidden_from_v1_34_including_localhost() {
    let yaml = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: b
    livenessProbe:
      httpGet: {host: 127.0.0.1, port: 80}
  - name: a
    lifecycle:
      preStop:
        tcpSocket: {host: evil.example, port: 80}
    readinessProbe:
      tcpSocket: {host: '', port: 80}
";
    assert!(eval(yaml, Level::Baseline, "v1.33").allowed);
    let e = eval(yaml, Level::Baseline, "v1.34");
    assert_eq!(checks(&e), ["hostProbesAndHostLifecycle"]);
    assert_eq!(
        e.forbidden[0].detail,
        "containers \"a\", \"b\" use probe or lifecycle hosts \"127.0.0.1\", \"evil.example\""
    );
    assert_eq!(
        e.forbidden[0].pointers,
        ["/spec/containers/0/livenessProbe/httpGet/host", "/spec/containers/1/lifecycle/preStop/tcpSocket/host"]
    );
}

#[test]
fn se_linux_container_engine_t_is_allowed_from_v1_31_and_user_role_never() {
    let yaml = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    seLinuxOptions: {type: container_engine_t, level: 's0:c1,c2'}
  containers:
  - name: app
";
    assert_eq!(checks(&eval(yaml, Level::Baseline, "v1.30")), ["seLinuxOptions"]);
    assert!(eval(yaml, Level::Baseline, "v1.31").allowed);
    let user = yaml.replace("level: 's0:c1,c2'", "user: system_u, role: system_r");
    let e = eval(&user, Level::Baseline, "latest");
    assert_eq!(
        e.forbidden[0].detail,
        "pod set forbidden securityContext.seLinuxOptions: user may not be set; role may not be set"
    );
}

#[test]
fn restricted_volumes_replace_host_path_and_allow_sourceless_and_image_volumes() {
    let yaml = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
  volumes:
  - name: defaulted
  - name: img
    image: {reference: 'registry.example/data:1'}
  - name: host
    hostPath: {path: /etc}
  - name: future
    someNewSource: {x: 1}
";
    let baseline = eval(yaml, Level::Baseline, "v1.0");
    assert_eq!(checks(&baseline), ["hostPathVolumes"]);
    assert_eq!(baseline.forbidden[0].detail, "volume \"host\"");
    let restricted = eval(yaml, Level::Restricted, "v1.0");
    assert_eq!(checks(&restricted), ["restrictedVolumes"]);
    assert_eq!(
        restricted.forbidden[0].detail,
        "volumes \"host\", \"future\" use restricted volume types \"hostPath\", \"unknown\""
    );
    assert_eq!(restricted.forbidden[0].pointers, ["/spec/volumes/2/hostPath", "/spec/volumes/3/someNewSource"]);
}

#[test]
fn app_armor_field_and_annotations_are_both_checked_at_every_version() {
    let yaml = "apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: unconfined
    container.apparmor.security.beta.kubernetes.io/other: localhost/custom
spec:
  containers:
  - name: app
    securityContext:
      appArmorProfile: {type: Unconfined}
";
    let e = eval(yaml, Level::Baseline, "v1.0");
    assert_eq!(checks(&e), ["appArmorProfile"]);
    assert_eq!(e.forbidden[0].reason, "forbidden AppArmor profiles");
    assert_eq!(e.forbidden[0].pointer, "/spec/containers/0/securityContext/appArmorProfile/type");
    assert!(e.forbidden[0]
        .pointers
        .contains(&"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app".to_owned()));
    let fine = yaml.replace("Unconfined", "Localhost").replace(": unconfined", ": runtime/default");
    assert!(eval(&fine, Level::Baseline, "latest").allowed);
}

#[test]
fn capabilities_baseline_then_restricted_and_host_ports_details() {
    let yaml = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    ports:
    - {containerPort: 80, hostPort: 8080}
    - {containerPort: 443, hostPort: 0}
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        add: [NET_BIND_SERVICE, CHOWN, SYS_ADMIN]
        drop: [ALL]
";
    let b = eval(yaml, Level::Baseline, "latest");
    assert_eq!(checks(&b), ["capabilities_baseline", "hostPorts"]);
    assert_eq!(
        b.forbidden[0].detail,
        "container \"app\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add"
    );
    assert_eq!(b.forbidden[0].pointer, "/spec/containers/0/securityContext/capabilities/add/2");
    assert_eq!(b.forbidden[1].detail, "container \"app\" uses hostPort 8080");
    assert_eq!(b.forbidden[1].pointer, "/spec/containers/0/ports/0/hostPort");

    // Before v1.22 restricted still uses the baseline capabilities check.
    assert!(checks(&eval(yaml, Level::Restricted, "v1.21")).contains(&"capabilities_baseline"));
    let r = eval(yaml, Level::Restricted, "v1.22");
    assert_eq!(checks(&r), ["hostPorts", "capabilities_restricted"]);
    assert_eq!(
        r.forbidden[1].detail,
        "container \"app\" must not include \"CHOWN\", \"SYS_ADMIN\" in securityContext.capabilities.add"
    );
}

#[test]
fn host_namespaces_and_windows_host_process_details() {
    let yaml = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  hostIPC: true
  hostPID: false
  securityContext:
    windowsOptions: {hostProcess: true}
  containers:
  - name: app
    securityContext:
      windowsOptions: {hostProcess: true}
";
    let e = eval(yaml, Level::Baseline, "v1.0");
    assert_eq!(checks(&e), ["hostNamespaces", "windowsHostProcess"]);
    assert_eq!(e.forbidden[0].detail, "hostNetwork=true, hostIPC=true");
    assert_eq!(e.forbidden[0].pointers, ["/spec/hostNetwork", "/spec/hostIPC"]);
    assert_eq!(
        e.forbidden[1].detail,
        "pod and container \"app\" must not set securityContext.windowsOptions.hostProcess=true"
    );
    assert_eq!(
        e.message(),
        "host namespaces (hostNetwork=true, hostIPC=true), hostProcess (pod and container \"app\" must not set securityContext.windowsOptions.hostProcess=true)"
    );
}

#[test]
fn run_as_user_zero_is_forbidden_from_v1_23() {
    let yaml = RESTRICTED_POD.replace("runAsNonRoot: true", "runAsNonRoot: true\n    runAsUser: 0");
    assert!(eval(&yaml, Level::Restricted, "v1.22").allowed);
    let e = eval(&yaml, Level::Restricted, "v1.23");
    assert_eq!(checks(&e), ["runAsUser"]);
    assert_eq!(e.forbidden[0].detail, "pod must not set runAsUser=0");
    assert_eq!(e.forbidden[0].pointer, "/spec/securityContext/runAsUser");
}

#[test]
fn list_items_are_evaluated_with_pointers_relative_to_the_item() {
    let yaml = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c}
- apiVersion: v1
  kind: Pod
  metadata: {name: p}
  spec:
    hostPID: true
    containers:
    - name: app
";
    let all = objects(yaml);
    let pod = all.iter().find(|o| o.kind == "Pod").unwrap();
    let r = report(&all, Level::Baseline, Version::V(30));
    assert_eq!(r.results.len(), 1, "the ConfigMap has no pod spec");
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["results"][0]["name"], "p");
    assert_eq!(json["results"][0]["version"], "v1.30");
    assert_eq!(json["results"][0]["line"], 7);
    assert_eq!(json["results"][0]["forbidden"][0]["check"], "hostNamespaces");
    assert_eq!(json["results"][0]["forbidden"][0]["pointer"], "/spec/hostPID");
    let e = evaluate(pod, Level::Baseline, Version::Latest).unwrap();
    assert_eq!(e.forbidden[0].pointer, "/spec/hostPID");
    assert_eq!(pod.location_of(&e.forbidden[0].pointer).line, 11);
}

#[test]
fn fields_of_the_wrong_type_never_panic() {
    let malformed = [
        "spec: {containers: notalist, initContainers: 5, ephemeralContainers: {a: b}}",
        "spec: {securityContext: x, containers: [{name: 1, securityContext: [1, 2]}]}",
        "spec: {containers: [{securityContext: {capabilities: {add: {a: b}, drop: x}}}]}",
        "spec: {containers: [{securityContext: {capabilities: {add: [[1], {a: b}, null, 7]}}}]}",
        "spec: {containers: [{ports: 5}, {ports: [1, {hostPort: '80'}, {hostPort: 1.5}, {hostPort: 99999999999999}]}]}",
        "spec: {volumes: [1, x, null, {name: [1], hostPath: x}, {nfs: null}], containers: []}",
        "spec: {securityContext: {sysctls: x}, containers: [null]}",
        "spec: {securityContext: {sysctls: [1, {name: {a: b}}, {value: 2}]}, containers: [{}]}",
        "spec: {hostUsers: 'false', hostPID: 'true', os: {name: [windows]}, containers: [{}]}",
        "spec: {securityContext: {seccompProfile: x, seLinuxOptions: [], appArmorProfile: 3, windowsOptions: x}, containers: [{}]}",
        "spec: {containers: [{securityContext: {seccompProfile: {type: 5}, seLinuxOptions: {type: [], user: 1}, procMount: {}}}]}",
        "spec: {containers: [{livenessProbe: x, readinessProbe: {httpGet: x}, startupProbe: {tcpSocket: {host: 7}}, lifecycle: [1]}]}",
        "metadata: {annotations: [1, 2]}\nspec: {containers: [{}]}",
        "metadata: {annotations: {container.apparmor.security.beta.kubernetes.io/x: [1]}}\nspec: {containers: [{}]}",
        "spec: {containers: [{securityContext: {runAsUser: x, runAsNonRoot: 1, allowPrivilegeEscalation: 'false', privileged: 'true'}}]}",
    ];
    for body in malformed {
        let yaml = format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: m}}\n{body}\n");
        let yaml = yaml.replacen("metadata: {name: m}\nmetadata:", "metadata:", 1);
        for o in objects(&yaml) {
            for level in [Level::Privileged, Level::Baseline, Level::Restricted] {
                for version in [Version::V(0), Version::V(19), Version::V(25), Version::V(35), Version::Latest] {
                    let _ = evaluate(&o, level, version);
                    let _ = result(&o, level, version);
                }
            }
        }
    }
    // Strings are not booleans: `privileged: "true"` would not decode, so it
    // is read as unset rather than guessed at.
    let e = eval(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: m}\nspec: {containers: [{name: a, securityContext: {privileged: 'true'}}]}\n",
        Level::Baseline,
        "latest",
    );
    assert!(e.allowed);
}
