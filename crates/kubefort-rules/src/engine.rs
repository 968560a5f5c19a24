//! Runs rules over every object of an inventory, in parallel, folds findings
//! one rule already covers for another (see [`crate::pss::merge_referenced`]),
//! and applies the objects' own `kubefort.io/ignore` suppressions.
//!
//! The `pss:` rules are evaluated together: one Pod Security Standards pass
//! per object for every selected check.

use crate::suppression;
use kubefort_model::{Context, Finding, Inventory, Object, Prepare, Rule, RuleMeta, Settings, Sink};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// A finding silenced by an annotation, with the reason given.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
}

/// What a run produced, sorted by file, line, column and rule.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
}

/// Objects checked together before their findings are handed on: enough to
/// keep every core busy, few enough that a batch's findings stay small.
const BATCH_OBJECTS: usize = 2048;

/// Runs `rules` on every object. Output order is deterministic whatever the
/// number of threads.
pub fn run(inventory: &Inventory, rules: &[&'static dyn Rule], settings: &Settings) -> Outcome {
    let mut all = Outcome::default();
    run_streaming(inventory, rules, settings, &mut |part| {
        all.findings.extend(part.findings);
        all.suppressed.extend(part.suppressed);
    });
    all
}

/// Runs `rules` on every object and hands the results to `emit` in
/// consecutive parts as objects finish: the concatenation of the parts is
/// exactly what [`run`] returns (sorted by file, line, column, rule and
/// pointer), but a large scan never holds all its findings at once.
pub fn run_streaming(
    inventory: &Inventory,
    rules: &[&'static dyn Rule],
    settings: &Settings,
    emit: &mut dyn FnMut(Outcome),
) {
    run_in_batches(inventory, rules, settings, BATCH_OBJECTS, emit);
}

fn run_in_batches(
    inventory: &Inventory,
    rules: &[&'static dyn Rule],
    settings: &Settings,
    batch_objects: usize,
    emit: &mut dyn FnMut(Outcome),
) {
    prepare(inventory, rules);
    let checker = Checker::new(inventory, rules, settings);
    let objects = inventory.objects();
    let plan = ReportOrder::new(objects);
    let mut groups = plan.groups().peekable();
    // Batch n is checked by the thread pool while batch n - 1 is handed to
    // `emit` on this thread (a report is written serially).
    let mut previous: Option<Outcome> = None;
    while groups.peek().is_some() {
        // Whole groups only: a group's findings are sorted together.
        let mut batch: Vec<&[usize]> = Vec::new();
        let mut size = 0;
        while let Some(group) = groups.next_if(|_| size < batch_objects) {
            size += group.len();
            batch.push(group);
        }
        let mut checked = None;
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| checked = Some(check_batch(&checker, objects, &batch)));
            if let Some(part) = previous.take() {
                emit(part);
            }
        });
        previous = checked;
    }
    if let Some(part) = previous {
        emit(part);
    }
}

/// Runs the [`Prepare`] of the selected rules, each once (by name) and side
/// by side in the thread pool.
fn prepare(inventory: &Inventory, rules: &[&'static dyn Rule]) {
    let mut names = HashSet::new();
    let work: Vec<Prepare> = rules.iter().filter_map(|r| r.prepare()).filter(|p| names.insert(p.name)).collect();
    rayon::scope(|scope| {
        for p in work {
            scope.spawn(move |_| (p.run)(inventory));
        }
    });
}

/// The findings of a batch of groups, each group's sorted.
fn check_batch(checker: &Checker<'_>, objects: &[Object], batch: &[&[usize]]) -> Outcome {
    let indices: Vec<usize> = batch.iter().flat_map(|g| g.iter().copied()).collect();
    let mut per_object = indices.par_iter().map(|&i| checker.check(&objects[i])).collect::<Vec<_>>().into_iter();
    let mut part = Outcome::default();
    for group in batch {
        let start = part.findings.len();
        let start_suppressed = part.suppressed.len();
        for o in per_object.by_ref().take(group.len()) {
            part.findings.extend(o.findings);
            part.suppressed.extend(o.suppressed);
        }
        if group.len() > 1 {
            // Stable, so findings with equal keys keep the objects' order.
            part.findings[start..].sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            part.suppressed[start_suppressed..].sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
        }
    }
    part
}

/// Runs the rules on one object at a time.
struct Checker<'a> {
    inventory: &'a Inventory,
    settings: &'a Settings,
    kf_rules: Vec<&'static dyn Rule>,
    pss_ids: HashSet<&'static str>,
    pss_pass: Option<crate::pss::Pass<'a>>,
    metas: HashMap<&'static str, &'static RuleMeta>,
}

