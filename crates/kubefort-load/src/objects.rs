//! Documents → Kubernetes objects (with `*List` kinds flattened).

use crate::{yaml::Document, Diagnostic};
use kubefort_model::{Node, Object, Source, Value};
use std::sync::Arc;

/// Turns one parsed document into the objects it holds. A document that is
/// not a Kubernetes object (a Helm values file, a kustomization, a CI config)
/// gives a note, not an error.
pub fn objects_from_document(
    doc: Document,
    file: &Arc<str>,
    objects: &mut Vec<Object>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let source = Source { file: file.clone(), template: doc.template.clone(), document: doc.index };
    let root_pos = doc.root.pos;
    let list_kind = match (&doc.root.value, doc.root.get("kind").and_then(Node::as_str)) {
        (Value::Map(_), Some(kind)) if kind.ends_with("List") && doc.root.get("items").is_some() => {
            Some(kind.to_owned())
        }
        (Value::Seq(_), _) => Some(String::new()),
        _ => None,
    };
    let Some(list_kind) = list_kind else {
        let kind = doc.root.get("kind").and_then(Node::as_str).map(str::to_owned);
        match Object::from_node(doc.root, source, String::new()) {
            Some(o) => objects.push(o),
            None => diagnostics.push(Diagnostic::note(
                file,
                root_pos,
                match kind {
                    Some(_) => "skipped: document has no apiVersion, so it is not a Kubernetes object".to_owned(),
                    None => "skipped: document is not a Kubernetes object (no apiVersion/kind)".to_owned(),
                },
            )),
        }
        return;
    };
    let Node { value, .. } = doc.root;
    let (items, list_api_version, items_pointer) = match value {
        Value::Seq(items) => (items, None, ""),
        Value::Map(mut map) => {
            let api_version = map.get("apiVersion").and_then(Node::as_str).map(str::to_owned);
            let items = match map.get_mut("items").map(|n| std::mem::replace(&mut n.value, Value::Null)) {
                Some(Value::Seq(items)) => items,
                Some(Value::Null) => Box::default(),
                _ => {
                    diagnostics.push(Diagnostic::error(file, root_pos, format!("{list_kind}: `items` must be a list")));
                    return;
                }
            };
            (items, api_version, "/items")
        }
        _ => unreachable!("list_kind is only set for maps and sequences"),
    };
    // Items of a typed list (`PodList` from the API) may omit kind and apiVersion.
    let item_kind = list_kind.strip_suffix("List").filter(|k| !k.is_empty());
    for (i, mut item) in items.into_vec().into_iter().enumerate() {
        let item_pos = item.pos;
        if let (Value::Map(m), Some(kind)) = (&mut item.value, item_kind) {
            if m.get("kind").is_none() {
                m.insert("kind".into(), item_pos, Node::new(Value::String(kind.into()), item_pos));
            }
            if let (None, Some(av)) = (m.get("apiVersion"), &list_api_version) {
                m.insert("apiVersion".into(), item_pos, Node::new(Value::String(av.as_str().into()), item_pos));
            }
        }
        let is_nested_list =
            item.get("kind").and_then(Node::as_str).is_some_and(|k| k.ends_with("List")) && item.get("items").is_some();
        if is_nested_list {
            let nested = Document { root: item, index: doc.index, template: doc.template.clone() };
            objects_from_document(nested, file, objects, diagnostics);
            continue;
        }
        match Object::from_node(item, source.clone(), format!("{items_pointer}/{i}")) {
            Some(o) => objects.push(o),
            None => diagnostics.push(Diagnostic::warning(
                file,
                item_pos,
                format!("{list_kind} item {i} is not a Kubernetes object; skipped"),
            )),
        }
    }
}