impl<'a> Checker<'a> {
    fn new(inventory: &'a Inventory, rules: &[&'static dyn Rule], settings: &'a Settings) -> Self {
        let (pss_rules, kf_rules): (Vec<&'static dyn Rule>, Vec<&'static dyn Rule>) =
            rules.iter().partition(|r| crate::pss::is_pss_rule(r.meta().id));
        let pss_ids: HashSet<&'static str> = pss_rules.iter().map(|r| r.meta().id).collect();
        let pss_pass = (!pss_ids.is_empty()).then(|| crate::pss::Pass::new(inventory, settings));
        let metas = rules.iter().map(|r| (r.meta().id, r.meta())).collect();
        Checker { inventory, settings, kf_rules, pss_ids, pss_pass, metas }
    }

    /// The object's findings, sorted, with those its own annotation silences apart.
    fn check(&self, object: &Object) -> Outcome {
        let settings = self.settings;
        let cx = Context { object, inventory: self.inventory, settings };
        let mut sink = Sink::new(object);
        for rule in &self.kf_rules {
            rule.check(&cx, &mut sink);
        }
        if let Some(pass) = &self.pss_pass {
            pass.check_object(object, &|id| self.pss_ids.contains(id), &mut sink);
        }
        let mut findings = crate::pss::merge_referenced(sink.into_findings(), &|id| self.metas.get(id).copied());
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let entries = object.annotation(suppression::ANNOTATION).map(suppression::parse).unwrap_or_default();
        if entries.is_empty() {
            return Outcome { findings, suppressed: Vec::new() };
        }
        let mut outcome = Outcome::default();
        for finding in findings {
            let silencer = entries.iter().find(|e| {
                e.suppresses(settings.today)
                    && (e.rule == finding.rule
                        || crate::find_rule(&e.rule).is_some_and(|r| r.meta().id == finding.rule))
            });
            match silencer {
                Some(e) => outcome.suppressed.push(Suppressed { finding, reason: e.reason.clone() }),
                None => outcome.findings.push(finding),
            }
        }
        outcome
    }
}

/// The order reports come in, planned before any rule runs so that findings
/// can be handed on while later objects are still being checked.
///
/// Reports are sorted by file, then position. Objects are ordered by file
/// (stably, so a file keeps the order its objects were read in) and cut into
/// groups whose findings cannot interleave: each YAML document of a file read
/// once is a group of its own, since every finding points at a node of its
/// object and a document's nodes all lie before the next document's start.
/// Objects sharing a document (items of a `kind: List`) form one group and
/// their findings are sorted together. A file whose objects do not come in
/// strictly increasing document and position (the same path given twice,
/// objects without positions) is one group.
struct ReportOrder {
    order: Vec<usize>,
    /// Exclusive end of each group within `order`.
    ends: Vec<usize>,
}

impl ReportOrder {
    fn new(objects: &[Object]) -> ReportOrder {
        let mut order: Vec<usize> = (0..objects.len()).collect();
        order.sort_by(|&a, &b| objects[a].source.file.cmp(&objects[b].source.file));
        let mut ends = Vec::new();
        let mut file_start = 0;
        while file_start < order.len() {
            let file = &objects[order[file_start]].source.file;
            let file_end = order[file_start..]
                .iter()
                .position(|&i| objects[i].source.file != *file)
                .map_or(order.len(), |n| file_start + n);
            let file_ends_before = ends.len();
            let mut separable = true;
            for k in file_start + 1..file_end {
                let (prev, next) = (&objects[order[k - 1]], &objects[order[k]]);
                let (p, n) = (prev.pos_of(""), next.pos_of(""));
                let after = p.line > 0 && (n.line, n.column) > (p.line, p.column);
                let list_items = !prev.base_pointer.is_empty() && !next.base_pointer.is_empty();
                if next.source.document == prev.source.document && after && list_items {
                    continue;
                }
                if next.source.document > prev.source.document && after && n.line > p.line {
                    ends.push(k);
                    continue;
                }
                separable = false;
                break;
            }
            if !separable {
                ends.truncate(file_ends_before);
            }
            ends.push(file_end);
            file_start = file_end;
        }
        ReportOrder { order, ends }
    }

    /// Object indices, group by group, in report order.
    fn groups(&self) -> impl Iterator<Item = &[usize]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter().copied()).map(|(start, end)| &self.order[start..end])
    }
}

#[cfg(test)]
mod tests {
    use super::{run, run_in_batches, Checker};
    use crate::testing::check_with;
    use crate::workload::PrivilegedContainer;
    use kubefort_load::{load_texts, Limits};
    use kubefort_model::{Date, Finding, Inventory, Settings};
    use std::sync::Arc;

    /// splitmix64: a seeded sequence, so a failure can be replayed.
    struct Random(u64);
    impl Random {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) % n as u64) as usize
        }
    }

    /// A pod in flow style (one line) or block style, with some of the
    /// problems the rules look for.
    fn random_pod(r: &mut Random, name: &str, flow: bool) -> String {
        let image = ["nginx", "nginx:latest", "nginx:1.27", "registry.example.com/app@sha256:abc"][r.below(4)];
        let context = ["{privileged: true}", "{runAsNonRoot: true, allowPrivilegeEscalation: false}", "{}"][r.below(3)];
        let ignore = match r.below(6) {
            0 => ", annotations: {kubefort.io/ignore: \"KF-POD-001=driver\"}",
            _ => "",
        };
        if flow {
            format!(
                "{{apiVersion: v1, kind: Pod, metadata: {{name: {name}{ignore}}}, spec: {{hostNetwork: {}, containers: [{{name: c, image: \"{image}\", securityContext: {context}}}]}}}}",
                r.below(2) == 0
            )
        } else {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}{ignore}}}\nspec:\n  hostPID: {}\n  containers:\n  - name: a\n    image: \"{image}\"\n    securityContext: {context}\n  - name: b\n    image: busybox\n",
                r.below(2) == 0
            )
        }
    }

    /// Files of several documents, some of them `kind: List`s (on one line,
    /// so their items' findings interleave), one path given twice.
    fn random_inputs(r: &mut Random) -> Vec<(Arc<str>, String)> {
        let mut names = vec!["b.yaml", "a.yaml", "a/c.yaml", "a-b.yaml", "dup.yaml", "dup.yaml"];
        for i in (1..names.len()).rev() {
            names.swap(i, r.below(i + 1));
        }
        let mut serial = 0;
        names
            .into_iter()
            .map(|name| {
                let docs: Vec<String> = (0..1 + r.below(4))
                    .map(|_| {
                        serial += 1;
                        match r.below(4) {
                            0 => {
                                let items: Vec<String> = (0..1 + r.below(3))
                                    .map(|i| random_pod(r, &format!("l{serial}-{i}"), true))
                                    .collect();
                                format!("{{apiVersion: v1, kind: List, items: [{}]}}\n", items.join(", "))
                            }
                            1 => random_pod(r, &format!("f{serial}"), true) + "\n",
                            _ => random_pod(r, &format!("p{serial}"), false),
                        }
                    })
                    .collect();
                (Arc::from(name), docs.join("---\n"))
            })
            .collect()
    }

    #[test]
    fn each_document_is_a_group_unless_its_file_came_twice() {
        let pod = |name: &str| format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\n");
        let list = "{apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: Pod, metadata: {name: l1}}, {apiVersion: v1, kind: Pod, metadata: {name: l2}}]}\n";
        let texts = vec![
            (Arc::from("b.yaml"), format!("{}---\n{}---\n{list}", pod("b1"), pod("b2"))),
            (Arc::from("a.yaml"), pod("a1")),
            (Arc::from("dup.yaml"), pod("d1")),
            (Arc::from("dup.yaml"), pod("d2")),
        ];
        let inventory = Inventory::new(load_texts(texts, Limits::default()).objects);
        let plan = super::ReportOrder::new(inventory.objects());
        let groups: Vec<Vec<&str>> =
            plan.groups().map(|g| g.iter().map(|&i| inventory.objects()[i].name.as_str()).collect()).collect();
        assert_eq!(groups, [vec!["a1"], vec!["b1"], vec!["b2"], vec!["l1", "l2"], vec!["d1", "d2"]]);
    }

    #[test]
    fn parts_concatenate_to_the_global_sort_of_every_objects_findings() {
        let settings = Settings { today: Date::parse("2026-11-25").unwrap(), ..Settings::default() };
        let rules = crate::all_rules();
        let mut r = Random(2026);
        for round in 0..40 {
            let loaded = load_texts(random_inputs(&mut r), Limits::default());
            assert!(
                loaded.diagnostics.iter().all(|d| d.level != kubefort_load::Level::Error),
                "{:?}",
                loaded.diagnostics
            );
            let inventory = Inventory::new(loaded.objects);
            // What the engine returned before it streamed: every object's
            // findings in inventory order, stably sorted once.
            let checker = Checker::new(&inventory, &rules, &settings);
            let (mut expected, mut expected_suppressed) = (Vec::new(), Vec::new());
            for object in inventory.objects() {
                let outcome = checker.check(object);
                expected.extend(outcome.findings);
                expected_suppressed.extend(outcome.suppressed.into_iter().map(|s| s.finding));
            }
            expected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            expected_suppressed.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            assert!(expected.len() > 10, "round {round}: the rules found too little to test the order");
            for batch in [1, 3, 2048] {
                let (mut found, mut suppressed, mut parts) = (Vec::<Finding>::new(), Vec::new(), 0);
                run_in_batches(&inventory, &rules, &settings, batch, &mut |part| {
                    parts += 1;
                    found.extend(part.findings);
                    suppressed.extend(part.suppressed.into_iter().map(|s| s.finding));
                });
                assert_eq!(found, expected, "round {round}, batches of {batch}");
                assert_eq!(suppressed, expected_suppressed, "round {round}, batches of {batch}");
                if batch == 1 {
                    assert!(parts > 5, "round {round}: {parts} parts");
                }
            }
        }
    }

    #[test]
    fn a_pod_its_controller_stands_for_raises_nothing_of_its_own_a_changed_one_does() {
        // A container with a credential in env and a token in a field no
        // place-specific rule reads (KF-SEC-005 walks it).
        let token = kubefort_secrets::fake::Fake::new(3).secret("github-token");
        let container = format!(
            "{{name: app, image: 'web:latest', env: [{{name: DB_PASSWORD, value: 'Zx9Qw2Lm7Rt4Kp8V'}}], workingDir: '/{token}'}}"
        );
        let deployment = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: shop}}\nspec:\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers:\n      - {container}\n"
        );
        let pod = |extra: &str| {
            format!(
                "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  namespace: shop\n  labels: {{app: web, pod-template-hash: h}}\n  ownerReferences: [{{kind: Deployment, name: web, controller: true}}]\nspec:\n  nodeName: n1\n  containers:\n  - {container}\n{extra}"
            )
        };
        let settings = Settings::default();
        let findings = |yaml: &str| {
            let inventory =
                Inventory::new(load_texts(vec![(Arc::from("d.yaml"), yaml.to_owned())], Limits::default()).objects);
            run(&inventory, &crate::all_rules(), &settings).findings
        };
        let on =
            |f: &[Finding], kind: &str| f.iter().filter(|f| f.object.kind == kind).map(|f| f.rule).collect::<Vec<_>>();
        let alone = findings(&deployment);
        let with_pod = findings(&format!("{deployment}{}", pod("")));
        let mine = on(&alone, "Deployment");
        assert!(mine.contains(&"KF-SEC-001") && mine.contains(&"KF-SEC-005"), "{mine:?}");
        assert_eq!(on(&with_pod, "Deployment"), mine);
        assert_eq!(on(&with_pod, "Pod"), Vec::<&str>::new());
        // A sidecar injected into the Pod only: the Pod is checked in full.
        let injected = findings(&format!(
            "{deployment}{}",
            pod("  - {name: proxy, image: proxy, securityContext: {privileged: true}}\n")
        ));
        let pod_rules = on(&injected, "Pod");
        assert!(["KF-POD-001", "KF-SEC-001", "KF-SEC-005"].iter().all(|r| pod_rules.contains(r)), "{pod_rules:?}");
    }

    fn pod(annotation: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    kubefort.io/ignore: \"{annotation}\"\nspec:\n  containers:\n  - name: a\n    securityContext: {{privileged: true}}\n"
        )
    }

    #[test]
    fn annotation_suppresses_only_with_a_reason_and_before_expiry() {
        let settings = Settings { today: Date::parse("2026-11-25").unwrap(), ..Settings::default() };
        let fired = |annotation: &str| check_with(&PrivilegedContainer, &pod(annotation), &settings).len();
        assert_eq!(fired("KF-POD-001=needs the GPU driver"), 0);
        assert_eq!(fired("privileged-container=by name"), 0);
        assert_eq!(fired("KF-POD-001=until the end of the year until 2026-12-31"), 0);
        assert_eq!(fired("KF-POD-001"), 1, "no reason: not suppressed");
        assert_eq!(fired("KF-POD-001=old until 2026-11-24"), 1, "expired: not suppressed");
        assert_eq!(fired("KF-POD-002=other rule"), 1);
    }

    mod prepared {
        use kubefort_model::{declare_rule, Context, Prepare, Sink};
        use std::sync::atomic::{AtomicUsize, Ordering};

        pub static SHARED_RUNS: AtomicUsize = AtomicUsize::new(0);
        pub static OTHER_RUNS: AtomicUsize = AtomicUsize::new(0);
        const SHARED: Prepare = Prepare {
            name: "shared",
            run: |_| {
                SHARED_RUNS.fetch_add(1, Ordering::SeqCst);
            },
        };
        const OTHER: Prepare = Prepare {
            name: "other",
            run: |_| {
                OTHER_RUNS.fetch_add(1, Ordering::SeqCst);
            },
        };

        /// Reports how many times each model was built when the object is checked.
        fn check(cx: &Context<'_>, sink: &mut Sink<'_>) {
            let runs = (SHARED_RUNS.load(Ordering::SeqCst), OTHER_RUNS.load(Ordering::SeqCst));
            sink.report(&A::META, "", format!("{} {runs:?}", cx.object.name));
        }

        declare_rule! {
            /// ## What it does
            /// Test rule A.
            pub struct A { id: "KF-TEST-101", name: "a", title: "A", severity: Low, fix: "-", references: [], check: check, prepare: SHARED }
        }
        declare_rule! {
            /// ## What it does
            /// Test rule B, sharing A's model.
            pub struct B { id: "KF-TEST-102", name: "b", title: "B", severity: Low, fix: "-", references: [], check: check, prepare: SHARED }
        }
        declare_rule! {
            /// ## What it does
            /// Test rule C, with a model of its own.
            pub struct C { id: "KF-TEST-103", name: "c", title: "C", severity: Low, fix: "-", references: [], check: check, prepare: OTHER }
        }
    }

    #[test]
    fn each_named_model_is_prepared_once_before_any_object_is_checked() {
        use prepared::*;
        use std::sync::atomic::Ordering;
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: q}\n";
        let loaded = load_texts(vec![(Arc::from("p.yaml"), yaml.to_owned())], Limits::default());
        let inventory = Inventory::new(loaded.objects);
        let outcome = run(&inventory, &[&A, &B, &C], &Settings::default());
        assert_eq!((SHARED_RUNS.load(Ordering::SeqCst), OTHER_RUNS.load(Ordering::SeqCst)), (1, 1));
        let messages: Vec<&str> = outcome.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["p (1, 1)", "p (1, 1)", "p (1, 1)", "q (1, 1)", "q (1, 1)", "q (1, 1)"]);
    }
}
